package restapi

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestRequestTooLarge: bodies over 10 MB and request lines plus header
// values over 10240 bytes are refused with 413 before any authorizer or
// integration runs (API Gateway quotas for REST APIs,
// https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html).
func TestRequestTooLarge(t *testing.T) {
	f := newFixture(t, testAPI(), policy("Allow", "*"))
	w := do(f.srv, "POST", "/webhooks/github", strings.Repeat("a", MaxBodyBytes+1))
	assert.Equal(t, 413, w.Code)
	assert.JSONEq(t, `{"message":"Request Too Long"}`, w.Body.String())

	// A body without Content-Length is cut at the cap too.
	r := httptest.NewRequest("POST", "/webhooks/github", strings.NewReader(strings.Repeat("a", MaxBodyBytes+1)))
	r.ContentLength = -1
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, r)
	assert.Equal(t, 413, rec.Code)

	w = do(f.srv, "POST", "/webhooks/github", `{}`, "X-Big", strings.Repeat("h", MaxHeaderBytes))
	assert.Equal(t, 413, w.Code)
	assert.Zero(t, f.inv.count("WebhookFunction"))

	w = do(f.srv, "POST", "/webhooks/github", strings.Repeat("a", MaxBodyBytes))
	assert.Equal(t, 202, w.Code, "exactly at the cap is accepted")
}
