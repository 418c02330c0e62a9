package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sqsgate/sqsgate/internal/local/fixtures"
	"github.com/sqsgate/sqsgate/internal/testpeer"
)

// The REST form of the template (ApiType=rest, issue 12) end to end: every
// route from HTTP in to SQS with the real functions, the REST API emulator
// and the embedded SQS endpoint. Statuses and bodies of API Gateway's own
// answers are AWS's:
//   - authorizer: https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-lambda-authorizer-output.html
//     (a Lambda authorizer failing with "Unauthorized" is 401 {"message":"Unauthorized"}; an explicit Deny is 403
//     {"Message":"User is not authorized to access this resource with an explicit deny"});
//   - API keys and usage plans: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-gatewayResponse-definition.html
//     (INVALID_API_KEY 403 {"message":"Forbidden"}, QUOTA_EXCEEDED 429 {"message":"Limit Exceeded"}).

// restUser is the sub of the dev tokens the REST tests send; the templates
// add it to every message as the attribute "sub".
const restUser = "rest-e2e-user"

// restRules makes POST /v1/messages need the write scope, so a read-only
// token meets the authorizer's explicit Deny on it.
const restRules = `{"POST /v1/messages":{"scopes":["sqsgate/write"]}}`

func restToken(t *testing.T, scope string) string {
	t.Helper()
	out, errOut, code := sqsgate(t, "token", "--sub", restUser, "--scope", scope)
	token := strings.TrimSpace(out)
	if code != 0 || strings.Count(token, ".") != 2 {
		t.Fatalf("sqsgate token: exit %d, output %q, stderr %s", code, out, errOut)
	}
	return token
}

func TestRESTEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end to end: starts sqsgate run and the real functions")
	}
	// The rules hold spaces, which --parameter-overrides splits on: they
	// go in through the env-vars file's Parameters.
	raw, err := os.ReadFile(filepath.Join(repoRoot, "env.local.json"))
	if err != nil {
		t.Fatal(err)
	}
	var env map[string]map[string]string
	if err := json.Unmarshal(raw, &env); err != nil {
		t.Fatal(err)
	}
	env["Parameters"]["CognitoRouteRules"] = restRules
	envFile := filepath.Join(t.TempDir(), "env.json")
	raw, _ = json.Marshal(env)
	if err := os.WriteFile(envFile, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	s := startStack(t, "--env-vars", envFile, "--parameter-overrides", "ApiType=rest CorsAllowOrigins= EventSchema=strict-order")
	ingest := s.queueURL(t, ingestQueue)
	token := restToken(t, "sqsgate/write sqsgate/read")
	if summary := s.stdout.String(); !strings.Contains(summary, "REST API ") || !strings.Contains(summary, "/v1/messages/batch") {
		t.Fatalf("the summary does not list the REST API's methods:\n%s", summary)
	}

	t.Run("GET /v1/send answers the seed's exact shape", func(t *testing.T) {
		status, body := call(t, http.MethodGet, s.API+"/v1/send?MessageBody=TestMessageHello", token, nil)
		if status != http.StatusOK {
			t.Fatalf("status %d body %s, want 200", status, body)
		}
		// {"SendMessageResponse":{"ResponseMetadata":{"RequestId":"…"},"SendMessageResult":{"MD5OfMessageAttributes":null,
		// "MD5OfMessageBody":"0ef0d7773a388095bee26966144cc131","MessageId":"…","SequenceNumber":null}}}
		var r struct {
			SendMessageResponse struct {
				ResponseMetadata  map[string]any
				SendMessageResult map[string]any
			}
		}
		if err := json.Unmarshal(body, &r); err != nil {
			t.Fatalf("body %s: %v", body, err)
		}
		if !sameKeys(body, []string{"SendMessageResponse"}, "ResponseMetadata", "SendMessageResult") {
			t.Errorf("SendMessageResponse keys differ from the seed's: %s", body)
		}
		res := r.SendMessageResponse.SendMessageResult
		if id, _ := r.SendMessageResponse.ResponseMetadata["RequestId"].(string); id == "" {
			t.Errorf("no RequestId: %s", body)
		}
		// The seed's four members; MD5OfMessageSystemAttributes (null) is
		// the one member SQS added since (with AWSTraceHeader), which the
		// embedded endpoint renders as today's captures show it
		// (sqsendpoint/queryjson_test.go cites them).
		if v, has := res["MD5OfMessageSystemAttributes"]; has && v == nil {
			delete(res, "MD5OfMessageSystemAttributes")
		}
		var keys []string
		for k := range res {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if want := []string{"MD5OfMessageAttributes", "MD5OfMessageBody", "MessageId", "SequenceNumber"}; !reflect.DeepEqual(keys, want) {
			t.Errorf("SendMessageResult members %v, want the seed's %v: %s", keys, want, body)
		}
		id, _ := res["MessageId"].(string)
		if res["MD5OfMessageBody"] != "0ef0d7773a388095bee26966144cc131" || id == "" || res["SequenceNumber"] != nil {
			t.Errorf("SendMessageResult %v", res)
		}
		m := receiveByID(t, s, ingest, id)
		if aws.ToString(m.Body) != "TestMessageHello" {
			t.Errorf("queued body %q", aws.ToString(m.Body))
		}
		deleteMessage(t, s, ingest, m)
	})

	t.Run("POST /v1/messages queues the body with the caller's sub", func(t *testing.T) {
		const sent = `{"hello":"rest","n":[1,2]}`
		status, body := call(t, http.MethodPost, s.API+"/v1/messages", token, []byte(sent), "Content-Type", "application/json")
		var r sendResponse
		if status != http.StatusOK || json.Unmarshal(body, &r) != nil || r.SendMessageResponse.SendMessageResult.MessageID == "" {
			t.Fatalf("status %d body %s, want 200 with SendMessageResult", status, body)
		}
		m := receiveByID(t, s, ingest, r.SendMessageResponse.SendMessageResult.MessageID)
		if aws.ToString(m.Body) != sent || aws.ToString(m.MessageAttributes["sub"].StringValue) != restUser {
			t.Errorf("queued body %q sub %q, want %q and %q", aws.ToString(m.Body), aws.ToString(m.MessageAttributes["sub"].StringValue), sent, restUser)
		}
		deleteMessage(t, s, ingest, m)
	})

	t.Run("POST /v1/messages/batch: 10 entries, one refused by SQS", func(t *testing.T) {
		var entries []map[string]any
		for i := 1; i <= 10; i++ {
			entries = append(entries, map[string]any{"id": fmt.Sprintf("e%d", i), "body": fmt.Sprintf("batch body %d", i), "attributes": map[string]string{"n": fmt.Sprint(i)}})
		}
		// A character SQS does not store (#x1, outside its allowed
		// ranges) fails this entry alone: SendMessageBatch reports it in
		// Failed, the others are queued.
		entries[6] = map[string]any{"id": "bad", "body": "refused \u0001 by SQS"}
		payload, _ := json.Marshal(entries)
		status, body := call(t, http.MethodPost, s.API+"/v1/messages/batch", token, payload, "Content-Type", "application/json")
		var r struct {
			SendMessageBatchResponse struct {
				SendMessageBatchResult struct {
					Successful []struct{ Id, MessageId, MD5OfMessageBody string }
					Failed     []struct {
						Id, Code    string
						SenderFault bool
					}
				}
			}
		}
		if status != http.StatusOK || json.Unmarshal(body, &r) != nil {
			t.Fatalf("status %d body %s, want 200 with SendMessageBatchResult", status, body)
		}
		res := r.SendMessageBatchResponse.SendMessageBatchResult
		if len(res.Successful) != 9 || len(res.Failed) != 1 || res.Failed[0].Id != "bad" || res.Failed[0].Code != "InvalidMessageContents" || !res.Failed[0].SenderFault {
			t.Fatalf("result %+v, want 9 successful and bad failed with InvalidMessageContents", res)
		}
		got := receiveN(t, s, ingest, len(res.Successful))
		for _, ok := range res.Successful {
			m, found := got[ok.MessageId]
			if !found {
				t.Errorf("entry %s: message %s not in the queue", ok.Id, ok.MessageId)
				continue
			}
			want := "batch body " + strings.TrimPrefix(ok.Id, "e")
			if aws.ToString(m.Body) != want || aws.ToString(m.MessageAttributes["n"].StringValue) != strings.TrimPrefix(ok.Id, "e") ||
				aws.ToString(m.MessageAttributes["sub"].StringValue) != restUser {
				t.Errorf("entry %s queued as %q with attributes %v", ok.Id, aws.ToString(m.Body), m.MessageAttributes)
			}
			deleteMessage(t, s, ingest, m)
		}
	})

	t.Run("POST /v1/messages/batch of 0 or 11 is 400 invalid_body before SQS", func(t *testing.T) {
		for _, n := range []int{0, 11} {
			entries := make([]map[string]string, n)
			for i := range entries {
				entries[i] = map[string]string{"body": "x"}
			}
			payload, _ := json.Marshal(entries)
			status, body := call(t, http.MethodPost, s.API+"/v1/messages/batch", token, payload, "Content-Type", "application/json")
			var e struct{ Code, Message string }
			if status != http.StatusBadRequest || json.Unmarshal(body, &e) != nil || e.Code != "invalid_body" || e.Message == "" {
				t.Errorf("%d entries: status %d body %s, want 400 {\"code\":\"invalid_body\",...}", n, status, body)
			}
		}
		if n := queueDepth(t, s, ingest); n != 0 {
			t.Errorf("%d messages in the queue after refused batches, want 0", n)
		}
	})

	t.Run("GET and DELETE /v1/messages", func(t *testing.T) {
		status, body := call(t, http.MethodGet, s.API+"/v1/send?MessageBody=to-receive", token, nil)
		if status != http.StatusOK {
			t.Fatalf("send: status %d body %s", status, body)
		}
		var got receiveResponse
		for attempt := 0; attempt < 10 && len(got.ReceiveMessageResponse.ReceiveMessageResult.Messages) == 0; attempt++ {
			status, body = call(t, http.MethodGet, s.API+"/v1/messages?max=10&wait=1", token, nil)
			if status != http.StatusOK || json.Unmarshal(body, &got) != nil {
				t.Fatalf("receive: status %d body %s, want 200 with ReceiveMessageResult", status, body)
			}
		}
		msgs := got.ReceiveMessageResponse.ReceiveMessageResult.Messages
		if len(msgs) != 1 || msgs[0].Body != "to-receive" || msgs[0].ReceiptHandle == "" {
			t.Fatalf("received %+v, want the one message sent", msgs)
		}
		status, body = call(t, http.MethodDelete, s.API+"/v1/messages?receiptHandle="+url.QueryEscape(msgs[0].ReceiptHandle), token, nil)
		if status != http.StatusOK || !bytes.Contains(body, []byte("DeleteMessageResponse")) {
			t.Errorf("delete: status %d body %s", status, body)
		}
		if n := queueDepth(t, s, ingest); n != 0 {
			t.Errorf("%d messages left after the delete", n)
		}
	})

	t.Run("signed GitHub webhook through payload 1.0", func(t *testing.T) {
		w := fixtures.Webhooks(time.Now())[0] // github-push
		status, body := postWebhook(t, s, w)
		var ok struct {
			MessageID string `json:"messageId"`
		}
		if status != http.StatusAccepted || json.Unmarshal(body, &ok) != nil || ok.MessageID == "" {
			t.Fatalf("status %d body %s, want 202 with a messageId", status, body)
		}
		m := receiveByID(t, s, ingest, ok.MessageID)
		if aws.ToString(m.Body) != string(w.Payload) || aws.ToString(m.MessageAttributes["delivery_id"].StringValue) != w.Delivery {
			t.Errorf("queued %.100q attributes %v", aws.ToString(m.Body), m.MessageAttributes)
		}
		deleteMessage(t, s, ingest, m)
		forged := fixtures.Webhooks(time.Now())[0]
		forged.Body = append([]byte(nil), forged.Body...)
		forged.Body[len(forged.Body)-2] ^= 1
		if status, body := postWebhook(t, s, forged); status != http.StatusUnauthorized {
			t.Errorf("forged delivery: status %d body %s, want 401", status, body)
		}
	})

	t.Run("POST /v1/events reaches the transformer", func(t *testing.T) { transformerFlow(t, s, ingest, token) })

	t.Run("authorization answers", func(t *testing.T) {
		status, body := call(t, http.MethodPost, s.API+"/v1/messages", "", []byte("x"), "Content-Type", "application/json")
		if status != http.StatusUnauthorized || !jsonEqual(body, `{"message":"Unauthorized"}`) {
			t.Errorf("no token: status %d body %s, want 401 {\"message\":\"Unauthorized\"}", status, body)
		}
		forged := token[:strings.LastIndex(token, ".")+1] + "c2lnbmF0dXJl"
		status, body = call(t, http.MethodPost, s.API+"/v1/messages", forged, []byte("x"), "Content-Type", "application/json")
		if status != http.StatusUnauthorized || !jsonEqual(body, `{"message":"Unauthorized"}`) {
			t.Errorf("forged token: status %d body %s, want 401 {\"message\":\"Unauthorized\"} (the authorizer fails with Unauthorized)", status, body)
		}
		reader := restToken(t, "sqsgate/read")
		status, body = call(t, http.MethodPost, s.API+"/v1/messages", reader, []byte("x"), "Content-Type", "application/json")
		if status != http.StatusForbidden || !jsonEqual(body, `{"Message":"User is not authorized to access this resource with an explicit deny"}`) {
			t.Errorf("token without the write scope: status %d body %s, want 403 explicit deny", status, body)
		}
		if n := queueDepth(t, s, ingest); n != 0 {
			t.Errorf("%d messages queued by refused calls", n)
		}
	})
}

// TestRESTAPIKeys runs the REST form with RequireApiKey and a quota of 2
// requests: no key or a wrong key is 403, the printed local key passes,
// the third request in the period is 429.
func TestRESTAPIKeys(t *testing.T) {
	if testing.Short() {
		t.Skip("end to end: starts sqsgate run and the real functions")
	}
	s := startStack(t, "--parameter-overrides", "ApiType=rest CorsAllowOrigins= RequireApiKey=true UsagePlanQuotaLimit=2 UsagePlanQuotaPeriod=DAY")
	const key = "sqsgate-local-IngestApiKey"
	if !strings.Contains(s.stdout.String(), key) {
		t.Fatalf("the summary does not print the local API key %s:\n%s", key, s.stdout.String())
	}
	token := restToken(t, "sqsgate/write sqsgate/read")
	send := func(apiKey string) (int, []byte) {
		h := []string{}
		if apiKey != "" {
			h = append(h, "X-Api-Key", apiKey)
		}
		return call(t, http.MethodGet, s.API+"/v1/send?MessageBody=keyed", token, nil, h...)
	}
	for _, bad := range []string{"", "sqsgate-local-NotAKey00000"} {
		if status, body := send(bad); status != http.StatusForbidden || !jsonEqual(body, `{"message":"Forbidden"}`) {
			t.Errorf("key %q: status %d body %s, want 403 {\"message\":\"Forbidden\"}", bad, status, body)
		}
	}
	for i := 1; i <= 2; i++ {
		if status, body := send(key); status != http.StatusOK {
			t.Fatalf("request %d within the quota: status %d body %s", i, status, body)
		}
	}
	if status, body := send(key); status != http.StatusTooManyRequests || !jsonEqual(body, `{"message":"Limit Exceeded"}`) {
		t.Errorf("over the quota: status %d body %s, want 429 {\"message\":\"Limit Exceeded\"}", status, body)
	}
	if n := queueDepth(t, s, s.queueURL(t, ingestQueue)); n != 2 {
		t.Errorf("%d messages queued, want the 2 within the quota", n)
	}
	if status, _ := call(t, http.MethodPost, s.API+"/webhooks/github", "", []byte("{}"), "Content-Type", "application/json"); status == http.StatusForbidden {
		t.Errorf("the webhook route asks for an API key: it has no security requirement")
	}
}

// receiveN receives from the queue until n messages have arrived, by id
// (receiveByID would leave the rest of a received batch in flight).
func receiveN(t *testing.T, s *stack, queueURL string, n int) map[string]sqstypes.Message {
	t.Helper()
	got := map[string]sqstypes.Message{}
	for attempt := 0; attempt < 10 && len(got) < n; attempt++ {
		out, err := s.sqs.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
			QueueUrl:              aws.String(queueURL),
			MaxNumberOfMessages:   10,
			WaitTimeSeconds:       1,
			MessageAttributeNames: []string{"All"},
		})
		if err != nil {
			t.Fatalf("ReceiveMessage: %v", err)
		}
		for _, m := range out.Messages {
			got[aws.ToString(m.MessageId)] = m
		}
	}
	if len(got) != n {
		t.Errorf("received %d messages, want %d", len(got), n)
	}
	return got
}

// sameKeys reports whether the JSON object at path in doc has exactly keys.
func sameKeys(doc []byte, path []string, keys ...string) bool {
	var v any
	if json.Unmarshal(doc, &v) != nil {
		return false
	}
	for _, p := range path {
		m, _ := v.(map[string]any)
		v = m[p]
	}
	m, ok := v.(map[string]any)
	if !ok {
		return false
	}
	var got []string
	for k := range m {
		got = append(got, k)
	}
	sort.Strings(got)
	sort.Strings(keys)
	return reflect.DeepEqual(got, keys)
}

func jsonEqual(a []byte, b string) bool {
	var x, y any
	return json.Unmarshal(a, &x) == nil && json.Unmarshal([]byte(b), &y) == nil && reflect.DeepEqual(x, y)
}

// TestRESTExternalSQS: with --sqs-endpoint the REST API's SQS integrations
// go to that endpoint, signed with SigV4 for sqs as API Gateway signs them
// (moto routes an unsigned /<account>/<queue> request to its S3). moto
// answers the query protocol in XML whatever the Accept header, so only
// the message's arrival is compared, not the JSON shape.
func TestRESTExternalSQS(t *testing.T) {
	if testing.Short() {
		t.Skip("end to end: starts sqsgate run and the real functions")
	}
	s := startStack(t, "--sqs-endpoint", testpeer.StartMoto(t).URL, "--account-id", "123456789012", "--parameter-overrides", "ApiType=rest CorsAllowOrigins=")
	ingest := s.queueURL(t, ingestQueue)
	token := restToken(t, "sqsgate/write sqsgate/read")
	const sent = `{"to":"moto"}`
	status, body := call(t, http.MethodPost, s.API+"/v1/messages", token, []byte(sent), "Content-Type", "application/json")
	if status != http.StatusOK || !bytes.Contains(body, []byte("SendMessageResponse")) {
		t.Fatalf("status %d body %s, want 200 with moto's SendMessageResponse", status, body)
	}
	got := receiveN(t, s, ingest, 1)
	for _, m := range got {
		if aws.ToString(m.Body) != sent || aws.ToString(m.MessageAttributes["sub"].StringValue) != restUser {
			t.Errorf("moto holds %q with attributes %v, want %q from %s", aws.ToString(m.Body), m.MessageAttributes, sent, restUser)
		}
	}
}
