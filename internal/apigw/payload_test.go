package apigw

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Payload formats as documented in "Create AWS Lambda proxy integrations
// for HTTP APIs in API Gateway", section "Payload format version":
// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
// and for REST APIs, "Input format of a Lambda function for proxy
// integration":
// https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
func TestEventDetectsTheFormat(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		v1   bool
		want events.APIGatewayV2HTTPRequest
	}{
		{"2.0", `{"version":"2.0","routeKey":"POST /webhooks/github","rawPath":"/webhooks/github","headers":{"x-a":"1,2"},"body":"aGk=","isBase64Encoded":true}`, false,
			events.APIGatewayV2HTTPRequest{Version: "2.0", RouteKey: "POST /webhooks/github", RawPath: "/webhooks/github", Headers: map[string]string{"x-a": "1,2"}, Body: "aGk=", IsBase64Encoded: true}},
		{"1.0 with version", `{"version":"1.0","resource":"/webhooks/github","path":"/webhooks/github","httpMethod":"POST","headers":{"X-A":"2"},"multiValueHeaders":{"X-A":["1","2"]},"body":"hi","isBase64Encoded":false,"requestContext":{"requestId":"r1","stage":"prod","path":"/prod/webhooks/github","identity":{"sourceIp":"192.0.2.1","userAgent":"ua"}}}`, true,
			events.APIGatewayV2HTTPRequest{Version: "1.0", RouteKey: "POST /webhooks/github", RawPath: "/webhooks/github", Headers: map[string]string{"x-a": "1,2"}, Body: "hi",
				RequestContext: events.APIGatewayV2HTTPRequestContext{RouteKey: "POST /webhooks/github", RequestID: "r1", Stage: "prod",
					HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "POST", Path: "/prod/webhooks/github", SourceIP: "192.0.2.1", UserAgent: "ua"}}}},
		{"1.0 without version, proxy resource", `{"resource":"/{proxy+}","path":"/v1/events","httpMethod":"POST","headers":{"Content-Type":"application/json"},"queryStringParameters":{"a":"1"},"body":"{}"}`, true,
			events.APIGatewayV2HTTPRequest{Version: "1.0", RawPath: "/v1/events", RawQueryString: "a=1", Headers: map[string]string{"content-type": "application/json"}, QueryStringParameters: map[string]string{"a": "1"}, Body: "{}",
				RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "POST"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e Event
			require.NoError(t, json.Unmarshal([]byte(tt.raw), &e))
			assert.Equal(t, tt.v1, e.V1)
			assert.Equal(t, tt.want, e.Request)
		})
	}
	var e Event
	assert.Error(t, json.Unmarshal([]byte(`[1]`), &e))
	assert.Error(t, json.Unmarshal([]byte(`{"version":"1.0","headers":7}`), &e))
}

func TestFromV1Headers(t *testing.T) {
	tests := []struct {
		name   string
		single map[string]string
		multi  map[string][]string
		want   map[string]string
	}{
		{"none", nil, nil, nil},
		{"client's case, single only", map[string]string{"X-Hub-Signature-256": "sha256=ab"}, nil, map[string]string{"x-hub-signature-256": "sha256=ab"}},
		{"repeat in multiValueHeaders", map[string]string{"X-Sig": "b"}, map[string][]string{"X-Sig": {"a", "b"}}, map[string]string{"x-sig": "a,b"}},
		{"two spellings of one name", nil, map[string][]string{"X-Sig": {"a"}, "x-sig": {"b"}}, map[string]string{"x-sig": "a,b"}},
		{"single-only name kept beside multi", map[string]string{"X-Only": "o"}, map[string][]string{"X-Sig": {"a"}}, map[string]string{"x-only": "o", "x-sig": "a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := FromV1(&events.APIGatewayProxyRequest{Headers: tt.single, MultiValueHeaders: tt.multi})
			assert.Equal(t, tt.want, got.Headers)
		})
	}
	// Query names keep their case: they are case-sensitive.
	got := FromV1(&events.APIGatewayProxyRequest{MultiValueQueryStringParameters: map[string][]string{"A": {"1", "2"}}, QueryStringParameters: map[string]string{"A": "2", "b": "x y"}})
	assert.Equal(t, map[string]string{"A": "1,2", "b": "x y"}, got.QueryStringParameters)
	assert.Equal(t, "A=1&A=2&b=x+y", got.RawQueryString)
}

func TestFromV1Authorizer(t *testing.T) {
	got := FromV1(&events.APIGatewayProxyRequest{RequestContext: events.APIGatewayProxyRequestContext{
		Authorizer: map[string]any{"sub": "u1", "claims": map[string]any{"sub": "c1", "n": 3.0}}}})
	require.NotNil(t, got.RequestContext.Authorizer)
	assert.Equal(t, "u1", got.RequestContext.Authorizer.Lambda["sub"])
	assert.Equal(t, map[string]string{"sub": "c1"}, got.RequestContext.Authorizer.JWT.Claims)
	none := FromV1(&events.APIGatewayProxyRequest{})
	assert.Nil(t, none.RequestContext.Authorizer)
	lambdaOnly := FromV1(&events.APIGatewayProxyRequest{RequestContext: events.APIGatewayProxyRequestContext{Authorizer: map[string]any{"sub": "u1"}}})
	assert.Nil(t, lambdaOnly.RequestContext.Authorizer.JWT)
}

func TestResponseShape(t *testing.T) {
	resp := events.APIGatewayV2HTTPResponse{StatusCode: 202, Headers: map[string]string{"content-type": "application/json"}, Body: `{"ok":true}`, Cookies: []string{"a=1"}}
	v2, err := json.Marshal(Response{Response: resp})
	require.NoError(t, err)
	assert.JSONEq(t, `{"statusCode":202,"headers":{"content-type":"application/json"},"multiValueHeaders":null,"body":"{\"ok\":true}","cookies":["a=1"]}`, string(v2))
	v1, err := json.Marshal(Response{Response: resp, V1: true})
	require.NoError(t, err)
	assert.JSONEq(t, `{"statusCode":202,"headers":{"content-type":"application/json"},"multiValueHeaders":{"Set-Cookie":["a=1"]},"body":"{\"ok\":true}"}`, string(v1))
	plain := ToV1(events.APIGatewayV2HTTPResponse{StatusCode: 400, Body: "x", IsBase64Encoded: true, MultiValueHeaders: map[string][]string{"X": {"1"}}})
	assert.Equal(t, events.APIGatewayProxyResponse{StatusCode: 400, Body: "x", IsBase64Encoded: true, MultiValueHeaders: map[string][]string{"X": {"1"}}}, plain)
}

func TestAdaptAnswersInTheEventsFormat(t *testing.T) {
	var seen events.APIGatewayV2HTTPRequest
	h := Adapt(func(_ context.Context, r events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		seen = r
		return events.APIGatewayV2HTTPResponse{StatusCode: 200}, nil
	})
	resp, err := h(context.Background(), Event{Request: events.APIGatewayV2HTTPRequest{Body: "b"}, V1: true})
	require.NoError(t, err)
	assert.True(t, resp.V1)
	assert.Equal(t, 200, resp.Response.StatusCode)
	assert.Equal(t, "b", seen.Body)
	resp, _ = h(context.Background(), Event{})
	assert.False(t, resp.V1)
}
