package httpapi

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sqsgate/sqsgate/internal/testpeer"
)

// sqsPeer starts moto_server and returns a client and the URLs of a
// standard and a FIFO queue.
func sqsPeer(t *testing.T) (client *sqs.Client, queueURL, fifoURL string) {
	t.Helper()
	moto := testpeer.StartMoto(t)
	testpeer.SetAWSEnv(t, moto.URL)
	ctx := context.Background()
	awsCfg, err := config.LoadDefaultConfig(ctx)
	require.NoError(t, err)
	client = sqs.NewFromConfig(awsCfg)
	q, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("IngestQueue")})
	require.NoError(t, err)
	f, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("Ingest.fifo"), Attributes: map[string]string{"FifoQueue": "true"}})
	require.NoError(t, err)
	return client, *q.QueueUrl, *f.QueueUrl
}

// nativeConfig is the DESIGN.md route table for native SQS routes, behind a
// Lambda authorizer whose context feeds a message attribute.
func nativeConfig(queueURL, fifoURL string) Config {
	sqsRoute := func(method, path, subtype string, params map[string]string) Route {
		return Route{Method: method, Path: path, Authorizer: "CognitoAuthorizer",
			Integration: Integration{Type: "sqs", Subtype: subtype, PayloadFormatVersion: "1.0", RequestParameters: params}}
	}
	cfg := baseConfig(
		sqsRoute("POST", "/v1/messages", "SQS-SendMessage", map[string]string{
			"QueueUrl": queueURL, "MessageBody": "$request.body",
			"MessageAttributes": `{"tenant":{"DataType":"String","StringValue":"${context.authorizer.tenant}"},"route":{"DataType":"String","StringValue":"${context.routeKey}"}}`,
		}),
		sqsRoute("GET", "/v1/send", "SQS-SendMessage", map[string]string{
			"QueueUrl": queueURL, "MessageBody": "$request.querystring.MessageBody", "DelaySeconds": "$request.querystring.delay",
		}),
		sqsRoute("GET", "/v1/messages", "SQS-ReceiveMessage", map[string]string{
			"QueueUrl": queueURL, "MaxNumberOfMessages": "10", "AttributeNames": "All", "MessageAttributeNames": `["All"]`, "VisibilityTimeout": "$request.querystring.visibility",
		}),
		sqsRoute("DELETE", "/v1/messages", "SQS-DeleteMessage", map[string]string{
			"QueueUrl": queueURL, "ReceiptHandle": "$request.querystring.receiptHandle",
		}),
		sqsRoute("POST", "/v1/purge", "SQS-PurgeQueue", map[string]string{"QueueUrl": queueURL}),
		sqsRoute("POST", "/v1/fifo/{group}", "SQS-SendMessage", map[string]string{
			"QueueUrl": fifoURL, "MessageBody": "$request.body.detail", "MessageGroupId": "$request.path.group",
			"MessageDeduplicationId": "$request.header.X-Delivery", "Region": "us-east-1",
		}),
		sqsRoute("POST", "/v1/missing", "SQS-SendMessage", map[string]string{
			"QueueUrl": queueURL + "-does-not-exist", "MessageBody": "$request.body",
		}),
	)
	cfg.Authorizers = map[string]Authorizer{"CognitoAuthorizer": {Type: "lambda", Function: authFn, EnableSimpleResponses: true,
		IdentitySource: []string{"$request.header.Authorization"}}}
	return cfg
}

func allowAcme() *fakeInvoker {
	return authInvoker(`{"isAuthorized":true,"context":{"tenant":"acme"}}`, nil)
}

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

type receiveResponse struct {
	ReceiveMessageResponse struct {
		ReceiveMessageResult struct {
			Messages []struct {
				Attributes        map[string]string
				Body              string
				MD5OfBody         string
				MessageAttributes map[string]struct{ DataType, StringValue string }
				MessageID         string `json:"MessageId"`
				ReceiptHandle     string
			} `json:"messages"`
		}
		ResponseMetadata struct {
			RequestID string `json:"RequestId"`
		}
	}
}

func TestNativeSQSIntegrations(t *testing.T) {
	client, queueURL, fifoURL := sqsPeer(t)
	ctx := context.Background()
	s := newTestServer(t, nativeConfig(queueURL, fifoURL), Options{Invoker: allowAcme(), SQS: client})
	auth := []string{"Authorization", "Bearer t"}

	t.Run("failures", func(t *testing.T) {
		tests := []struct {
			name       string
			method     string
			target     string
			body       string
			headers    []string
			wantStatus int
			wantBody   string
		}{
			{"no token", "POST", "/v1/messages", "x", nil, 401, `{"message":"Unauthorized"}`},
			{"empty MessageBody", "GET", "/v1/send", "", auth, 400, `{"message":"Bad Request"}`},
			{"DelaySeconds not a number", "GET", "/v1/send?MessageBody=x&delay=soon", "", auth, 400, `{"message":"Bad Request"}`},
			{"empty body", "POST", "/v1/messages", "", auth, 400, `{"message":"Bad Request"}`},
			{"jsonpath selects nothing", "POST", "/v1/fifo/g1", `{"other":1}`, append([]string{"X-Delivery", "d0"}, auth...), 400, `{"message":"Bad Request"}`},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				w := do(s, tt.method, tt.target, tt.body, tt.headers...)
				assert.Equal(t, tt.wantStatus, w.Code)
				assert.Equal(t, tt.wantBody, w.Body.String())
			})
		}
	})

	t.Run("queue does not exist", func(t *testing.T) {
		w := do(s, "POST", "/v1/missing", "x", auth...)
		assert.Equal(t, http.StatusBadRequest, w.Code)
		assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
		var doc sqsErrorJSON
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &doc))
		assert.Contains(t, doc.Error.Code, "NonExistentQueue")
		assert.Equal(t, "Sender", doc.Error.Type)
		assert.NotEmpty(t, doc.Error.Message)
	})

	t.Run("send, receive, delete", func(t *testing.T) {
		body := `{"order":42,"note":"hé"}`
		w := do(s, "POST", "/v1/messages", body, append([]string{"Content-Type", "application/json"}, auth...)...)
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
		var sent map[string]map[string]map[string]any
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &sent))
		result := sent["SendMessageResponse"]["SendMessageResult"]
		assert.Equal(t, md5Hex(body), result["MD5OfMessageBody"])
		assert.NotEmpty(t, result["MessageId"])
		assert.NotEmpty(t, result["MD5OfMessageAttributes"])
		assert.Contains(t, result, "SequenceNumber")
		assert.Nil(t, result["SequenceNumber"], "standard queues have no sequence number")
		assert.Contains(t, sent["SendMessageResponse"], "ResponseMetadata")

		w = do(s, "GET", "/v1/messages?visibility=0", "", auth...)
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		var got receiveResponse
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &got))
		msgs := got.ReceiveMessageResponse.ReceiveMessageResult.Messages
		require.Len(t, msgs, 1)
		m := msgs[0]
		assert.Equal(t, body, m.Body)
		assert.Equal(t, md5Hex(body), m.MD5OfBody)
		assert.Equal(t, result["MessageId"], m.MessageID)
		assert.Equal(t, "acme", m.MessageAttributes["tenant"].StringValue, "$context.authorizer.tenant")
		assert.Equal(t, "POST /v1/messages", m.MessageAttributes["route"].StringValue, "$context.routeKey")
		assert.NotEmpty(t, m.Attributes["SentTimestamp"], "AttributeNames=All")
		require.NotEmpty(t, m.ReceiptHandle)

		w = do(s, "DELETE", "/v1/messages?receiptHandle="+url.QueryEscape(m.ReceiptHandle), "", auth...)
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		var deleted map[string]map[string]map[string]string
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &deleted))
		assert.Contains(t, deleted["DeleteMessageResponse"], "ResponseMetadata")

		out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &queueURL, VisibilityTimeout: 1})
		require.NoError(t, err)
		assert.Empty(t, out.Messages, "deleted through the API")

		w = do(s, "GET", "/v1/messages", "", auth...)
		require.Equal(t, http.StatusOK, w.Code)
		assert.JSONEq(t, `null`, fmt.Sprint(mustField(t, w.Body.Bytes())), "empty receive has messages: null")
	})

	t.Run("send from the query string, then purge", func(t *testing.T) {
		w := do(s, "GET", "/v1/send?MessageBody=hello%20world", "", auth...)
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &queueURL, VisibilityTimeout: 0})
		require.NoError(t, err)
		require.Len(t, out.Messages, 1)
		assert.Equal(t, "hello world", *out.Messages[0].Body)

		w = do(s, "POST", "/v1/purge", "", auth...)
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		assert.Contains(t, w.Body.String(), `"PurgeQueueResponse":{"ResponseMetadata"`)
		attrs, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &queueURL, AttributeNames: []types.QueueAttributeName{"ApproximateNumberOfMessages"}})
		require.NoError(t, err)
		assert.Equal(t, "0", attrs.Attributes["ApproximateNumberOfMessages"])
	})

	t.Run("fifo with group and dedup from path and header", func(t *testing.T) {
		w := do(s, "POST", "/v1/fifo/tenant-a", `{"detail":{"x":1}}`, append([]string{"X-Delivery", "d1", "Content-Type", "application/json"}, auth...)...)
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		var sent map[string]map[string]map[string]any
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &sent))
		assert.NotEmpty(t, sent["SendMessageResponse"]["SendMessageResult"]["SequenceNumber"])
		out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &fifoURL, MessageSystemAttributeNames: []types.MessageSystemAttributeName{"MessageGroupId", "MessageDeduplicationId"}})
		require.NoError(t, err)
		require.Len(t, out.Messages, 1)
		assert.Equal(t, `{"x":1}`, *out.Messages[0].Body, "a JSON object selection is sent as its JSON text")
		assert.Equal(t, "tenant-a", out.Messages[0].Attributes["MessageGroupId"])
		assert.Equal(t, "d1", out.Messages[0].Attributes["MessageDeduplicationId"])
	})
}

func mustField(t *testing.T, b []byte) string {
	t.Helper()
	var r map[string]map[string]map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(b, &r))
	return string(r["ReceiveMessageResponse"]["ReceiveMessageResult"]["messages"])
}

func TestNativeSQSUnavailable(t *testing.T) {
	port := testpeer.FreePort(t)
	testpeer.SetAWSEnv(t, fmt.Sprintf("http://127.0.0.1:%d", port))
	awsCfg, err := config.LoadDefaultConfig(context.Background(), config.WithRetryMaxAttempts(1))
	require.NoError(t, err)
	client := sqs.NewFromConfig(awsCfg)
	s := newTestServer(t, nativeConfig("http://127.0.0.1/000000000000/q", "http://127.0.0.1/000000000000/q.fifo"), Options{Invoker: allowAcme(), SQS: client})
	w := do(s, "GET", "/v1/send?MessageBody=x", "", "Authorization", "t")
	assert.Equal(t, http.StatusInternalServerError, w.Code)
	assert.JSONEq(t, `{"message":"Internal Server Error"}`, w.Body.String())
}
