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

	"github.com/stretchr/testify/require"

	"github.com/sqsgate/sqsgate/internal/fakeclock"
	"github.com/sqsgate/sqsgate/internal/local/sqsendpoint"
	"github.com/sqsgate/sqsgate/internal/local/template"
)

var fixedTime = time.Date(2026, time.November, 22, 10, 0, 0, 0, time.UTC)

const (
	testAccount = "000000000000"
	testQueue   = "IngestQueue"
	testKey     = "sqsgate-local-IngestApiKey"
	authFn      = "AuthorizerFunction"
)

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

// policy is an authorizer answer allowing (or denying) resources.
func policy(effect string, resources ...string) string {
	b, _ := json.Marshal(map[string]any{
		"principalId": "user-1",
		"policyDocument": map[string]any{"Version": "2012-10-17", "Statement": []any{
			map[string]any{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resources},
		}},
		"context": map[string]any{"sub": "user-1", "scope": "ingest/send"},
	})
	return string(b)
}

// arn is the method ARN of the local API for method and path.
func arn(method, path string) string {
	return "arn:aws:execute-api:us-east-1:" + testAccount + ":local/live/" + method + path
}

// sqsMethod is an AWS-service SQS integration like the template's.
func sqsMethod(httpMethod, path, verb string, params map[string]string, declared map[string]bool) template.RestMethod {
	return template.RestMethod{
		Method: httpMethod, Path: path, Authorizer: "CognitoRequestAuthorizer", RequestParameters: declared,
		Integration: template.RestIntegration{
			Type: "aws", HTTPMethod: verb, Service: "sqs", Path: testAccount + "/" + testQueue,
			RequestParameters: params,
			Responses: []template.IntegrationResponse{
				{StatusCode: 200},
				{SelectionPattern: `4\d{2}`, StatusCode: 400, ResponseTemplates: map[string]string{"application/json": `{"code":"sqs_rejected"}`}},
				{SelectionPattern: `5\d{2}`, StatusCode: 502, ResponseTemplates: map[string]string{"application/json": `{"code":"queue_unavailable","message":"the queue is unavailable"}`}},
			},
		},
	}
}

// testAPI is the REST API of template.yaml in small: the native SQS
// methods, a webhook and the transformer on Lambda proxy, the REQUEST
// authorizer with caching.
func testAPI() *template.RestAPI {
	send := sqsMethod("GET", "/v1/send", "GET", map[string]string{
		"integration.request.querystring.Action":      "'SendMessage'",
		"integration.request.querystring.MessageBody": "method.request.querystring.MessageBody",
		"integration.request.header.Accept":           "'application/json'",
	}, map[string]bool{"method.request.querystring.MessageBody": false})
	post := sqsMethod("POST", "/v1/messages", "POST", map[string]string{
		"integration.request.header.Content-Type": "'application/x-www-form-urlencoded'",
		"integration.request.header.Accept":       "'application/json'",
	}, nil)
	post.Integration.PassthroughBehavior = "NEVER"
	post.Integration.RequestTemplates = map[string]string{"application/json": "Action=SendMessage&MessageBody=$util.urlEncode($input.body)"}
	recv := sqsMethod("GET", "/v1/messages", "GET", map[string]string{
		"integration.request.querystring.Action":              "'ReceiveMessage'",
		"integration.request.querystring.MaxNumberOfMessages": "method.request.querystring.max",
		"integration.request.header.Accept":                   "'application/json'",
	}, map[string]bool{"method.request.querystring.max": false})
	del := sqsMethod("DELETE", "/v1/messages", "GET", map[string]string{
		"integration.request.querystring.Action":        "'DeleteMessage'",
		"integration.request.querystring.ReceiptHandle": "method.request.querystring.receiptHandle",
		"integration.request.header.Accept":             "'application/json'",
	}, map[string]bool{"method.request.querystring.receiptHandle": false})
	return &template.RestAPI{
		LogicalID: "IngestRestApi", ID: "local", StageName: "live",
		Methods: []template.RestMethod{
			send, post, recv, del,
			{Method: "POST", Path: "/webhooks/github", Integration: template.RestIntegration{Type: "aws_proxy", HTTPMethod: "POST", Function: "WebhookFunction"}},
			{Method: "POST", Path: "/v1/events", Authorizer: "CognitoRequestAuthorizer", Integration: template.RestIntegration{Type: "aws_proxy", HTTPMethod: "POST", Function: "TransformerFunction"}},
		},
		Authorizers: map[string]template.RestAuthorizer{"CognitoRequestAuthorizer": {
			Name: "CognitoRequestAuthorizer", Type: "request", Function: authFn,
			IdentitySource: []string{"method.request.header.Authorization"}, ResultTTL: 300 * time.Second,
		}},
		Validators: map[string]template.RequestValidator{"body": {Body: true}, "params": {Parameters: true}, "all": {Body: true, Parameters: true}},
		Models:     map[string][]byte{},
	}
}

// sqsBackend is the real embedded SQS endpoint over HTTP with the queue.
func sqsBackend(t *testing.T) (*sqsendpoint.Server, string) {
	t.Helper()
	e, err := sqsendpoint.New(sqsendpoint.Options{Now: func() time.Time { return fixedTime }})
	require.NoError(t, err)
	t.Cleanup(func() { _ = e.Close() })
	_, err = e.EnsureQueue(testQueue, nil, nil)
	require.NoError(t, err)
	hs := httptest.NewServer(e)
	t.Cleanup(hs.Close)
	return e, hs.URL
}

type fixture struct {
	srv   *Server
	inv   *fakeInvoker
	clock *fakeclock.Clock
	sqs   *sqsendpoint.Server
}

// newFixture builds the emulator for api with a fake invoker whose
// authorizer answers authOut, the real SQS endpoint and a fake clock.
func newFixture(t *testing.T, api *template.RestAPI, authOut string) *fixture {
	t.Helper()
	inv := &fakeInvoker{respond: func(_ context.Context, fn string, _ []byte) ([]byte, error) {
		if fn == authFn {
			return []byte(authOut), nil
		}
		return []byte(`{"statusCode":202,"headers":{"Content-Type":"application/json"},"body":"{\"ok\":true}"}`), nil
	}}
	return newFixtureWith(t, api, inv)
}

func newFixtureWith(t *testing.T, api *template.RestAPI, inv *fakeInvoker) *fixture {
	t.Helper()
	e, url := sqsBackend(t)
	clock := fakeclock.New(fixedTime)
	srv, err := New(api, Options{Invoker: inv, SQSEndpoint: url, Region: "us-east-1", AccountID: testAccount,
		Now: clock.Now, NewRequestID: func() string { return "c6af9ac6-7b61-11e6-9a41-93e8deadbeef" }})
	require.NoError(t, err)
	return &fixture{srv: srv, inv: inv, clock: clock, sqs: e}
}

// do sends one request through h and returns the recorded response.
func do(h http.Handler, method, target, body string, headers ...string) *httptest.ResponseRecorder {
	var r *http.Request
	if body == "" {
		r = httptest.NewRequest(method, target, nil)
	} else {
		r = httptest.NewRequest(method, target, strings.NewReader(body))
	}
	r.RemoteAddr = "203.0.113.7:51234"
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Add(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

const bearer = "Bearer eyJ.test.token"
