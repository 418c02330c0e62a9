package httpapi

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// webhookRequest sends the request the golden events describe.
func webhookRequest(s http.Handler) {
	do(s, "POST", "/webhooks/github?b=2&a=1&a=3&empty=", `{"zen":"hi"}`,
		"Content-Type", "application/json",
		"X-GitHub-Event", "push",
		"X-Multi", "one",
		"X-Multi", "two",
		"Cookie", "c1=v1; c2=v2",
		"User-Agent", "GitHub-Hookshot/abc123",
	)
}

func readGolden(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return string(b)
}

func TestEventV2Golden(t *testing.T) {
	inv := &fakeInvoker{respond: answer(`{"statusCode":202,"body":"{}"}`)}
	s := newTestServer(t, baseConfig(lambdaRoute("POST", "/webhooks/github", "WebhookFunction")), Options{Invoker: inv})
	webhookRequest(s)
	require.Equal(t, 1, inv.count("WebhookFunction"))
	got := inv.calls["WebhookFunction"][0]
	assert.JSONEq(t, readGolden(t, "event-v2-github.json"), string(got))

	// The event decodes into aws-lambda-go's type the functions use.
	var ev events.APIGatewayV2HTTPRequest
	require.NoError(t, json.Unmarshal(got, &ev))
	assert.Equal(t, "POST /webhooks/github", ev.RouteKey)
	assert.Equal(t, "1,3", ev.QueryStringParameters["a"])
	assert.NotContains(t, string(got), `"authentication"`, "no mTLS, no authentication block")
}

func TestEventV1Golden(t *testing.T) {
	inv := &fakeInvoker{respond: answer(`{"statusCode":202,"body":"{}"}`)}
	rt := lambdaRoute("POST", "/webhooks/github", "WebhookFunction")
	rt.Integration.PayloadFormatVersion = "1.0"
	s := newTestServer(t, baseConfig(rt), Options{Invoker: inv})
	webhookRequest(s)
	got := inv.calls["WebhookFunction"][0]
	assert.JSONEq(t, readGolden(t, "event-v1-github.json"), string(got))
}

func TestEventBodyEncoding(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
		body        string
		wantB64     bool
	}{
		{"form-encoded is base64", "application/x-www-form-urlencoded", "payload=%7B%7D", true},
		{"no content type is base64", "", "raw", true},
		{"octet stream is base64", "application/octet-stream", "\x00\x01", true},
		{"vendor json is base64", "application/vnd.github+json", `{}`, true},
		{"multipart is base64", "multipart/form-data; boundary=x", "--x--", true},
		{"json", "application/json", `{"a":1}`, false},
		{"json with charset", "application/json; charset=utf-8", `{"a":1}`, false},
		{"upper-case media type", "Application/JSON", `{"a":1}`, false},
		{"text/plain", "text/plain", "hello", false},
		{"text/csv", "text/csv", "a,b", false},
		{"xml", "application/xml", "<a/>", false},
		{"javascript", "application/javascript", "x()", false},
		// A text body that is not UTF-8 cannot travel as a JSON string:
		// Lambda's JSON would replace its bytes with U+FFFD, and a
		// signature over them would no longer verify (issue 16, item 8).
		{"json that is not UTF-8 is base64", "application/json", "{\"a\":\"\xff\xfe\"}", true},
		{"text that is not UTF-8 is base64", "text/plain", "caf\xe9", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := &fakeInvoker{respond: answer(`{"statusCode":200}`)}
			s := newTestServer(t, baseConfig(lambdaRoute("POST", "/in", "F")), Options{Invoker: inv})
			var headers []string
			if tt.contentType != "" {
				headers = []string{"Content-Type", tt.contentType}
			}
			do(s, "POST", "/in", tt.body, headers...)
			ev := inv.last(t, "F")
			assert.Equal(t, tt.wantB64, ev["isBase64Encoded"])
			want := tt.body
			if tt.wantB64 {
				want = base64.StdEncoding.EncodeToString([]byte(tt.body))
			}
			assert.Equal(t, want, ev["body"])
		})
	}
	t.Run("empty body has no body field", func(t *testing.T) {
		inv := &fakeInvoker{respond: answer(`{"statusCode":200}`)}
		s := newTestServer(t, baseConfig(lambdaRoute("GET", "/in", "F")), Options{Invoker: inv})
		do(s, "GET", "/in", "")
		ev := inv.last(t, "F")
		assert.NotContains(t, ev, "body")
		assert.Equal(t, false, ev["isBase64Encoded"])
		assert.NotContains(t, ev, "cookies")
		assert.NotContains(t, ev, "queryStringParameters")
	})
}

func TestStageName(t *testing.T) {
	inv := &fakeInvoker{respond: answer(`{"statusCode":200}`)}
	cfg := baseConfig(lambdaRoute("GET", "/items", "F"))
	cfg.StageName = "prod"
	s := newTestServer(t, cfg, Options{Invoker: inv})
	assert.Equal(t, http.StatusNotFound, do(s, "GET", "/items", "").Code, "the stage prefix is required")
	assert.Equal(t, http.StatusOK, do(s, "GET", "/prod/items", "").Code)
	ev := inv.last(t, "F")
	assert.Equal(t, "/prod/items", ev["rawPath"])
	assert.Equal(t, "prod", ev["requestContext"].(map[string]any)["stage"])
}
