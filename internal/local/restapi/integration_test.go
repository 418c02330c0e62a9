package restapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sqsgate/sqsgate/internal/local/template"
)

// TestSendThroughSQS: GET /v1/send maps the query string onto SendMessage
// (requestParameters: 'literal' and method.request.querystring.*) and the
// real SQS endpoint stores the message; the default integration response
// passes SQS's answer through with 200.
func TestSendThroughSQS(t *testing.T) {
	f := newFixture(t, testAPI(), policy("Allow", "*"))
	w := do(f.srv, "GET", "/v1/send?MessageBody=TestMessageHello", "", "Authorization", bearer)
	require.Equal(t, 200, w.Code, w.Body.String())
	assert.Contains(t, w.Body.String(), "0ef0d7773a388095bee26966144cc131", "SQS's MD5OfMessageBody of TestMessageHello")
	msgs, ok := f.sqs.Peek(testQueue, 10)
	require.True(t, ok)
	require.Len(t, msgs, 1)
	assert.Equal(t, "TestMessageHello", msgs[0].Body)
}

// TestRequestTemplateAndPassthrough: POST /v1/messages renders its
// application/json template into the form body SQS reads; with
// passthroughBehavior NEVER another content type is refused with 415
// {"message":"Unsupported Media Type"} before SQS, and a request without
// Content-Type is taken as application/json
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-passthrough-behaviors.html).
func TestRequestTemplateAndPassthrough(t *testing.T) {
	f := newFixture(t, testAPI(), policy("Allow", "*"))
	w := do(f.srv, "POST", "/v1/messages", `{"order":1} & more`, "Authorization", bearer, "Content-Type", "application/json; charset=utf-8")
	require.Equal(t, 200, w.Code, w.Body.String())
	w = do(f.srv, "POST", "/v1/messages", `{"order":2}`, "Authorization", bearer)
	require.Equal(t, 200, w.Code, w.Body.String())
	for _, ct := range []string{"text/plain", "application/xml", "application/x-www-form-urlencoded"} {
		w = do(f.srv, "POST", "/v1/messages", `Action=PurgeQueue`, "Authorization", bearer, "Content-Type", ct)
		assert.Equal(t, 415, w.Code, ct)
		assert.JSONEq(t, `{"message":"Unsupported Media Type"}`, w.Body.String())
	}
	msgs, _ := f.sqs.Peek(testQueue, 10)
	require.Len(t, msgs, 2)
	assert.Equal(t, `{"order":1} & more`, msgs[0].Body)
	assert.Equal(t, `{"order":2}`, msgs[1].Body)
}

func TestPassthroughBehaviors(t *testing.T) {
	tests := []struct {
		behavior  string
		templates map[string]string
		ct        string
		want      int
	}{
		{"WHEN_NO_MATCH", map[string]string{"application/json": "Action=SendMessage&MessageBody=x"}, "text/plain", 200},
		{"WHEN_NO_TEMPLATES", nil, "application/x-www-form-urlencoded", 200},
		{"WHEN_NO_TEMPLATES", map[string]string{"application/json": "Action=SendMessage&MessageBody=x"}, "text/plain", 415},
		{"NEVER", nil, "application/x-www-form-urlencoded", 415},
		{"NEVER", map[string]string{"application/json": "Action=SendMessage&MessageBody=x"}, "application/json", 200},
	}
	for _, tt := range tests {
		t.Run(tt.behavior+" "+tt.ct, func(t *testing.T) {
			api := testAPI()
			m := &api.Methods[1]
			m.Integration.PassthroughBehavior = tt.behavior
			m.Integration.RequestTemplates = tt.templates
			m.Integration.RequestParameters = map[string]string{"integration.request.header.Content-Type": "'application/x-www-form-urlencoded'"}
			f := newFixture(t, api, policy("Allow", "*"))
			body := "Action=SendMessage&MessageBody=x" // what SQS accepts when passed through
			w := do(f.srv, "POST", "/v1/messages", body, "Authorization", bearer, "Content-Type", tt.ct)
			assert.Equal(t, tt.want, w.Code, w.Body.String())
		})
	}
}

// TestIntegrationResponseSelection: the first integration response whose
// selectionPattern matches the backend status wins, else the default one;
// a response with a template renders it, the default passes SQS's body
// through (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-integration-settings-integration-response.html).
func TestIntegrationResponseSelection(t *testing.T) {
	var mu sync.Mutex
	status, got := 200, ""
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		got = r.Method + " " + r.URL.String() + " accept=" + r.Header.Get("Accept")
		w.Header().Set("X-Amzn-Requestid", "sqs-req-1")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`{"from":"sqs"}`))
	}))
	defer backend.Close()
	api := testAPI()
	api.Methods[0].Integration.Responses[0].ResponseParameters = map[string]string{
		"method.response.header.X-Sqs-Request": "integration.response.header.X-Amzn-Requestid",
		"method.response.header.X-Served-By":   "'sqsgate'",
	}
	srv, err := New(api, Options{Invoker: &fakeInvoker{respond: func(context.Context, string, []byte) ([]byte, error) {
		return []byte(policy("Allow", "*")), nil
	}}, SQSEndpoint: backend.URL, Region: "us-east-1", AccountID: testAccount})
	require.NoError(t, err)
	tests := []struct {
		backend int
		want    int
		body    string
	}{
		{200, 200, `{"from":"sqs"}`},
		{202, 200, `{"from":"sqs"}`},
		{400, 400, `{"code":"sqs_rejected"}`},
		{403, 400, `{"code":"sqs_rejected"}`},
		{500, 502, `{"code":"queue_unavailable","message":"the queue is unavailable"}`},
		{503, 502, `{"code":"queue_unavailable","message":"the queue is unavailable"}`},
		{3000 / 10, 200, `{"from":"sqs"}`}, // 300: only the default matches (patterns are anchored)
	}
	for _, tt := range tests {
		mu.Lock()
		status = tt.backend
		mu.Unlock()
		w := do(srv, "GET", "/v1/send?MessageBody=a%20b", "", "Authorization", bearer)
		assert.Equal(t, tt.want, w.Code, "backend %d", tt.backend)
		assert.JSONEq(t, tt.body, w.Body.String())
		assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
		if tt.want == 200 {
			assert.Equal(t, "sqs-req-1", w.Header().Get("X-Sqs-Request"))
			assert.Equal(t, "sqsgate", w.Header().Get("X-Served-By"))
		}
	}
	mu.Lock()
	assert.Equal(t, "GET /000000000000/IngestQueue?Action=SendMessage&MessageBody=a+b accept=application/json", got)
	mu.Unlock()
}

// TestOptionalParametersLeftOut: a mapped method parameter the request
// does not carry is left out of the integration request.
func TestOptionalParametersLeftOut(t *testing.T) {
	var got string
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.RawQuery
		_, _ = w.Write([]byte(`{}`))
	}))
	defer backend.Close()
	srv, err := New(testAPI(), Options{Invoker: &fakeInvoker{respond: func(context.Context, string, []byte) ([]byte, error) {
		return []byte(policy("Allow", "*")), nil
	}}, SQSEndpoint: backend.URL, Region: "us-east-1", AccountID: testAccount})
	require.NoError(t, err)
	require.Equal(t, 200, do(srv, "GET", "/v1/messages", "", "Authorization", bearer).Code)
	assert.Equal(t, "Action=ReceiveMessage", got)
	require.Equal(t, 200, do(srv, "GET", "/v1/messages?max=5", "", "Authorization", bearer).Code)
	assert.Equal(t, "Action=ReceiveMessage&MaxNumberOfMessages=5", got)
}

// TestIntegrationBackendDown: an unreachable SQS endpoint is a 5xx from
// API Gateway, never a hang or a half-written answer.
func TestIntegrationBackendDown(t *testing.T) {
	backend := httptest.NewServer(http.NotFoundHandler())
	url := backend.URL
	backend.Close()
	srv, err := New(testAPI(), Options{Invoker: &fakeInvoker{respond: func(context.Context, string, []byte) ([]byte, error) {
		return []byte(policy("Allow", "*")), nil
	}}, SQSEndpoint: url, Region: "us-east-1", AccountID: testAccount})
	require.NoError(t, err)
	w := do(srv, "GET", "/v1/send?MessageBody=x", "", "Authorization", bearer)
	assert.Equal(t, 504, w.Code)
	assert.JSONEq(t, `{"message":"Internal server error"}`, w.Body.String())
}

// TestLambdaProxyEventV1: REST Lambda proxy integrations get payload
// format 1.0 (events.APIGatewayProxyRequest): resource, path without the
// stage, headers with their last value and multiValueHeaders with all,
// query likewise, requestContext with the stage path
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-input-format).
func TestLambdaProxyEventV1(t *testing.T) {
	api := testAPI()
	api.BinaryMediaTypes = []string{"application/octet-stream"}
	f := newFixture(t, api, policy("Allow", "*"))
	w := do(f.srv, "POST", "/webhooks/github?a=1&a=2&b=x%20y", `{"zen":"hi"}`,
		"Content-Type", "application/json", "X-GitHub-Event", "ping", "X-Multi", "1", "X-Multi", "2")
	require.Equal(t, 202, w.Code)
	assert.JSONEq(t, `{"ok":true}`, w.Body.String())
	ev := f.inv.last(t, "WebhookFunction")
	assert.Equal(t, "/webhooks/github", ev["resource"])
	assert.Equal(t, "/webhooks/github", ev["path"])
	assert.Equal(t, "POST", ev["httpMethod"])
	assert.Equal(t, `{"zen":"hi"}`, ev["body"])
	assert.NotEqual(t, true, ev["isBase64Encoded"]) // aws-lambda-go omits false
	h := ev["headers"].(map[string]any)
	assert.Equal(t, "ping", h["X-Github-Event"])
	assert.Equal(t, "2", h["X-Multi"])
	assert.Equal(t, "203.0.113.7", h["X-Forwarded-For"])
	assert.Equal(t, "http", h["X-Forwarded-Proto"])
	assert.Equal(t, []any{"1", "2"}, ev["multiValueHeaders"].(map[string]any)["X-Multi"])
	assert.Equal(t, map[string]any{"a": "2", "b": "x y"}, ev["queryStringParameters"])
	assert.Equal(t, []any{"1", "2"}, ev["multiValueQueryStringParameters"].(map[string]any)["a"])
	rc := ev["requestContext"].(map[string]any)
	assert.Equal(t, "/live/webhooks/github", rc["path"])
	assert.Equal(t, "live", rc["stage"])
	assert.Equal(t, "local", rc["apiId"])
	assert.Equal(t, "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", rc["requestId"])
	assert.Equal(t, "203.0.113.7", rc["identity"].(map[string]any)["sourceIp"])
	assert.Nil(t, rc["authorizer"])
	assert.Equal(t, "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", w.Header().Get("X-Amzn-Requestid"))

	// Only binaryMediaTypes bodies are base64.
	do(f.srv, "POST", "/webhooks/github", "\x00\x01", "Content-Type", "application/octet-stream")
	ev = f.inv.last(t, "WebhookFunction")
	assert.Equal(t, true, ev["isBase64Encoded"])
	assert.Equal(t, "AAE=", ev["body"])
}

// TestLambdaProxyBadOutput: a function error or an output that is not a
// proxy response is 502 {"message": "Internal server error"} on REST
// (https://repost.aws/knowledge-center/malformed-502-api-gateway).
func TestLambdaProxyBadOutput(t *testing.T) {
	for _, out := range []string{`"just a string"`, `{"body":"no status"}`, `not json`, `{"statusCode":200,"body":{"x":1}}`} {
		t.Run(out, func(t *testing.T) {
			inv := &fakeInvoker{respond: func(context.Context, string, []byte) ([]byte, error) { return []byte(out), nil }}
			f := newFixtureWith(t, testAPI(), inv)
			w := do(f.srv, "POST", "/webhooks/github", `{}`)
			assert.Equal(t, 502, w.Code)
			assert.JSONEq(t, `{"message":"Internal server error"}`, w.Body.String())
		})
	}
	inv := &fakeInvoker{respond: func(context.Context, string, []byte) ([]byte, error) {
		return []byte(`{"errorMessage":"boom"}`), assert.AnError
	}}
	f := newFixtureWith(t, testAPI(), inv)
	w := do(f.srv, "POST", "/webhooks/github", `{}`)
	assert.Equal(t, 502, w.Code)
	assert.NotContains(t, w.Body.String(), "boom")
}

// TestMockIntegration answers from the integration response chosen by the
// statusCode the request template renders.
func TestMockIntegration(t *testing.T) {
	api := &template.RestAPI{ID: "local", StageName: "live", Methods: []template.RestMethod{{
		Method: "GET", Path: "/health", Integration: template.RestIntegration{
			Type: "mock", RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`},
			Responses: []template.IntegrationResponse{{StatusCode: 200, ResponseTemplates: map[string]string{"application/json": `{"ok":true,"id":"$context.requestId"}`}}},
		},
	}}}
	f := newFixture(t, api, "")
	w := do(f.srv, "GET", "/health", "")
	require.Equal(t, 200, w.Code)
	assert.JSONEq(t, `{"ok":true,"id":"c6af9ac6-7b61-11e6-9a41-93e8deadbeef"}`, w.Body.String())
}

// TestAccessLog writes one JSON line per request with the REST $context
// values, "-" for absent ones, and never the token.
func TestAccessLog(t *testing.T) {
	var buf strings.Builder
	inv := &fakeInvoker{respond: func(context.Context, string, []byte) ([]byte, error) {
		return []byte(policy("Deny", "*")), nil
	}}
	e, url := sqsBackend(t)
	_ = e
	srv, err := New(testAPI(), Options{Invoker: inv, SQSEndpoint: url, Region: "us-east-1", AccountID: testAccount, AccessLog: &buf,
		NewRequestID: func() string { return "req-1" }, Now: func() (t0 time.Time) { return fixedTime }})
	require.NoError(t, err)
	do(srv, "POST", "/v1/events", `{}`, "Authorization", bearer)
	do(srv, "GET", "/nope", "")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.Len(t, lines, 2)
	var l1, l2 map[string]string
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &l1))
	require.NoError(t, json.Unmarshal([]byte(lines[1]), &l2))
	assert.Equal(t, "req-1", l1["requestId"])
	assert.Equal(t, "403", l1["status"])
	assert.Equal(t, "/v1/events", l1["resourcePath"])
	assert.Equal(t, "ACCESS_DENIED", l1["errorResponseType"])
	assert.Equal(t, "203.0.113.7", l1["ip"])
	assert.Equal(t, "-", l1["integrationLatency"])
	assert.Equal(t, "22/Nov/2026:10:00:00 +0000", l1["requestTime"])
	assert.Equal(t, "-", l2["resourcePath"])
	assert.Equal(t, "MISSING_AUTHENTICATION_TOKEN", l2["errorResponseType"])
	assert.NotContains(t, buf.String(), "eyJ")
}
