package httpapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sqsgate/sqsgate/internal/benchcmp"
)

// BenchmarkServeVsBare measures the emulator's own work per request
// (routing, authorizer cache, 2.0 event building and JSON encoding,
// response parsing, access log) against a bare handler that writes the
// same response, in the same run, and reports the ratio. The Lambda call
// itself is a canned in-process answer, so only emulator overhead counts.
func BenchmarkServeVsBare(b *testing.B) {
	const body = `{"action":"opened","repository":{"full_name":"octo/hello"},"sender":{"login":"octo"}}`
	const out = `{"statusCode":202,"headers":{"content-type":"application/json"},"body":"{\"messageId\":\"m-1\"}"}`
	inv := &benchInvoker{out: []byte(out)}
	routes := []Route{
		lambdaRoute("POST", "/webhooks/github", "WebhookFunction"),
		lambdaRoute("POST", "/webhooks/paddle", "WebhookFunction"),
		{Method: "POST", Path: "/v1/events", Authorizer: "A", Integration: Integration{Type: "lambda", Function: "TransformerFunction"}},
		lambdaRoute("GET", "/v1/items/{id}", "F"),
		lambdaRoute("ANY", "/{proxy+}", "F"),
	}
	cfg := baseConfig(routes...)
	cfg.Authorizers = map[string]Authorizer{"A": {Type: "lambda", Function: "Auth", EnableSimpleResponses: true,
		IdentitySource: []string{"$request.header.Authorization"}, ResultTTL: time.Hour}}
	emu, err := New(cfg, Options{Invoker: inv, AccessLog: discard{}})
	if err != nil {
		b.Fatal(err)
	}
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		buf := make([]byte, len(body))
		_, _ = r.Body.Read(buf)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		_, _ = w.Write([]byte(`{"messageId":"m-1"}`))
	})
	cases := []struct {
		name, path string
		headers    []string
	}{
		{"webhook", "/webhooks/github", []string{"Content-Type", "application/json", "X-GitHub-Event", "pull_request", "X-Hub-Signature-256", "sha256=00"}},
		{"cached-authorizer", "/v1/events", []string{"Content-Type", "application/json", "Authorization", "Bearer token"}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			serve := func(h http.Handler) func() {
				return func() {
					r := httptest.NewRequest("POST", c.path, strings.NewReader(body))
					for i := 0; i+1 < len(c.headers); i += 2 {
						r.Header.Set(c.headers[i], c.headers[i+1])
					}
					w := httptest.NewRecorder()
					h.ServeHTTP(w, r)
					if w.Code != http.StatusAccepted {
						b.Fatalf("status %d: %s", w.Code, w.Body.String())
					}
				}
			}
			benchcmp.Ratio(b, serve(emu), map[string]func(){"bare": serve(bare)})
		})
	}
}

type benchInvoker struct{ out []byte }

func (i *benchInvoker) Invoke(_ context.Context, fn string, _ []byte) ([]byte, error) {
	if fn == "Auth" {
		return []byte(`{"isAuthorized":true,"context":{"sub":"u"}}`), nil
	}
	return i.out, nil
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
