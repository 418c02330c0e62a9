package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewRejects(t *testing.T) {
	inv := &fakeInvoker{}
	sqsRoute := func(subtype string, params map[string]string) Route {
		return Route{Method: "POST", Path: "/q", Integration: Integration{Type: "sqs", Subtype: subtype, RequestParameters: params}}
	}
	withAuth := func(a Authorizer, r Route) Config {
		cfg := baseConfig(r)
		cfg.Authorizers = map[string]Authorizer{"A": a}
		return cfg
	}
	authed := lambdaRoute("GET", "/x", "F")
	authed.Authorizer = "A"
	tests := []struct {
		name    string
		cfg     Config
		opts    Options
		wantMsg string
	}{
		{"missing api id", Config{Region: "us-east-1", AccountID: "1"}, Options{}, "APIID, Region and AccountID"},
		{"unknown authorizer", withAuth(Authorizer{Type: "lambda", Function: "A"}, func() Route { r := authed; r.Authorizer = "Nope"; return r }()), Options{Invoker: inv}, `route GET /x: authorizer "Nope" is not defined`},
		{"authorizer type", withAuth(Authorizer{Type: "iam"}, authed), Options{Invoker: inv}, `authorizer A: authorizer type "iam"`},
		{"authorizer payload 1.0", withAuth(Authorizer{Type: "lambda", Function: "A", PayloadFormatVersion: "1.0"}, authed), Options{Invoker: inv}, "authorizer payload format"},
		{"cache without identity", withAuth(Authorizer{Type: "lambda", Function: "A", ResultTTL: time.Minute}, authed), Options{Invoker: inv}, "identity source"},
		{"ttl over an hour", withAuth(Authorizer{Type: "lambda", Function: "A", ResultTTL: 2 * time.Hour, IdentitySource: []string{"$request.header.a"}}, authed), Options{Invoker: inv}, "ResultTTL"},
		{"identity source body", withAuth(Authorizer{Type: "lambda", Function: "A", IdentitySource: []string{"$request.body.token"}}, authed), Options{Invoker: inv}, "identity source"},
		{"jwt without issuer", withAuth(Authorizer{Type: "jwt", JWKSURL: "http://x", JWTAudience: []string{"a"}}, authed), Options{Invoker: inv}, "JWTIssuer"},
		{"scopes on lambda authorizer", withAuth(Authorizer{Type: "lambda", Function: "A"}, func() Route { r := authed; r.AuthorizationScopes = []string{"s"}; return r }()), Options{Invoker: inv}, "AuthorizationScopes apply only to jwt"},
		{"bad method", baseConfig(lambdaRoute("FETCH", "/x", "F")), Options{Invoker: inv}, `method "FETCH"`},
		{"bad path", baseConfig(lambdaRoute("GET", "/{proxy+}/x", "F")), Options{Invoker: inv}, "greedy"},
		{"duplicate route", baseConfig(lambdaRoute("GET", "/a/{x}", "F"), lambdaRoute("GET", "/a/{y}", "G")), Options{Invoker: inv}, "route GET /a/{y}: duplicate route"},
		{"integration type", baseConfig(Route{Method: "GET", Path: "/x", Integration: Integration{Type: "http"}}), Options{Invoker: inv}, `integration type "http"`},
		{"payload version", baseConfig(Route{Method: "GET", Path: "/x", Integration: Integration{Type: "lambda", Function: "F", PayloadFormatVersion: "3.0"}}), Options{Invoker: inv}, `payload format version "3.0"`},
		{"lambda with parameter mapping", baseConfig(Route{Method: "GET", Path: "/x", Integration: Integration{Type: "lambda", Function: "F", RequestParameters: map[string]string{"overwrite:header.x": "y"}}}), Options{Invoker: inv}, "parameter mapping is not emulated"},
		{"timeout over 30s", baseConfig(Route{Method: "GET", Path: "/x", Integration: Integration{Type: "lambda", Function: "F", Timeout: time.Minute}}), Options{Invoker: inv}, "timeout"},
		{"no invoker", baseConfig(lambdaRoute("GET", "/x", "F")), Options{}, "Options.Invoker is nil"},
		{"unsupported subtype", baseConfig(sqsRoute("SQS-SendMessageBatch", map[string]string{"QueueUrl": "q"})), Options{SQS: nopSQS{}}, `route POST /q: integration subtype "SQS-SendMessageBatch" is not supported`},
		{"eventbridge subtype", baseConfig(sqsRoute("EventBridge-PutEvents", nil)), Options{SQS: nopSQS{}}, "EventBridge-PutEvents"},
		{"missing required parameter", baseConfig(sqsRoute("SQS-SendMessage", map[string]string{"QueueUrl": "q"})), Options{SQS: nopSQS{}}, "needs parameter MessageBody"},
		{"unknown parameter", baseConfig(sqsRoute("SQS-PurgeQueue", map[string]string{"QueueUrl": "q", "MessageBody": "x"})), Options{SQS: nopSQS{}}, `takes no parameter "MessageBody"`},
		{"bad mapping", baseConfig(sqsRoute("SQS-SendMessage", map[string]string{"QueueUrl": "q", "MessageBody": "$request.body..x"})), Options{SQS: nopSQS{}}, "route POST /q: parameter MessageBody: unsupported mapping expression"},
		{"sqs with payload 2.0", baseConfig(Route{Method: "POST", Path: "/q", Integration: Integration{Type: "sqs", Subtype: "SQS-PurgeQueue", PayloadFormatVersion: "2.0", RequestParameters: map[string]string{"QueueUrl": "q"}}}), Options{SQS: nopSQS{}}, "payload format 1.0"},
		{"no sqs client", baseConfig(sqsRoute("SQS-PurgeQueue", map[string]string{"QueueUrl": "q"})), Options{}, "Options.SQS is nil"},
		{"cors credentials with any origin", func() Config {
			c := baseConfig(lambdaRoute("GET", "/x", "F"))
			c.Cors = &Cors{AllowOrigins: []string{"*"}, AllowCredentials: true}
			return c
		}(), Options{Invoker: inv}, "AllowCredentials"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg, tt.opts)
			require.ErrorIs(t, err, ErrInvalidConfig)
			assert.Contains(t, err.Error(), tt.wantMsg)
		})
	}
}

func TestCORS(t *testing.T) {
	cfg := baseConfig(lambdaRoute("POST", "/v1/events", "F"))
	cfg.Routes[0].Authorizer = "A"
	cfg.Authorizers = map[string]Authorizer{"A": {Type: "lambda", Function: "Auth", EnableSimpleResponses: true, IdentitySource: []string{"$request.header.Authorization"}}}
	cfg.Cors = &Cors{
		AllowOrigins: []string{"https://app.example.com"}, AllowMethods: []string{"GET", "POST"},
		AllowHeaders: []string{"Authorization", "Content-Type"}, ExposeHeaders: []string{"X-Request-Id"},
		AllowCredentials: true, MaxAge: 600,
	}
	inv := &fakeInvoker{respond: func(_ context.Context, fn string, _ []byte) ([]byte, error) {
		if fn == "Auth" {
			return []byte(`{"isAuthorized":true}`), nil
		}
		return []byte(`{"statusCode":200,"headers":{"Access-Control-Allow-Origin":"*"},"body":"ok"}`), nil
	}}
	s := newTestServer(t, cfg, Options{Invoker: inv})
	tests := []struct {
		name        string
		method      string
		headers     []string
		wantStatus  int
		wantHeaders map[string]string
	}{
		{"preflight from other origin", "OPTIONS", []string{"Origin", "https://evil.example", "Access-Control-Request-Method", "POST"}, 204,
			map[string]string{"Access-Control-Allow-Origin": "", "Access-Control-Allow-Methods": ""}},
		{"preflight for disallowed method", "OPTIONS", []string{"Origin", "https://app.example.com", "Access-Control-Request-Method", "DELETE"}, 204,
			map[string]string{"Access-Control-Allow-Origin": ""}},
		{"preflight for disallowed header", "OPTIONS", []string{"Origin", "https://app.example.com", "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "X-Secret"}, 204,
			map[string]string{"Access-Control-Allow-Origin": ""}},
		{"actual request from other origin", "POST", []string{"Origin", "https://evil.example", "Authorization", "t"}, 200,
			map[string]string{"Access-Control-Allow-Origin": "", "Access-Control-Allow-Credentials": ""}},
		{"preflight allowed, no auth needed", "OPTIONS", []string{"Origin", "https://app.example.com", "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization, content-type"}, 204,
			map[string]string{"Access-Control-Allow-Origin": "https://app.example.com", "Access-Control-Allow-Methods": "GET,POST",
				"Access-Control-Allow-Headers": "authorization,content-type", "Access-Control-Max-Age": "600", "Access-Control-Allow-Credentials": "true"}},
		{"actual request from allowed origin", "POST", []string{"Origin", "https://app.example.com", "Authorization", "t"}, 200,
			map[string]string{"Access-Control-Allow-Origin": "https://app.example.com", "Access-Control-Allow-Credentials": "true", "Access-Control-Expose-Headers": "x-request-id"}},
		{"error responses carry CORS headers too", "POST", []string{"Origin", "https://app.example.com"}, 401,
			map[string]string{"Access-Control-Allow-Origin": "https://app.example.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(s, tt.method, "/v1/events", "", tt.headers...)
			assert.Equal(t, tt.wantStatus, w.Code)
			for k, v := range tt.wantHeaders {
				assert.Equal(t, v, w.Header().Get(k), k)
			}
		})
	}

	t.Run("preflights never reach the authorizer", func(t *testing.T) {
		before := inv.count("Auth")
		do(s, "OPTIONS", "/v1/events", "", "Origin", "https://app.example.com", "Access-Control-Request-Method", "POST")
		assert.Equal(t, before, inv.count("Auth"))
	})
}

func TestAccessLog(t *testing.T) {
	var buf bytes.Buffer
	inv := &fakeInvoker{respond: answer(`{"statusCode":202,"body":"accepted"}`)}
	s := newTestServer(t, baseConfig(lambdaRoute("POST", "/webhooks/github", "F")), Options{Invoker: inv, AccessLog: &buf})
	do(s, "POST", "/webhooks/github", "{}", "Content-Type", "application/json")
	do(s, "GET", "/nowhere", "")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.Len(t, lines, 2)
	var first, second map[string]string
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &first))
	require.NoError(t, json.Unmarshal([]byte(lines[1]), &second))
	assert.Equal(t, map[string]string{
		"requestId": "JKJaXmPLvHcESHA=", "ip": "203.0.113.7", "requestTime": "22/Nov/2026:00:00:00 +0000",
		"httpMethod": "POST", "routeKey": "POST /webhooks/github", "status": "202", "protocol": "HTTP/1.1",
		"responseLength": "8", "integrationError": "-", "authorizerError": "-", "integrationLatency": "0",
	}, first)
	assert.Equal(t, "404", second["status"])
	assert.Equal(t, "-", second["routeKey"])
	assert.Equal(t, "-", second["integrationLatency"])
}

func TestExtraHandler(t *testing.T) {
	extra := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`{"keys":[]}`)) })
	s := newTestServer(t, baseConfig(Route{Path: "$default", Integration: Integration{Type: "lambda", Function: "F"}}), Options{Invoker: &fakeInvoker{}, Extra: extra})
	w := do(s, "GET", "/.sqsgate/dev-issuer/.well-known/jwks.json", "")
	assert.Equal(t, 200, w.Code)
	assert.Equal(t, `{"keys":[]}`, w.Body.String())
}

func TestAccessLogKeepsAuthorizerOutputOut(t *testing.T) {
	var buf bytes.Buffer
	inv := authInvoker(`{"errorMessage":"token abc.def.ghi rejected"}`, errors.New(`Unhandled: {"errorMessage":"token abc.def.ghi rejected"}`))
	s := newTestServer(t, authConfig(Authorizer{EnableSimpleResponses: true}), Options{Invoker: inv, AccessLog: &buf})
	w := do(s, "POST", "/v1/events", "", "Authorization", "abc.def.ghi")
	require.Equal(t, http.StatusInternalServerError, w.Code)
	var line map[string]string
	require.NoError(t, json.Unmarshal(buf.Bytes(), &line))
	assert.Equal(t, "authorizer CognitoAuthorizer failed or answered with an invalid response", line["authorizerError"])
	assert.NotContains(t, buf.String(), "abc.def.ghi")
	assert.NotContains(t, w.Body.String(), "abc.def.ghi")
}
