package webhook

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sqsgate/sqsgate/internal/apigw"
	"github.com/sqsgate/sqsgate/internal/webhook/github"
)

// restRequest builds the payload 1.0 event a REST API's Lambda proxy
// integration sends for the same request: header names in the client's
// case, every header also under multiValueHeaders (a repeat there holds all
// its values, "headers" only the last), the body base64 only when
// isBase64Encoded. "Input format of a Lambda function for proxy
// integration":
// https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
func restRequest(path string, headers map[string][]string, body []byte, b64 bool) events.APIGatewayProxyRequest {
	req := events.APIGatewayProxyRequest{
		Resource:          path,
		Path:              path,
		HTTPMethod:        http.MethodPost,
		Headers:           map[string]string{},
		MultiValueHeaders: headers,
		Body:              string(body),
		IsBase64Encoded:   b64,
		RequestContext: events.APIGatewayProxyRequestContext{
			Stage: "prod", RequestID: "req-1", Path: "/prod" + path, HTTPMethod: http.MethodPost,
		},
	}
	for k, vs := range headers {
		req.Headers[k] = vs[len(vs)-1]
	}
	if b64 {
		req.Body = base64.StdEncoding.EncodeToString(body)
	}
	return req
}

type answer struct {
	status  int
	headers map[string]string
	body    string
}

// serve sends a raw event through the Lambda entry point main uses
// (apigw.Adapt over Handle) and decodes the answer in the shape expected.
func serve(t *testing.T, h *Handler, raw []byte, v1 bool) answer {
	t.Helper()
	var ev apigw.Event
	require.NoError(t, json.Unmarshal(raw, &ev))
	require.Equal(t, v1, ev.V1, "format detected from the raw event")
	resp, err := apigw.Adapt(h.Handle)(context.Background(), ev)
	require.NoError(t, err)
	out, err := json.Marshal(resp)
	require.NoError(t, err)
	if v1 {
		var r events.APIGatewayProxyResponse
		require.NoError(t, json.Unmarshal(out, &r))
		return answer{r.StatusCode, r.Headers, r.Body}
	}
	var r events.APIGatewayV2HTTPResponse
	require.NoError(t, json.Unmarshal(out, &r))
	return answer{r.StatusCode, r.Headers, r.Body}
}

func TestPayload10AnswersAs20(t *testing.T) {
	push := fixture(t, "github-push.json")
	txn := fixture(t, "paddle-transaction-completed.json")
	gh := githubHeaders(push)
	pd := paddleHeaders(txn, testNow)
	multi := func(h map[string]string) map[string][]string {
		out := map[string][]string{}
		for k, v := range h {
			out[k] = []string{v}
		}
		return out
	}
	repeated := multi(gh)
	repeated[github.SignatureHeader] = []string{gh[github.SignatureHeader], gh[github.SignatureHeader]}
	forged := with(gh, github.SignatureHeader, github.Sign("wrong", push))

	tests := []struct {
		name   string
		v2     events.APIGatewayV2HTTPRequest
		v1     events.APIGatewayProxyRequest
		status int
		code   string
		sent   []byte
	}{
		{"github push", request(GitHubPath, gh, push, false), restRequest(GitHubPath, multi(gh), push, false), http.StatusAccepted, "", push},
		{"github push, base64 body", request(GitHubPath, gh, push, true), restRequest(GitHubPath, multi(gh), push, true), http.StatusAccepted, "", push},
		{"paddle", request(PaddlePath, pd, txn, false), restRequest(PaddlePath, multi(pd), txn, false), http.StatusAccepted, "", txn},
		{"forged signature", request(GitHubPath, forged, push, false), restRequest(GitHubPath, multi(forged), push, false), http.StatusUnauthorized, "invalid_signature", nil},
		// 1.0 keeps only the last value in "headers"; the repeat shows in
		// multiValueHeaders and must still be refused.
		{"repeated signature", request(GitHubPath, with(gh, github.SignatureHeader, gh[github.SignatureHeader]+","+gh[github.SignatureHeader]), push, false),
			restRequest(GitHubPath, repeated, push, false), http.StatusBadRequest, "repeated_header", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw2, err := json.Marshal(tt.v2)
			require.NoError(t, err)
			raw1, err := json.Marshal(tt.v1)
			require.NoError(t, err)
			var rec2, rec1 recorder
			a2 := serve(t, newTestHandler(t, &rec2, nil), raw2, false)
			a1 := serve(t, newTestHandler(t, &rec1, nil), raw1, true)

			assert.Equal(t, tt.status, a2.status, a2.body)
			assert.Equal(t, a2, a1, "1.0 answers as 2.0")
			if tt.code != "" {
				var body apigw.ErrorBody
				require.NoError(t, json.Unmarshal([]byte(a1.body), &body))
				assert.Equal(t, tt.code, body.Code)
			}
			assert.Equal(t, rec2.inputs, rec1.inputs, "the same SQS message")
			if tt.sent == nil {
				assert.Empty(t, rec1.inputs, "nothing sent")
				return
			}
			require.Len(t, rec1.inputs, 1)
			assert.Equal(t, string(tt.sent), *rec1.inputs[0].MessageBody, "byte-exact body")
		})
	}
}
