package restapi

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNativeBatchOfTen: a batch of 10 through POST /v1/messages/batch —
// SendBatch validation, template.yaml's request template rendered by
// package vtl, one SendMessageBatch to the real SQS endpoint — with one
// entry SQS refuses (a character outside SQS's allowed set, the
// documented per-entry failure InvalidMessageContents): nine stored, and
// SQS's Successful and Failed entries passed back with 200 as the default
// integration response does
// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html).
func TestNativeBatchOfTen(t *testing.T) {
	f := newFixture(t, validatedAPI(), policy("Allow", "*"))
	var entries []string
	for i := range 10 {
		body := fmt.Sprintf("message %d", i)
		if i == 4 {
			body = "bad \\u0001 body"
		}
		id := fmt.Sprintf(`"id":"m-%d",`, i)
		if i == 9 {
			id = "" // the id defaults to the 1-based position
		}
		entries = append(entries, fmt.Sprintf(`{%s"body":"%s","attributes":{"k":"v %d"}}`, id, body, i))
	}
	w := do(f.srv, "POST", "/v1/messages/batch", "["+strings.Join(entries, ",")+"]", "Authorization", bearer, "Content-Type", "application/json")
	require.Equal(t, 200, w.Code, w.Body.String())
	var resp struct {
		SendMessageBatchResponse struct {
			SendMessageBatchResult struct {
				Successful []struct{ Id string }
				Failed     []struct {
					Id, Code    string
					SenderFault bool
				}
			}
		}
	}
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &resp), w.Body.String())
	res := resp.SendMessageBatchResponse.SendMessageBatchResult
	require.Len(t, res.Successful, 9, w.Body.String())
	require.Len(t, res.Failed, 1)
	assert.Equal(t, "m-4", res.Failed[0].Id)
	assert.True(t, res.Failed[0].SenderFault)
	assert.Equal(t, "10", res.Successful[8].Id)

	msgs, _ := f.sqs.Peek(testQueue, 20)
	require.Len(t, msgs, 9)
	assert.Equal(t, "message 0", msgs[0].Body)
	assert.Equal(t, map[string]string{"k": "v 0", "sub": "user-1"}, msgs[0].Attributes)
}

// TestSendAnswerShape: the seed's exact GET /v1/send?MessageBody=TestMessageHello
// answer, SQS's query-protocol JSON passed through by the default
// integration response.
func TestSendAnswerShape(t *testing.T) {
	f := newFixture(t, testAPI(), policy("Allow", "*"))
	w := do(f.srv, "GET", "/v1/send?MessageBody=TestMessageHello", "", "Authorization", bearer)
	require.Equal(t, 200, w.Code)
	var got map[string]map[string]map[string]any
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &got), w.Body.String())
	r := got["SendMessageResponse"]
	assert.NotEmpty(t, r["ResponseMetadata"]["RequestId"])
	res := r["SendMessageResult"]
	assert.Equal(t, "0ef0d7773a388095bee26966144cc131", res["MD5OfMessageBody"])
	assert.Nil(t, res["MD5OfMessageAttributes"])
	assert.Nil(t, res["SequenceNumber"])
	assert.NotEmpty(t, res["MessageId"])
	// The seed shows exactly these four; the embedded endpoint also sends
	// MD5OfMessageSystemAttributes: null (sqsendpoint's choice, not checked here).
}

// TestSQSErrorMapped: an SQS error (4xx) goes through the 4\d{2}
// integration response, whose template reads SQS's JSON error.
func TestSQSErrorMapped(t *testing.T) {
	api := testAPI()
	api.Methods[0].Integration.Responses[1].ResponseTemplates["application/json"] =
		`{"code":"sqs_rejected","sqs_code":$input.json('$.Error.Code'),"message":$input.json('$.Error.Message')}`
	f := newFixture(t, api, policy("Allow", "*"))
	w := do(f.srv, "GET", "/v1/send", "", "Authorization", bearer) // no MessageBody: SQS refuses
	require.Equal(t, 400, w.Code, w.Body.String())
	var got map[string]string
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &got), w.Body.String())
	assert.Equal(t, "sqs_rejected", got["code"])
	assert.NotEmpty(t, got["sqs_code"])
	assert.NotEmpty(t, got["message"])
}
