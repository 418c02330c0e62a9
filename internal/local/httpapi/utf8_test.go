package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sqsgate/sqsgate/internal/local/sqsendpoint"
)

// embeddedSQS serves the platform's own SQS endpoint in memory with one
// standard queue, and returns an SDK client for it and the queue's URL.
func embeddedSQS(t *testing.T) (*sqs.Client, string) {
	t.Helper()
	srv, err := sqsendpoint.New(sqsendpoint.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { srv.Close() })
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	client := sqs.New(sqs.Options{Region: "us-east-1", BaseEndpoint: aws.String(hs.URL),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "x", SecretAccessKey: "x"}, nil
		})})
	out, err := client.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String("IngestQueue")})
	require.NoError(t, err)
	return client, aws.ToString(out.QueueUrl)
}

// TestInvalidUTF8NeverReachesSQS: a parameter that is not valid UTF-8 is
// refused with the error SQS gives for characters outside its set, and
// nothing is stored. Before, the SDK replaced each bad byte with U+FFFD,
// SQS stored "\ufffd\ufffd", and the SDK's MD5 check turned the stored
// send into a 500 that clients retry into duplicates.
func TestInvalidUTF8NeverReachesSQS(t *testing.T) {
	client, queueURL := embeddedSQS(t)
	cfg := nativeConfig(queueURL, queueURL)
	cfg.Routes = append(cfg.Routes, Route{Method: "POST", Path: "/v1/tagged", Authorizer: "CognitoAuthorizer",
		Integration: Integration{Type: "sqs", Subtype: "SQS-SendMessage", PayloadFormatVersion: "1.0", RequestParameters: map[string]string{
			"QueueUrl": queueURL, "MessageBody": "$request.body",
			"MessageAttributes": `{"tag":{"DataType":"String","StringValue":"${request.header.X-Tag}"}}`,
		}}})
	s := newTestServer(t, cfg, Options{Invoker: allowAcme(), SQS: client})
	auth := []string{"Authorization", "Bearer t"}

	tests := []struct {
		name, method, target, body string
		headers                    []string
		code                       string
	}{
		{"query string, the issue's request", "GET", "/v1/send?MessageBody=%ff%fe", "", auth, "InvalidMessageContents"},
		{"truncated sequence after valid text", "GET", "/v1/send?MessageBody=caf%C3", "", auth, "InvalidMessageContents"},
		{"encoded surrogate", "GET", "/v1/send?MessageBody=%ED%A0%80", "", auth, "InvalidMessageContents"},
		{"request body", "POST", "/v1/messages", "ok \xff", auth, "InvalidMessageContents"},
		{"attribute from a header", "POST", "/v1/tagged", "fine", append([]string{"X-Tag", "a\xfeb"}, auth...), "InvalidParameterValue"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for range 3 { // a client retrying must not make copies either
				w := do(s, tc.method, tc.target, tc.body, tc.headers...)
				require.Equal(t, http.StatusBadRequest, w.Code, w.Body.String())
				assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
				var doc sqsErrorJSON
				require.NoError(t, json.Unmarshal(w.Body.Bytes(), &doc), w.Body.String())
				assert.Equal(t, tc.code, doc.Error.Code)
				assert.Equal(t, "Sender", doc.Error.Type)
				assert.NotEmpty(t, doc.Error.Message)
				assert.NotEmpty(t, doc.RequestID)
			}
			attrs, err := client.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: &queueURL,
				AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameApproximateNumberOfMessages}})
			require.NoError(t, err)
			assert.Equal(t, "0", attrs.Attributes["ApproximateNumberOfMessages"], "nothing may be stored")
		})
	}

	t.Run("valid UTF-8 still goes through unchanged", func(t *testing.T) {
		w := do(s, "GET", "/v1/send?MessageBody=caf%C3%A9%20%F0%9F%93%A6", "", auth...)
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		out, err := client.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: &queueURL})
		require.NoError(t, err)
		require.Len(t, out.Messages, 1)
		assert.Equal(t, "café 📦", aws.ToString(out.Messages[0].Body))
	})
}
