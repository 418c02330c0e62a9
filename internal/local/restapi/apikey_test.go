package restapi

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sqsgate/sqsgate/internal/local/template"
)

// keyedAPI requires an API key on POST /v1/events with one usage plan.
func keyedAPI(plan template.UsagePlan) *template.RestAPI {
	api := testAPI()
	for i := range api.Methods {
		if api.Methods[i].Path == "/v1/events" {
			api.Methods[i].APIKeyRequired = true
		}
	}
	plan.LogicalID = "IngestUsagePlan"
	plan.Keys = []template.APIKey{
		{LogicalID: "IngestApiKey", Value: testKey, Enabled: true},
		{LogicalID: "OffKey", Value: "sqsgate-local-DisabledKey", Enabled: false},
	}
	api.UsagePlans = []template.UsagePlan{plan}
	return api
}

// TestAPIKeyRequired: a method that requires an API key answers 403
// {"message":"Forbidden"} for a missing, unknown or disabled x-api-key
// (INVALID_API_KEY; https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html,
// https://repost.aws/knowledge-center/api-gateway-403-error-lambda-authorizer),
// after the authorizer; a valid key reaches the integration and is in the
// event's identity.
func TestAPIKeyRequired(t *testing.T) {
	f := newFixture(t, keyedAPI(template.UsagePlan{}), policy("Allow", "*"))
	for _, key := range []string{"", "sqsgate-local-WrongKeyValue", "sqsgate-local-DisabledKey"} {
		t.Run("key "+key, func(t *testing.T) {
			hdr := []string{"Authorization", bearer}
			if key != "" {
				hdr = append(hdr, "x-api-key", key)
			}
			w := do(f.srv, "POST", "/v1/events", `{}`, hdr...)
			assert.Equal(t, 403, w.Code)
			assert.JSONEq(t, `{"message":"Forbidden"}`, w.Body.String())
			assert.Equal(t, "ForbiddenException", w.Header().Get("X-Amzn-Errortype"))
		})
	}
	assert.Zero(t, f.inv.count("TransformerFunction"))
	assert.EqualError(t, errForbidden, "INVALID_API_KEY: Forbidden")
	w := do(f.srv, "POST", "/v1/events", `{}`, "Authorization", bearer, "x-api-key", testKey)
	require.Equal(t, 202, w.Code)
	id := f.inv.last(t, "TransformerFunction")["requestContext"].(map[string]any)["identity"].(map[string]any)
	assert.Equal(t, testKey, id["apiKey"])
	assert.Equal(t, "IngestApiKey", id["apiKeyId"])
	// A method without the requirement ignores keys.
	w = do(f.srv, "POST", "/webhooks/github", `{}`)
	assert.Equal(t, 202, w.Code)
}

// TestUsagePlanThrottle: a token bucket per key, burst deep, refilled at
// the rate; beyond it 429 {"message":"Too Many Requests"} (THROTTLED;
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html).
func TestUsagePlanThrottle(t *testing.T) {
	f := newFixture(t, keyedAPI(template.UsagePlan{RateLimit: 2, BurstLimit: 3}), policy("Allow", "*"))
	send := func() int {
		return do(f.srv, "POST", "/v1/events", `{}`, "Authorization", bearer, "x-api-key", testKey).Code
	}
	for i := range 3 {
		assert.Equal(t, 202, send(), "burst request %d", i)
	}
	w := do(f.srv, "POST", "/v1/events", `{}`, "Authorization", bearer, "x-api-key", testKey)
	assert.Equal(t, 429, w.Code)
	assert.JSONEq(t, `{"message":"Too Many Requests"}`, w.Body.String())
	assert.Equal(t, "TooManyRequestsException", w.Header().Get("X-Amzn-Errortype"))
	f.clock.Advance(499 * time.Millisecond) // 0.998 tokens: not yet
	assert.Equal(t, 429, send())
	f.clock.Advance(time.Millisecond)
	assert.Equal(t, 202, send())
	assert.Equal(t, 429, send())
	f.clock.Advance(time.Hour) // refills to the burst, never beyond
	for range 3 {
		assert.Equal(t, 202, send())
	}
	assert.Equal(t, 429, send())
}

// TestUsagePlanQuota: the quota counts admitted requests per period and
// answers 429 {"message":"Limit Exceeded"} (QUOTA_EXCEEDED) until the next
// period; the offset is taken from the first period
// (https://docs.aws.amazon.com/apigateway/latest/api/API_QuotaSettings.html).
func TestUsagePlanQuota(t *testing.T) {
	f := newFixture(t, keyedAPI(template.UsagePlan{QuotaLimit: 3, QuotaOffset: 1, QuotaPeriod: "DAY"}), policy("Allow", "*"))
	send := func() *int {
		c := do(f.srv, "POST", "/v1/events", `{}`, "Authorization", bearer, "x-api-key", testKey).Code
		return &c
	}
	assert.Equal(t, 202, *send())
	assert.Equal(t, 202, *send())
	w := do(f.srv, "POST", "/v1/events", `{}`, "Authorization", bearer, "x-api-key", testKey)
	assert.Equal(t, 429, w.Code, "offset 1 leaves 2 of 3 in the first day")
	assert.JSONEq(t, `{"message":"Limit Exceeded"}`, w.Body.String())
	assert.Equal(t, "LimitExceededException", w.Header().Get("X-Amzn-Errortype"))
	f.clock.Set(time.Date(2026, time.November, 22, 23, 59, 59, 0, time.UTC))
	assert.Equal(t, 429, *send())
	f.clock.Set(time.Date(2026, time.November, 23, 0, 0, 0, 0, time.UTC))
	for range 3 {
		assert.Equal(t, 202, *send())
	}
	assert.Equal(t, 429, *send())
}

func TestPeriodStart(t *testing.T) {
	now := time.Date(2026, time.November, 25, 13, 4, 5, 0, time.UTC) // a Wednesday
	assert.Equal(t, time.Date(2026, time.November, 25, 0, 0, 0, 0, time.UTC), periodStart("DAY", now))
	assert.Equal(t, time.Date(2026, time.November, 22, 0, 0, 0, 0, time.UTC), periodStart("WEEK", now))
	assert.Equal(t, time.Date(2026, time.November, 1, 0, 0, 0, 0, time.UTC), periodStart("MONTH", now))
	assert.Equal(t, time.Date(2026, time.November, 1, 0, 0, 0, 0, time.UTC), periodStart("", now))
}
