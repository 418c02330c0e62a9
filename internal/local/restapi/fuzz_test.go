package restapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// FuzzServe sends arbitrary methods, paths, queries, headers and bodies
// through the emulator (routing, the authorizer event, validation against
// the SendBatch model, templates, the 1.0 event): it must always answer
// with a status and never panic.
func FuzzServe(f *testing.F) {
	f.Add("POST", "/v1/messages/batch", "a=1", "application/json", `[{"body":"x"}]`)
	f.Add("GET", "/v1/send", "MessageBody=%zz&&=", "", "")
	f.Add("POST", "/webhooks/github", "", "application/octet-stream", "\x00\xff")
	f.Add("DELETE", "/v1/messages/%2e%2e/x", "receiptHandle=", "text/plain", "{")
	f.Add("ANY", "//", "", ";;", "")
	inv := &fakeInvoker{respond: func(_ context.Context, fn string, _ []byte) ([]byte, error) {
		if fn == authFn {
			return []byte(policy("Allow", "*")), nil
		}
		return []byte(`{"statusCode":200,"body":"ok"}`), nil
	}}
	srv, err := New(validatedAPI(), Options{Invoker: inv, SQSEndpoint: "http://127.0.0.1:1", Region: "us-east-1", AccountID: testAccount,
		HTTPClient: nil, Now: func() time.Time { return fixedTime }})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, method, path, query, ct, body string) {
		r, err := http.NewRequest(method, "http://localhost"+path+"?"+query, strings.NewReader(body))
		if err != nil || r.URL.Path == "" {
			return // not a request a server would parse
		}
		r.RequestURI = r.URL.RequestURI()
		r.RemoteAddr = "203.0.113.7:1"
		r.Header.Set("Authorization", bearer)
		r.Header.Set("Content-Type", ct)
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)
		if w.Code < 100 || w.Code > 599 {
			t.Fatalf("status %d", w.Code)
		}
	})
}
