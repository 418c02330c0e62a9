package transform

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sqsgate/sqsgate/internal/apigw"
)

// restOf is the payload 1.0 event a REST API sends for the same request as
// the 2.0 r: header names in the client's case (repeats in
// multiValueHeaders), the Lambda authorizer's context at the top of
// requestContext.authorizer, the caller under requestContext.identity.
// https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
func restOf(r events.APIGatewayV2HTTPRequest, headers map[string][]string) events.APIGatewayProxyRequest {
	method, path, _ := strings.Cut(r.RouteKey, " ")
	out := events.APIGatewayProxyRequest{
		Resource: path, Path: path, HTTPMethod: method,
		Headers: map[string]string{}, MultiValueHeaders: headers,
		QueryStringParameters: r.QueryStringParameters,
		Body:                  r.Body, IsBase64Encoded: r.IsBase64Encoded,
		RequestContext: events.APIGatewayProxyRequestContext{
			RequestID: r.RequestContext.RequestID, Stage: "prod", Path: "/prod" + path, HTTPMethod: method,
			Identity:   events.APIGatewayRequestIdentity{SourceIP: r.RequestContext.HTTP.SourceIP, UserAgent: r.RequestContext.HTTP.UserAgent},
			Authorizer: map[string]any{"principalId": testSub, "sub": testSub},
		},
	}
	for k, vs := range headers {
		out.Headers[k] = vs[len(vs)-1]
	}
	return out
}

func serveRaw(t *testing.T, h *Handler, raw []byte) (status int, headers map[string]string, body string) {
	t.Helper()
	var ev apigw.Event
	require.NoError(t, json.Unmarshal(raw, &ev))
	resp, err := apigw.Adapt(h.Handle)(context.Background(), ev)
	require.NoError(t, err)
	out, err := json.Marshal(resp)
	require.NoError(t, err)
	if ev.V1 {
		var r events.APIGatewayProxyResponse
		require.NoError(t, json.Unmarshal(out, &r))
		return r.StatusCode, r.Headers, r.Body
	}
	var r events.APIGatewayV2HTTPResponse
	require.NoError(t, json.Unmarshal(out, &r))
	return r.StatusCode, r.Headers, r.Body
}

func TestPayload10AnswersAs20(t *testing.T) {
	ct := map[string][]string{"Content-Type": {"application/json"}, "User-Agent": {"test-agent/1"}}
	withType := func(types ...string) map[string][]string {
		return map[string][]string{"Content-Type": {"application/json"}, "User-Agent": {"test-agent/1"}, "Ce-Type": types}
	}
	typed := request("POST /v1/events", "application/json", `{"order":1}`)
	typed.Headers["ce-type"] = "com.example.order"
	twice := request("POST /v1/events", "application/json", `{"order":1}`)
	twice.Headers["ce-type"] = "com.example.order,com.example.order"
	tests := []struct {
		name    string
		v2      events.APIGatewayV2HTTPRequest
		headers map[string][]string
		status  int
		sends   int
	}{
		{"single", request("POST /v1/events", "application/json", `{"order":1}`), ct, http.StatusAccepted, 1},
		{"single with Ce-Type", typed, withType("com.example.order"), http.StatusAccepted, 1},
		{"Ce-Type repeated", twice, withType("com.example.order", "com.example.order"), http.StatusBadRequest, 0},
		{"batch", request("POST /v1/events/batch", "application/json", `[{"data":{"a":1}},{"data":{"b":2},"id":"x"}]`), ct, http.StatusAccepted, 1},
		{"malformed", request("POST /v1/events", "application/json", `{"a":`), ct, http.StatusBadRequest, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw2, err := json.Marshal(tt.v2)
			require.NoError(t, err)
			raw1, err := json.Marshal(restOf(tt.v2, tt.headers))
			require.NoError(t, err)
			q2, q1 := newFakeQueue(), newFakeQueue()
			s2, h2, b2 := serveRaw(t, newTestHandler(t, q2), raw2)
			s1, h1, b1 := serveRaw(t, newTestHandler(t, q1), raw1)
			assert.Equal(t, tt.status, s2, b2)
			assert.Equal(t, s2, s1)
			assert.Equal(t, h2, h1)
			assert.Equal(t, b2, b1)
			assert.Equal(t, tt.sends, len(q2.singles)+len(q2.batches))
			assert.Equal(t, q2.singles, q1.singles, "the same SQS message")
			assert.Equal(t, q2.batches, q1.batches, "the same SQS batch")
		})
	}
}
