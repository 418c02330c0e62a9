package restapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sqsgate/sqsgate/internal/local/template"
)

// TestAuthCacheEvictsLeastRecentlyUsed: a full cache makes room by
// dropping the entry used longest ago, not the ones in use.
func TestAuthCacheEvictsLeastRecentlyUsed(t *testing.T) {
	c := authCache{Max: 2}
	exp := fixedTime.Add(time.Hour)
	a, b, d := &decision{principalID: "a"}, &decision{principalID: "b"}, &decision{principalID: "d"}
	c.Put("a", a, exp)
	c.Put("b", b, exp)
	require.Same(t, a, c.Get("a", fixedTime)) // a is now the most recent
	c.Put("d", d, exp)
	assert.Nil(t, c.Get("b", fixedTime), "b was least recently used")
	assert.Same(t, a, c.Get("a", fixedTime))
	assert.Same(t, d, c.Get("d", fixedTime))
	c.Put("a", d, exp) // replacing keeps the size
	assert.Equal(t, 2, c.Len())
	assert.Same(t, d, c.Get("a", fixedTime))
	assert.Nil(t, c.Get("a", exp), "expired at its expiry")
	assert.Equal(t, 1, c.Len())
}

// capture is a backend that records what the integration sent.
type capture struct {
	mu                    sync.Mutex
	uri, contentType, got string
}

func (c *capture) server(t *testing.T) string {
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		c.uri, c.contentType = r.RequestURI, r.Header.Get("Content-Type")
		c.mu.Unlock()
		_, _ = w.Write([]byte(`{}`))
	}))
	t.Cleanup(hs.Close)
	return hs.URL
}

func (c *capture) last() (string, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.uri, c.contentType
}

func allowAll() *fakeInvoker {
	return &fakeInvoker{respond: func(context.Context, string, []byte) ([]byte, error) { return []byte(policy("Allow", "*")), nil }}
}

// TestIntegrationRequestShape: path parameters fill the integration
// path, a request without query parameters has no "?", and a passed-through
// body keeps the client's Content-Type unless a mapping sets one (a
// template's output is not the client's type).
func TestIntegrationRequestShape(t *testing.T) {
	var c capture
	api := testAPI()
	api.Methods = append(api.Methods, template.RestMethod{Method: "POST", Path: "/q/{name}",
		RequestParameters: map[string]bool{"method.request.path.name": true},
		Integration: template.RestIntegration{Type: "aws", HTTPMethod: "POST", Service: "sqs", Path: testAccount + "/{queue}",
			RequestParameters: map[string]string{"integration.request.path.queue": "method.request.path.name"},
			Responses:         []template.IntegrationResponse{{StatusCode: 200}}}})
	srv, err := New(api, Options{Invoker: allowAll(), SQSEndpoint: c.server(t), Region: "us-east-1", AccountID: testAccount})
	require.NoError(t, err)

	require.Equal(t, 200, do(srv, "POST", "/q/a%20b", "Action=SendMessage", "Content-Type", "application/x-www-form-urlencoded").Code)
	uri, ct := c.last()
	assert.Equal(t, "/000000000000/a%20b", uri)
	assert.Equal(t, "application/x-www-form-urlencoded", ct, "passed through with the client's type")

	require.Equal(t, 200, do(srv, "POST", "/q/x", "", "Content-Type", "text/plain").Code)
	_, ct = c.last()
	assert.Empty(t, ct, "no body, no content type")

	require.Equal(t, 200, do(srv, "POST", "/v1/messages", `{"a":1}`, "Authorization", bearer, "Content-Type", "application/json").Code)
	uri, ct = c.last()
	assert.Equal(t, "/000000000000/IngestQueue", uri)
	assert.Equal(t, "application/x-www-form-urlencoded", ct, "the mapped header, not the client's")

	api2 := testAPI()
	api2.Methods[1].Integration.RequestParameters = map[string]string{}
	srv2, err := New(api2, Options{Invoker: allowAll(), SQSEndpoint: c.server(t), Region: "us-east-1", AccountID: testAccount})
	require.NoError(t, err)
	require.Equal(t, 200, do(srv2, "POST", "/v1/messages", `{"a":1}`, "Authorization", bearer, "Content-Type", "application/json").Code)
	_, ct = c.last()
	assert.Empty(t, ct, "a template's output does not take the client's type")
}

// TestIntegrationTimeout: a backend that does not answer within the
// integration timeout is 504 {"message":"Endpoint request timed out"},
// whether it never sends headers or stalls in the body
// (INTEGRATION_TIMEOUT; https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html).
func TestIntegrationTimeout(t *testing.T) {
	release := make(chan struct{})
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("MessageBody") == "headers" {
			w.WriteHeader(200)
			_, _ = w.Write([]byte(`{"partial":`))
			w.(http.Flusher).Flush()
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer hs.Close()
	defer close(release)
	api := testAPI()
	api.Methods[0].Integration.Timeout = 50 * time.Millisecond
	srv, err := New(api, Options{Invoker: allowAll(), SQSEndpoint: hs.URL, Region: "us-east-1", AccountID: testAccount})
	require.NoError(t, err)
	for _, body := range []string{"none", "headers"} {
		w := do(srv, "GET", "/v1/send?MessageBody="+body, "", "Authorization", bearer)
		assert.Equal(t, 504, w.Code, body)
		assert.JSONEq(t, `{"message":"Endpoint request timed out"}`, w.Body.String())
	}
}

// TestGatewayResponseWithoutRequest: a request refused before it is read
// (413) still goes through its gateway response; a header can only take
// a literal then.
func TestGatewayResponseWithoutRequest(t *testing.T) {
	api := testAPI()
	api.GatewayResponses = map[string]template.GatewayResponse{"REQUEST_TOO_LARGE": {
		ResponseParameters: map[string]string{"gatewayresponse.header.X-Limit": "'10MB'", "gatewayresponse.header.X-Req": "context.requestId"},
		ResponseTemplates:  map[string]string{"application/json": `{"code":"too_large","type":"$context.error.responseType"}`},
	}}
	f := newFixture(t, api, "")
	w := do(f.srv, "POST", "/webhooks/github", "{}", "X-Big", string(make([]byte, MaxHeaderBytes)))
	assert.Equal(t, 413, w.Code)
	assert.JSONEq(t, `{"code":"too_large","type":"REQUEST_TOO_LARGE"}`, w.Body.String())
	assert.Equal(t, "10MB", w.Header().Get("X-Limit"))
	assert.Empty(t, w.Header().Get("X-Req"))
}

func TestGatewayResponseStatusBounds(t *testing.T) {
	for code, ok := range map[int]bool{99: false, 100: true, 599: true, 600: false} {
		api := testAPI()
		api.GatewayResponses = map[string]template.GatewayResponse{"DEFAULT_4XX": {StatusCode: code}}
		_, err := New(api, Options{Invoker: allowAll(), SQSEndpoint: "http://127.0.0.1:1", Region: "us-east-1", AccountID: testAccount})
		assert.Equal(t, ok, err == nil, "status %d: %v", code, err)
	}
}

// TestEmptyBinaryBody: an empty body is not base64-encoded, whatever its
// content type.
func TestEmptyBinaryBody(t *testing.T) {
	api := testAPI()
	api.BinaryMediaTypes = []string{"*/*"}
	f := newFixture(t, api, "")
	require.Equal(t, 202, do(f.srv, "POST", "/webhooks/github", "", "Content-Type", "application/octet-stream").Code)
	ev := f.inv.last(t, "WebhookFunction")
	assert.NotEqual(t, true, ev["isBase64Encoded"])
	assert.Empty(t, ev["body"])
}
