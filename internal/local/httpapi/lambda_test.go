package httpapi

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLambdaProxyResponses(t *testing.T) {
	tests := []struct {
		name        string
		version     string
		out         string
		err         error
		wantStatus  int
		wantBody    string
		wantHeaders map[string][]string
	}{
		{name: "function error", out: `{"errorMessage":"boom","errorType":"Error"}`, err: errors.New("Unhandled"), wantStatus: 500, wantBody: `{"message":"Internal Server Error"}`},
		{name: "not JSON", out: `not json`, wantStatus: 500, wantBody: `{"message":"Internal Server Error"}`},
		{name: "statusCode not a number", out: `{"statusCode":"abc"}`, wantStatus: 500, wantBody: `{"message":"Internal Server Error"}`},
		{name: "statusCode out of range", out: `{"statusCode":99}`, wantStatus: 500, wantBody: `{"message":"Internal Server Error"}`},
		{name: "body not base64", out: `{"statusCode":200,"body":"!!","isBase64Encoded":true}`, wantStatus: 500, wantBody: `{"message":"Internal Server Error"}`},
		{name: "headers not strings", out: `{"statusCode":200,"headers":{"a":1}}`, wantStatus: 500, wantBody: `{"message":"Internal Server Error"}`},
		{name: "1.0 needs statusCode", version: "1.0", out: `{"message":"hi"}`, wantStatus: 500, wantBody: `{"message":"Internal Server Error"}`},
		{
			name: "structured", out: `{"statusCode":202,"headers":{"content-type":"application/json","x-a":"1"},"multiValueHeaders":{"x-m":["1","2"]},"cookies":["a=1; Secure","b=2"],"body":"{\"messageId\":\"m\"}"}`,
			wantStatus: 202, wantBody: `{"messageId":"m"}`,
			wantHeaders: map[string][]string{"Content-Type": {"application/json"}, "X-A": {"1"}, "X-M": {"1", "2"}, "Set-Cookie": {"a=1; Secure", "b=2"}},
		},
		{name: "base64 body", out: `{"statusCode":200,"headers":{"content-type":"application/octet-stream"},"body":"AAEC","isBase64Encoded":true}`, wantStatus: 200, wantBody: "\x00\x01\x02"},
		{name: "no content-type defaults to json", out: `{"statusCode":204}`, wantStatus: 204, wantBody: "", wantHeaders: map[string][]string{"Content-Type": {"application/json"}}},
		{name: "inferred from object", out: `{"message":"hello"}`, wantStatus: 200, wantBody: `{"message":"hello"}`, wantHeaders: map[string][]string{"Content-Type": {"application/json"}}},
		{name: "inferred from string", out: `"Hello from Lambda!"`, wantStatus: 200, wantBody: `Hello from Lambda!`},
		{name: "inferred from array", out: `[1,2]`, wantStatus: 200, wantBody: `[1,2]`},
		{name: "inferred from null", out: `null`, wantStatus: 200, wantBody: `null`},
		{name: "1.0 structured", version: "1.0", out: `{"statusCode":201,"body":"ok","cookies":["ignored=1"]}`, wantStatus: 201, wantBody: "ok", wantHeaders: map[string][]string{"Set-Cookie": nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := &fakeInvoker{respond: func(context.Context, string, []byte) ([]byte, error) { return []byte(tt.out), tt.err }}
			rt := lambdaRoute("GET", "/f", "F")
			rt.Integration.PayloadFormatVersion = tt.version
			s := newTestServer(t, baseConfig(rt), Options{Invoker: inv})
			w := do(s, "GET", "/f", "")
			assert.Equal(t, tt.wantStatus, w.Code)
			assert.Equal(t, tt.wantBody, w.Body.String())
			assert.Equal(t, "JKJaXmPLvHcESHA=", w.Header().Get("Apigw-Requestid"))
			for k, v := range tt.wantHeaders {
				assert.Equal(t, v, w.Header().Values(k), k)
			}
		})
	}
}

func TestIntegrationTimeout(t *testing.T) {
	inv := &fakeInvoker{respond: func(ctx context.Context, _ string, _ []byte) ([]byte, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}}
	rt := lambdaRoute("GET", "/slow", "Slow")
	rt.Integration.Timeout = 50 * time.Millisecond
	s := newTestServer(t, baseConfig(rt), Options{Invoker: inv})
	w := do(s, "GET", "/slow", "")
	assert.Equal(t, http.StatusServiceUnavailable, w.Code)
	assert.JSONEq(t, `{"message":"Service Unavailable"}`, w.Body.String())
}

func TestIntegrationTimeoutWithoutContext(t *testing.T) {
	release := make(chan struct{})
	var finished atomic.Bool
	inv := &fakeInvoker{respond: func(context.Context, string, []byte) ([]byte, error) {
		select { // ignores ctx, like a function running on to its own timeout
		case <-release:
		case <-time.After(5 * time.Second):
		}
		finished.Store(true)
		return []byte(`{"statusCode":200}`), nil
	}}
	rt := lambdaRoute("GET", "/slow", "Slow")
	rt.Integration.Timeout = 50 * time.Millisecond
	s := newTestServer(t, baseConfig(rt), Options{Invoker: inv})
	w := do(s, "GET", "/slow", "")
	assert.False(t, finished.Load(), "API Gateway answers at its timeout, not the function's")
	close(release)
	assert.Equal(t, http.StatusServiceUnavailable, w.Code)
}

func TestRequestLimits(t *testing.T) {
	inv := &fakeInvoker{respond: answer(`{"statusCode":200}`)}
	s := newTestServer(t, baseConfig(lambdaRoute("POST", "/in", "F")), Options{Invoker: inv})
	big := make([]byte, MaxBodyBytes+1)
	w := do(s, "POST", "/in", string(big), "Content-Type", "application/octet-stream")
	assert.Equal(t, http.StatusRequestEntityTooLarge, w.Code)
	assert.JSONEq(t, `{"message":"Request Entity Too Large"}`, w.Body.String())
	w = do(s, "POST", "/in", "x", "X-Big", string(make([]byte, MaxHeaderBytes)))
	assert.Equal(t, http.StatusRequestEntityTooLarge, w.Code)
	assert.Equal(t, 0, inv.count("F"), "oversized requests never reach the function")
	w = do(s, "POST", "/in", string(big[:MaxBodyBytes]), "Content-Type", "application/octet-stream")
	require.Equal(t, http.StatusOK, w.Code, "exactly 10 MB is accepted")
}
