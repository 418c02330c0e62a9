package restapi

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAuthorizerPolicies: the REQUEST authorizer's IAM policy decides,
// evaluated on the method ARN. Answers from "Control access to REST APIs
// with Lambda authorizers"
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html)
// and the gateway response defaults
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html):
// an explicit Deny and an Allow that does not cover the method are both
// 403, with two different messages.
func TestAuthorizerPolicies(t *testing.T) {
	tests := []struct {
		name    string
		policy  string
		method  string
		target  string
		status  int
		body    string
		errType string
	}{
		{"explicit deny", policy("Deny", arn("POST", "/v1/events")), "POST", "/v1/events", 403,
			`{"Message":"User is not authorized to access this resource with an explicit deny"}`, "AccessDeniedException"},
		{"denied by a route rule: allow names another method", policy("Allow", arn("GET", "/v1/messages")), "POST", "/v1/events", 403,
			`{"Message":"User is not authorized to access this resource"}`, "AccessDeniedException"},
		{"wildcard for another stage", policy("Allow", "arn:aws:execute-api:us-east-1:000000000000:local/prod/*/*"), "POST", "/v1/events", 403,
			`{"Message":"User is not authorized to access this resource"}`, "AccessDeniedException"},
		{"wildcard deny on every POST", `{"principalId":"u","policyDocument":{"Version":"2012-10-17","Statement":[
			{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"*"},
			{"Action":"execute-api:Invoke","Effect":"Deny","Resource":"arn:aws:execute-api:*:*:local/*/POST/*"}]}}`,
			"POST", "/v1/events", 403, `{"Message":"User is not authorized to access this resource with an explicit deny"}`, "AccessDeniedException"},
		{"exact allow", policy("Allow", arn("POST", "/v1/events")), "POST", "/v1/events", 202, `{"ok":true}`, ""},
		{"wildcard allow", policy("Allow", "arn:aws:execute-api:us-east-1:000000000000:local/live/POST/v1/*"), "POST", "/v1/events", 202, `{"ok":true}`, ""},
		{"single character wildcard", policy("Allow", "arn:aws:execute-api:us-east-1:000000000000:local/l?ve/POST/v1/events"), "POST", "/v1/events", 202, `{"ok":true}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, testAPI(), tt.policy)
			w := do(f.srv, tt.method, tt.target, `{"a":1}`, "Authorization", bearer, "Content-Type", "application/json")
			assert.Equal(t, tt.status, w.Code)
			assert.JSONEq(t, tt.body, w.Body.String())
			assert.Equal(t, tt.errType, w.Header().Get("X-Amzn-Errortype"))
			ev := f.inv.last(t, authFn)
			assert.Equal(t, "REQUEST", ev["type"])
			assert.Equal(t, arn(tt.method, tt.target), ev["methodArn"])
			assert.Equal(t, bearer, ev["headers"].(map[string]any)["Authorization"])
		})
	}
}

// TestCachedPolicyTrap: API Gateway caches the policy per identity source
// for the TTL and applies the cached policy to every method it is asked
// about. A policy cached on GET /v1/messages must not open DELETE when it
// does not allow DELETE; and an authorizer that allows only the method it
// was called for locks the caller out of the second method until the TTL
// ends, exactly as AWS would ("Control access to REST APIs with Lambda
// authorizers", caching note).
func TestCachedPolicyTrap(t *testing.T) {
	t.Run("a cached deny keeps DELETE closed", func(t *testing.T) {
		pol := `{"principalId":"u","policyDocument":{"Version":"2012-10-17","Statement":[
			{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"` + arn("GET", "/v1/messages") + `"},
			{"Action":"execute-api:Invoke","Effect":"Deny","Resource":"` + arn("DELETE", "/v1/messages") + `"}]}}`
		f := newFixture(t, testAPI(), pol)
		w := do(f.srv, "GET", "/v1/messages", "", "Authorization", bearer)
		assert.Equal(t, http.StatusOK, w.Code, w.Body.String())
		w = do(f.srv, "DELETE", "/v1/messages?receiptHandle=x", "", "Authorization", bearer)
		assert.Equal(t, http.StatusForbidden, w.Code)
		assert.JSONEq(t, `{"Message":"User is not authorized to access this resource with an explicit deny"}`, w.Body.String())
		assert.Equal(t, 1, f.inv.count(authFn), "the second method used the cached policy")
	})
	t.Run("a policy for the first method only shuts the second", func(t *testing.T) {
		inv := &fakeInvoker{}
		inv.respond = func(_ context.Context, fn string, payload []byte) ([]byte, error) {
			ev := inv.last(t, authFn) // the event of this very call
			return []byte(policy("Allow", ev["methodArn"].(string))), nil
		}
		f := newFixtureWith(t, testAPI(), inv)
		w := do(f.srv, "GET", "/v1/messages", "", "Authorization", bearer)
		assert.Equal(t, http.StatusOK, w.Code, w.Body.String())
		w = do(f.srv, "DELETE", "/v1/messages?receiptHandle=x", "", "Authorization", bearer)
		assert.Equal(t, http.StatusForbidden, w.Code)
		assert.JSONEq(t, `{"Message":"User is not authorized to access this resource"}`, w.Body.String())
		assert.Equal(t, 1, f.inv.count(authFn))
		// Another identity is a different cache entry.
		w = do(f.srv, "DELETE", "/v1/messages?receiptHandle=x", "", "Authorization", bearer+"2")
		assert.NotEqual(t, http.StatusForbidden, w.Code)
		assert.Equal(t, 2, f.inv.count(authFn))
		// After the TTL the authorizer is asked again, for DELETE.
		f.clock.Advance(300e9)
		w = do(f.srv, "DELETE", "/v1/messages?receiptHandle=x", "", "Authorization", bearer)
		assert.NotEqual(t, http.StatusForbidden, w.Code)
		assert.Equal(t, 3, f.inv.count(authFn))
	})
}

// TestAuthorizerFailures: a missing identity source with caching on is 401
// without calling the authorizer; "Unauthorized" from the function is 401;
// any other failure or an invalid answer is 500 {"message":null} with
// AuthorizerConfigurationException
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html,
// https://repost.aws/knowledge-center/api-gateway-lambda-authorization-errors).
func TestAuthorizerFailures(t *testing.T) {
	unauthorized := `{"message":"Unauthorized"}`
	tests := []struct {
		name    string
		out     string
		err     error
		header  bool
		status  int
		body    string
		errType string
		invoked int
	}{
		{"no identity source", policy("Allow", "*"), nil, false, 401, unauthorized, "UnauthorizedException", 0},
		{"function says Unauthorized", `{"errorMessage":"Unauthorized","errorType":"errorString"}`, errors.New("function failed"), true, 401, unauthorized, "UnauthorizedException", 1},
		{"function fails otherwise", `{"errorMessage":"boom","errorType":"errorString"}`, errors.New("function failed"), true, 500, `{"message":null}`, "AuthorizerConfigurationException", 1},
		{"not a policy", `{"isAuthorized":true}`, nil, true, 500, `{"message":null}`, "AuthorizerConfigurationException", 1},
		{"nested context value", `{"principalId":"u","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"*"}]},"context":{"groups":["a"]}}`,
			nil, true, 500, `{"message":null}`, "AuthorizerConfigurationException", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := &fakeInvoker{respond: func(context.Context, string, []byte) ([]byte, error) { return []byte(tt.out), tt.err }}
			f := newFixtureWith(t, testAPI(), inv)
			var hdr []string
			if tt.header {
				hdr = []string{"Authorization", bearer}
			}
			w := do(f.srv, "POST", "/v1/events", `{}`, hdr...)
			assert.Equal(t, tt.status, w.Code)
			assert.JSONEq(t, tt.body, w.Body.String())
			assert.Equal(t, tt.errType, w.Header().Get("X-Amzn-Errortype"))
			assert.Equal(t, tt.invoked, inv.count(authFn))
		})
	}
}

// TestAuthorizerWithoutCacheIsCalledWithoutIdentity: with TTL 0 API
// Gateway calls the authorizer even when the identity source is missing.
func TestAuthorizerWithoutCacheIsCalledWithoutIdentity(t *testing.T) {
	api := testAPI()
	a := api.Authorizers["CognitoRequestAuthorizer"]
	a.ResultTTL = 0
	api.Authorizers["CognitoRequestAuthorizer"] = a
	f := newFixture(t, api, policy("Allow", "*"))
	w := do(f.srv, "POST", "/v1/events", `{}`)
	assert.Equal(t, 202, w.Code)
	do(f.srv, "POST", "/v1/events", `{}`)
	assert.Equal(t, 2, f.inv.count(authFn), "no caching with TTL 0")
	assert.Zero(t, f.srv.auths["CognitoRequestAuthorizer"].cache.Len(), "nothing is kept when caching is off")
}

// TestAuthorizerContextReachesIntegrations: the policy's context is
// $context.authorizer.* and requestContext.authorizer of the 1.0 event,
// with principalId.
func TestAuthorizerContextReachesIntegrations(t *testing.T) {
	pol := `{"principalId":"user-1","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"*"}]},
		"context":{"sub":"user-1","scope":"ingest/send","n":12345678901234567890,"ok":true}}`
	f := newFixture(t, testAPI(), pol)
	w := do(f.srv, "POST", "/v1/events", `{"a":1}`, "Authorization", bearer, "Content-Type", "application/json")
	require.Equal(t, 202, w.Code)
	ev := f.inv.last(t, "TransformerFunction")
	rc := ev["requestContext"].(map[string]any)
	assert.Equal(t, map[string]any{"principalId": "user-1", "sub": "user-1", "scope": "ingest/send", "n": "12345678901234567890", "ok": "true"}, rc["authorizer"])
}
