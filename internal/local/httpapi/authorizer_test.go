package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sqsgate/sqsgate/internal/fakeclock"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const authFn = "AuthorizerFunction"

// authConfig is an API with one Lambda authorizer in front of two routes.
func authConfig(a Authorizer) Config {
	cfg := baseConfig(
		Route{Method: "POST", Path: "/v1/events", Authorizer: "CognitoAuthorizer", Integration: Integration{Type: "lambda", Function: "TransformerFunction"}},
		Route{Method: "GET", Path: "/v1/items/{id}", Authorizer: "CognitoAuthorizer", Integration: Integration{Type: "lambda", Function: "TransformerFunction"}},
	)
	if a.Type == "" {
		a.Type = "lambda"
	}
	if a.Function == "" {
		a.Function = authFn
	}
	if a.IdentitySource == nil {
		a.IdentitySource = []string{"$request.header.Authorization"}
	}
	cfg.Authorizers = map[string]Authorizer{"CognitoAuthorizer": a}
	return cfg
}

// authInvoker answers the authorizer with authOut and the integration 200.
func authInvoker(authOut string, authErr error) *fakeInvoker {
	return &fakeInvoker{respond: func(_ context.Context, fn string, _ []byte) ([]byte, error) {
		if fn == authFn {
			return []byte(authOut), authErr
		}
		return []byte(`{"statusCode":200,"body":"ok"}`), nil
	}}
}

func TestLambdaAuthorizerRequestGolden(t *testing.T) {
	inv := authInvoker(`{"isAuthorized":true}`, nil)
	s := newTestServer(t, authConfig(Authorizer{EnableSimpleResponses: true}), Options{Invoker: inv})
	w := do(s, "GET", "/v1/items/42?x=1&x=2", "", "Authorization", "Bearer tok", "Cookie", "s=1", "User-Agent", "test/1")
	require.Equal(t, http.StatusOK, w.Code)
	got := inv.calls[authFn][0]
	assert.JSONEq(t, readGolden(t, "authorizer-request-v2.json"), string(got))
	var req events.APIGatewayV2CustomAuthorizerV2Request
	require.NoError(t, json.Unmarshal(got, &req))
	assert.Equal(t, "arn:aws:execute-api:us-east-1:000000000000:abc123defg/$default/GET/v1/items/42", req.RouteArn)
	assert.NotContains(t, string(got), `"body"`, "authorizers never receive the body")
}

func TestLambdaAuthorizerOutcomes(t *testing.T) {
	tests := []struct {
		name       string
		simple     bool
		out        string
		err        error
		headers    []string
		target     string
		wantStatus int
		wantBody   string
		wantCalls  int
		wantCtx    map[string]any
	}{
		{name: "missing identity source", simple: true, out: `{"isAuthorized":true}`, headers: nil, wantStatus: 401, wantBody: `{"message":"Unauthorized"}`, wantCalls: 0},
		{name: "empty identity source", simple: true, out: `{"isAuthorized":true}`, headers: []string{"Authorization", ""}, wantStatus: 401, wantBody: `{"message":"Unauthorized"}`, wantCalls: 0},
		{name: "simple deny", simple: true, out: `{"isAuthorized":false}`, wantStatus: 403, wantBody: `{"message":"Forbidden"}`, wantCalls: 1},
		{name: "authorizer error", simple: true, out: `{"errorMessage":"x"}`, err: errors.New("Unhandled"), wantStatus: 500, wantBody: `{"message":"Internal Server Error"}`, wantCalls: 1},
		{name: "simple without isAuthorized", simple: true, out: `{"context":{}}`, wantStatus: 500, wantBody: `{"message":"Internal Server Error"}`, wantCalls: 1},
		{name: "simple not JSON", simple: true, out: `nope`, wantStatus: 500, wantBody: `{"message":"Internal Server Error"}`, wantCalls: 1},
		{name: "IAM without policy", out: `{"principalId":"u"}`, wantStatus: 500, wantBody: `{"message":"Internal Server Error"}`, wantCalls: 1},
		{name: "IAM bad effect", out: `{"principalId":"u","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Maybe","Resource":"*"}]}}`, wantStatus: 500, wantBody: `{"message":"Internal Server Error"}`, wantCalls: 1},
		{name: "IAM explicit deny wins", out: `{"principalId":"u","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"*"},{"Action":"execute-api:Invoke","Effect":"Deny","Resource":"arn:aws:execute-api:us-east-1:000000000000:abc123defg/*/POST/v1/events"}]}}`, wantStatus: 403, wantBody: `{"message":"Forbidden"}`, wantCalls: 1},
		{name: "IAM allow for another route", out: `{"principalId":"u","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":["arn:aws:execute-api:us-east-1:000000000000:abc123defg/$default/GET/*"]}]}}`, wantStatus: 403, wantBody: `{"message":"Forbidden"}`, wantCalls: 1},
		{name: "IAM empty policy denies", out: `{"principalId":"u","policyDocument":{"Version":"2012-10-17","Statement":[]}}`, wantStatus: 403, wantBody: `{"message":"Forbidden"}`, wantCalls: 1},
		{name: "simple allow with context", simple: true, out: `{"isAuthorized":true,"context":{"sub":"user-1","n":3,"ok":true}}`, wantStatus: 200, wantBody: "ok", wantCalls: 1, wantCtx: map[string]any{"sub": "user-1", "n": float64(3), "ok": true}},
		{name: "IAM allow with wildcard", out: `{"principalId":"user-1","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:*","Effect":"Allow","Resource":"arn:aws:execute-api:us-east-1:000000000000:abc123defg/*/POST/v1/*"}]},"context":{"tenant":"acme"}}`, wantStatus: 200, wantBody: "ok", wantCalls: 1, wantCtx: map[string]any{"tenant": "acme"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := authInvoker(tt.out, tt.err)
			s := newTestServer(t, authConfig(Authorizer{EnableSimpleResponses: tt.simple}), Options{Invoker: inv})
			headers := tt.headers
			if headers == nil && tt.name != "missing identity source" {
				headers = []string{"Authorization", "Bearer tok"}
			}
			w := do(s, "POST", "/v1/events", `{"a":1}`, append(headers, "Content-Type", "application/json")...)
			assert.Equal(t, tt.wantStatus, w.Code)
			assert.Equal(t, tt.wantBody, w.Body.String())
			assert.Equal(t, tt.wantCalls, inv.count(authFn))
			if tt.wantCtx != nil {
				ev := inv.last(t, "TransformerFunction")
				assert.Equal(t, map[string]any{"lambda": tt.wantCtx}, ev["requestContext"].(map[string]any)["authorizer"])
			} else {
				assert.Equal(t, 0, inv.count("TransformerFunction"))
			}
		})
	}
}

func TestLambdaAuthorizerCaching(t *testing.T) {
	clock := fakeclock.New(fixedTime)

	t.Run("ttl 0 invokes every time", func(t *testing.T) {
		inv := authInvoker(`{"isAuthorized":true}`, nil)
		s := newTestServer(t, authConfig(Authorizer{EnableSimpleResponses: true}), Options{Invoker: inv, Now: clock.Now})
		for range 3 {
			require.Equal(t, 200, do(s, "POST", "/v1/events", "", "Authorization", "a").Code)
		}
		assert.Equal(t, 3, inv.count(authFn))
	})
	t.Run("cached by identity source until the TTL expires", func(t *testing.T) {
		inv := authInvoker(`{"isAuthorized":true}`, nil)
		s := newTestServer(t, authConfig(Authorizer{EnableSimpleResponses: true, ResultTTL: 300 * time.Second}), Options{Invoker: inv, Now: clock.Now})
		do(s, "POST", "/v1/events", "", "Authorization", "a")
		do(s, "GET", "/v1/items/1", "", "Authorization", "a") // another route, same identity: cached
		assert.Equal(t, 1, inv.count(authFn))
		do(s, "POST", "/v1/events", "", "Authorization", "b")
		assert.Equal(t, 2, inv.count(authFn), "another token is another cache entry")
		clock.Advance(299 * time.Second)
		do(s, "POST", "/v1/events", "", "Authorization", "a")
		assert.Equal(t, 2, inv.count(authFn))
		clock.Advance(time.Second)
		do(s, "POST", "/v1/events", "", "Authorization", "a")
		assert.Equal(t, 3, inv.count(authFn), "expired at exactly the TTL")
	})
	t.Run("denials are cached too", func(t *testing.T) {
		inv := authInvoker(`{"isAuthorized":false}`, nil)
		s := newTestServer(t, authConfig(Authorizer{EnableSimpleResponses: true, ResultTTL: time.Minute}), Options{Invoker: inv, Now: clock.Now})
		assert.Equal(t, 403, do(s, "POST", "/v1/events", "", "Authorization", "a").Code)
		assert.Equal(t, 403, do(s, "POST", "/v1/events", "", "Authorization", "a").Code)
		assert.Equal(t, 1, inv.count(authFn))
	})
	t.Run("errors are not cached", func(t *testing.T) {
		inv := authInvoker(`{}`, errors.New("Unhandled"))
		s := newTestServer(t, authConfig(Authorizer{EnableSimpleResponses: true, ResultTTL: time.Minute}), Options{Invoker: inv, Now: clock.Now})
		do(s, "POST", "/v1/events", "", "Authorization", "a")
		do(s, "POST", "/v1/events", "", "Authorization", "a")
		assert.Equal(t, 2, inv.count(authFn))
	})
	t.Run("routeKey as identity source caches per route", func(t *testing.T) {
		inv := authInvoker(`{"isAuthorized":true}`, nil)
		cfg := authConfig(Authorizer{EnableSimpleResponses: true, ResultTTL: time.Minute, IdentitySource: []string{"$request.header.Authorization", "$context.routeKey"}})
		s := newTestServer(t, cfg, Options{Invoker: inv, Now: clock.Now})
		do(s, "POST", "/v1/events", "", "Authorization", "a")
		do(s, "GET", "/v1/items/1", "", "Authorization", "a")
		do(s, "GET", "/v1/items/2", "", "Authorization", "a")
		assert.Equal(t, 2, inv.count(authFn))
	})
	t.Run("cached IAM policy is evaluated per route", func(t *testing.T) {
		inv := authInvoker(`{"principalId":"u","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"arn:aws:execute-api:*:*:*/*/GET/*"}]}}`, nil)
		s := newTestServer(t, authConfig(Authorizer{ResultTTL: time.Minute}), Options{Invoker: inv, Now: clock.Now})
		assert.Equal(t, 200, do(s, "GET", "/v1/items/1", "", "Authorization", "a").Code)
		assert.Equal(t, 403, do(s, "POST", "/v1/events", "", "Authorization", "a").Code)
		assert.Equal(t, 1, inv.count(authFn))
	})
}

// TestLambdaAuthorizerCacheEvictsLeastRecentlyUsed: when the result cache is
// full, a new identity pushes out the least recently used decision, not the
// decisions in use (it used to clear the whole cache).
func TestLambdaAuthorizerCacheEvictsLeastRecentlyUsed(t *testing.T) {
	var mu sync.Mutex
	calls := map[string]int{}
	inv := &fakeInvoker{respond: func(_ context.Context, fn string, payload []byte) ([]byte, error) {
		if fn == authFn {
			var req events.APIGatewayV2CustomAuthorizerV2Request
			if err := json.Unmarshal(payload, &req); err != nil {
				return nil, err
			}
			mu.Lock()
			calls[strings.Join(req.IdentitySource, ",")]++
			mu.Unlock()
			return []byte(`{"isAuthorized":true}`), nil
		}
		return []byte(`{"statusCode":200,"body":"ok"}`), nil
	}}
	s := newTestServer(t, authConfig(Authorizer{EnableSimpleResponses: true, ResultTTL: 300 * time.Second}), Options{Invoker: inv})
	send := func(identity string) {
		t.Helper()
		require.Equal(t, http.StatusOK, do(s, "POST", "/v1/events", "", "Authorization", identity).Code)
	}
	callsFor := func(identity string) int {
		mu.Lock()
		defer mu.Unlock()
		return calls[identity]
	}

	send("in-use")
	for i := range maxCacheEntries - 1 { // the cache is now full
		send(fmt.Sprintf("idle-%d", i))
	}
	send("in-use") // recently used again: now the most recent entry
	require.Equal(t, 1, callsFor("in-use"), "served from the cache")
	send("newcomer") // one entry over: the least recently used one goes

	send("in-use")
	assert.Equal(t, 1, callsFor("in-use"), "the recently used decision survived")
	send("idle-1")
	assert.Equal(t, 1, callsFor("idle-1"), "an entry newer than the least recently used one survived")
	send("idle-0")
	assert.Equal(t, 2, callsFor("idle-0"), "the least recently used decision was evicted")
}

// TestAuthCacheLRU drives the cache directly with a small bound: reads
// refresh recency, a rewrite refreshes it too, expired entries are gone.
func TestAuthCacheLRU(t *testing.T) {
	now := fixedTime
	later := now.Add(time.Minute)
	allow := &authDecision{simple: true, allowed: true}
	deny := &authDecision{simple: true}
	c := &authCache{Max: 3}
	c.Put("a", allow, later)
	c.Put("b", allow, later)
	c.Put("c", allow, later)
	require.NotNil(t, c.Get("a", now)) // order, most recent first: a c b
	c.Put("d", allow, later)           // evicts b
	assert.Nil(t, c.Get("b", now))
	c.Put("c", deny, later)  // rewrite: c d a
	c.Put("e", allow, later) // evicts a
	assert.Nil(t, c.Get("a", now))
	assert.Same(t, deny, c.Get("c", now))
	assert.NotNil(t, c.Get("d", now))
	assert.NotNil(t, c.Get("e", now))
	assert.Nil(t, c.Get("e", later), "expired at exactly its expiry")
	assert.Equal(t, 2, c.Len())
}
