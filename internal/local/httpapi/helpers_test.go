package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fixedTime is the clock every test starts from.
var fixedTime = time.Date(2026, time.November, 22, 0, 0, 0, 0, time.UTC)

// fakeInvoker records payloads per function and answers with respond.
type fakeInvoker struct {
	mu      sync.Mutex
	calls   map[string][][]byte
	respond func(ctx context.Context, function string, payload []byte) ([]byte, error)
}

func (f *fakeInvoker) Invoke(ctx context.Context, function string, payload []byte) ([]byte, error) {
	f.mu.Lock()
	if f.calls == nil {
		f.calls = map[string][][]byte{}
	}
	f.calls[function] = append(f.calls[function], payload)
	f.mu.Unlock()
	return f.respond(ctx, function, payload)
}

func (f *fakeInvoker) count(function string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls[function])
}

func (f *fakeInvoker) last(t *testing.T, function string) map[string]any {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	calls := f.calls[function]
	require.NotEmpty(t, calls, "function %s was not invoked", function)
	var m map[string]any
	require.NoError(t, json.Unmarshal(calls[len(calls)-1], &m))
	return m
}

// answer returns a respond func giving the same output to every call.
func answer(out string) func(context.Context, string, []byte) ([]byte, error) {
	return func(context.Context, string, []byte) ([]byte, error) { return []byte(out), nil }
}

func baseConfig(routes ...Route) Config {
	return Config{APIID: "abc123defg", Region: "us-east-1", AccountID: "000000000000", Routes: routes}
}

func lambdaRoute(method, path, fn string) Route {
	return Route{Method: method, Path: path, Integration: Integration{Type: "lambda", Function: fn}}
}

// newTestServer builds a Server with a fixed clock and request ids.
func newTestServer(t *testing.T, cfg Config, opts Options) *Server {
	t.Helper()
	if opts.Now == nil {
		opts.Now = func() time.Time { return fixedTime }
	}
	if opts.NewRequestID == nil {
		opts.NewRequestID = func() string { return "JKJaXmPLvHcESHA=" }
	}
	s, err := New(cfg, opts)
	require.NoError(t, err)
	return s
}

// do sends one request through s and returns the recorded response.
func do(s http.Handler, method, target string, body string, headers ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	if body == "" {
		r = httptest.NewRequest(method, target, nil)
	}
	r.RemoteAddr = "203.0.113.7:51234"
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Add(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	return w
}

// nopSQS satisfies SQSAPI for configuration tests that never call it.
type nopSQS struct{ SQSAPI }
