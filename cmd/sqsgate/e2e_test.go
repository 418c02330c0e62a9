package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sqsgate/sqsgate/internal/local/fixtures"
	"github.com/sqsgate/sqsgate/internal/testpeer"
	"github.com/sqsgate/sqsgate/internal/webhook/github"
)

// maxReceiveCount is what the tests set the template's MaxReceiveCount to,
// so the dead-letter flow is short.
const maxReceiveCount = 2

const (
	ingestQueue = "sqsgate-ingest"
	deadLetters = "sqsgate-dlq"
)

// backends are the SQS endpoints the whole flow runs against: the embedded
// one, and moto_server as an external endpoint (--sqs-endpoint).
var backends = []struct {
	name string
	args func(t *testing.T) []string
}{
	{"embedded SQS", func(*testing.T) []string { return nil }},
	{"moto_server as external SQS", func(t *testing.T) []string {
		// moto's default account, so ARNs built with ${AWS::AccountId}
		// (the DLQ's RedriveAllowPolicy) name moto's queues.
		return []string{"--sqs-endpoint", testpeer.StartMoto(t).URL, "--account-id", "123456789012"}
	}},
}

func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end to end: starts sqsgate run and the real functions")
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			args := append(b.args(t), "--parameter-overrides", "MaxReceiveCount="+strconv.Itoa(maxReceiveCount)+" EventSchema=strict-order")
			s := startStack(t, args...)
			ingest, dlq := s.queueURL(t, ingestQueue), s.queueURL(t, deadLetters)
			t.Run("webhooks", func(t *testing.T) { webhookFlows(t, s, ingest) })
			t.Run("dead-letter queue after maxReceiveCount receives", func(t *testing.T) { deadLetterFlow(t, s, ingest, dlq) })
			token := devToken(t)
			t.Run("native SQS routes", func(t *testing.T) { nativeFlows(t, s, ingest, token) })
			t.Run("transformer", func(t *testing.T) { transformerFlow(t, s, ingest, token) })
		})
	}
}

// postWebhook sends a fixture delivery to the API.
func postWebhook(t testing.TB, s *stack, w fixtures.Webhook) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.API+w.Path, bytes.NewReader(w.Body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = w.Headers.Clone()
	return send(t, req)
}

// webhookFlows posts every fixture delivery of every provider: accepted
// ones land in the queue with their exact body and attributes; Slack's
// url_verification is answered with its challenge; rejected ones get 401;
// neither leaves anything behind.
func webhookFlows(t *testing.T, s *stack, queueURL string) {
	for i, w := range fixtures.Webhooks(time.Now()) {
		t.Run(w.Name, func(t *testing.T) {
			w := fixtures.Webhooks(time.Now())[i] // Paddle, Stripe, Standard Webhooks and Slack sign the current time
			sent := time.Now()
			status, body := postWebhook(t, s, w)
			if status != w.WantStatus {
				t.Fatalf("status %d, want %d: %s", status, w.WantStatus, body)
			}
			if w.WantStatus == http.StatusOK {
				// Answered, not queued (Slack's url_verification).
				if string(body) != w.WantBody {
					t.Errorf("answer %q, want %q", body, w.WantBody)
				}
				return
			}
			if w.WantStatus != http.StatusAccepted {
				var e struct{ Code, Message string }
				if err := json.Unmarshal(body, &e); err != nil || e.Code == "" {
					t.Errorf("rejection body %s is not {\"code\",\"message\"}", body)
				}
				return
			}
			var ok struct {
				MessageID string `json:"messageId"`
			}
			if err := json.Unmarshal(body, &ok); err != nil || ok.MessageID == "" {
				t.Fatalf("202 body %s has no messageId", body)
			}
			m := receiveByID(t, s, queueURL, ok.MessageID)
			if got := aws.ToString(m.Body); got != string(w.Payload) {
				t.Errorf("message body differs from the delivered JSON:\n got %.200s\nwant %.200s", got, w.Payload)
			}
			attr := func(name string) string { return aws.ToString(m.MessageAttributes[name].StringValue) }
			want := map[string]string{"provider": w.Provider, "event": w.Event, "delivery_id": w.Delivery, "verified_by": w.VerifiedBy}
			for k, v := range want {
				if attr(k) != v {
					t.Errorf("attribute %s = %q, want %q", k, attr(k), v)
				}
			}
			if ct := attr("content_type"); ct == "" || (w.Headers.Get("Content-Type") == "application/json" && ct != "application/json") {
				t.Errorf("attribute content_type = %q", ct)
			}
			at, err := time.Parse(time.RFC3339, attr("received_at"))
			if err != nil || at.Before(sent.Add(-2*time.Second)) || at.After(time.Now().Add(2*time.Second)) {
				t.Errorf("attribute received_at = %q (%v), want RFC 3339 near %s", attr("received_at"), err, sent.Format(time.RFC3339))
			}
			if len(m.MessageAttributes) > 10 {
				t.Errorf("%d message attributes, SQS allows 10", len(m.MessageAttributes))
			}
			deleteMessage(t, s, queueURL, m)
		})
	}
	t.Run("a signed body that is not UTF-8 is 400 invalid_payload", func(t *testing.T) {
		// Issue 16, item 8: the bytes must reach the function unchanged,
		// so it verifies the signature and then refuses what SQS cannot
		// store, instead of a 401 for bytes altered on the way.
		w := fixtures.Webhooks(time.Now())[0] // github-push
		w.Body = []byte("{\"a\":\"\xff\xfe\"}")
		w.Headers = w.Headers.Clone()
		w.Headers.Set("Content-Type", "application/json")
		w.Headers.Set(github.SignatureHeader, github.Sign(fixtures.GitHubSecret, w.Body))
		w.Headers.Del(github.SHA1SignatureHeader)
		status, body := postWebhook(t, s, w)
		var e struct{ Code string }
		_ = json.Unmarshal(body, &e)
		if status != http.StatusBadRequest || e.Code != "invalid_payload" {
			t.Errorf("got %d %s, want 400 invalid_payload", status, body)
		}
	})
	t.Run("rejected and answered deliveries left the queue empty", func(t *testing.T) {
		if n := queueDepth(t, s, queueURL); n != 0 {
			t.Errorf("%d messages in the queue after the rejected deliveries, want 0", n)
		}
	})
}

// receiveByID receives from the queue until the message with id arrives.
func receiveByID(t testing.TB, s *stack, queueURL, id string) sqstypes.Message {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
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
			if aws.ToString(m.MessageId) == id {
				return m
			}
			t.Errorf("unexpected message %s in the queue: %.100s", aws.ToString(m.MessageId), aws.ToString(m.Body))
			deleteMessage(t, s, queueURL, m)
		}
	}
	t.Fatalf("message %s never arrived", id)
	return sqstypes.Message{}
}

func deleteMessage(t testing.TB, s *stack, queueURL string, m sqstypes.Message) {
	t.Helper()
	if _, err := s.sqs.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: aws.String(queueURL), ReceiptHandle: m.ReceiptHandle}); err != nil {
		t.Errorf("DeleteMessage: %v", err)
	}
}

// queueDepth is the number of visible plus in-flight messages.
func queueDepth(t testing.TB, s *stack, queueURL string) int {
	t.Helper()
	out, err := s.sqs.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(queueURL),
		AttributeNames: []sqstypes.QueueAttributeName{
			sqstypes.QueueAttributeNameApproximateNumberOfMessages,
			sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible,
		},
	})
	if err != nil {
		t.Fatalf("GetQueueAttributes: %v", err)
	}
	visible, _ := strconv.Atoi(out.Attributes[string(sqstypes.QueueAttributeNameApproximateNumberOfMessages)])
	inflight, _ := strconv.Atoi(out.Attributes[string(sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible)])
	return visible + inflight
}

// deadLetterFlow receives a webhook's message maxReceiveCount times without
// deleting it; the next receive finds it gone to the dead-letter queue.
func deadLetterFlow(t *testing.T, s *stack, queueURL, dlqURL string) {
	w := fixtures.Webhooks(time.Now())[1] // github-ping
	status, body := postWebhook(t, s, w)
	if status != http.StatusAccepted {
		t.Fatalf("status %d: %s", status, body)
	}
	var ok struct {
		MessageID string `json:"messageId"`
	}
	json.Unmarshal(body, &ok)
	// A failing consumer: receive, never delete, let the 1 s visibility
	// timeout run out. (VisibilityTimeout 0 cannot be sent with the Go
	// SDK: zero means "not set".)
	receives := 0
	for attempt := 0; attempt < maxReceiveCount+3; attempt++ {
		out, err := s.sqs.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
			QueueUrl:          aws.String(queueURL),
			WaitTimeSeconds:   3,
			VisibilityTimeout: 1,
		})
		if err != nil {
			t.Fatalf("ReceiveMessage: %v", err)
		}
		if len(out.Messages) == 0 {
			break
		}
		if id := aws.ToString(out.Messages[0].MessageId); id != ok.MessageID {
			t.Fatalf("received %s, want %s", id, ok.MessageID)
		}
		receives++
	}
	if receives != maxReceiveCount {
		t.Errorf("received %d times before the message left the queue, want maxReceiveCount=%d", receives, maxReceiveCount)
	}
	m := receiveByID(t, s, dlqURL, ok.MessageID)
	if aws.ToString(m.Body) != string(w.Payload) {
		t.Errorf("dead-lettered body differs: %.100s", aws.ToString(m.Body))
	}
	deleteMessage(t, s, dlqURL, m)
}

// devToken mints a token with the binary's token command.
func devToken(t *testing.T) string {
	t.Helper()
	out, errOut, code := sqsgate(t, "token", "--scope", "sqsgate/write sqsgate/read", "--groups", "writers")
	token := strings.TrimSpace(out)
	if code != 0 || strings.Count(token, ".") != 2 {
		t.Fatalf("sqsgate token: exit %d, output %q, stderr %s", code, out, errOut)
	}
	return token
}

// call sends an HTTP request to the API and returns status and body.
func call(t testing.TB, method, u, token string, body []byte, header ...string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return send(t, req)
}

// send does req and returns the status and body.
func send(t testing.TB, req *http.Request) (int, []byte) {
	t.Helper()
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

type sendResponse struct {
	SendMessageResponse struct {
		SendMessageResult struct {
			MessageID        string `json:"MessageId"`
			MD5OfMessageBody string
		}
	}
}

type receiveResponse struct {
	ReceiveMessageResponse struct {
		ReceiveMessageResult struct {
			Messages []struct {
				Body, MessageID, ReceiptHandle string
			} `json:"messages"`
		}
	}
}

// nativeFlows drives the native SQS routes with a dev token: send (body
// and query string), receive, delete, and the authorizer's refusals.
func nativeFlows(t *testing.T, s *stack, queueURL, token string) {
	t.Run("no token is 401", func(t *testing.T) {
		status, body := call(t, http.MethodPost, s.API+"/v1/messages", "", []byte("x"))
		if status != http.StatusUnauthorized || !strings.Contains(string(body), "Unauthorized") {
			t.Errorf("status %d body %s, want 401 Unauthorized", status, body)
		}
	})
	t.Run("forged token is 403", func(t *testing.T) {
		forged := token[:strings.LastIndex(token, ".")+1] + "c2lnbmF0dXJl"
		status, body := call(t, http.MethodPost, s.API+"/v1/messages", forged, []byte("x"))
		if status != http.StatusForbidden {
			t.Errorf("status %d body %s, want 403", status, body)
		}
	})
	sent := map[string]string{} // message id → body
	t.Run("POST /v1/messages", func(t *testing.T) {
		status, body := call(t, http.MethodPost, s.API+"/v1/messages", token, []byte(`{"hello":"native"}`), "Content-Type", "application/json")
		var r sendResponse
		if status != http.StatusOK || json.Unmarshal(body, &r) != nil || r.SendMessageResponse.SendMessageResult.MessageID == "" {
			t.Fatalf("status %d body %s, want 200 with SendMessageResult", status, body)
		}
		sent[r.SendMessageResponse.SendMessageResult.MessageID] = `{"hello":"native"}`
	})
	t.Run("GET /v1/send?MessageBody=", func(t *testing.T) {
		status, body := call(t, http.MethodGet, s.API+"/v1/send?MessageBody="+url.QueryEscape("hello query"), token, nil)
		var r sendResponse
		if status != http.StatusOK || json.Unmarshal(body, &r) != nil || r.SendMessageResponse.SendMessageResult.MessageID == "" {
			t.Fatalf("status %d body %s, want 200 with SendMessageResult", status, body)
		}
		sent[r.SendMessageResponse.SendMessageResult.MessageID] = "hello query"
	})
	t.Run("GET /v1/messages then DELETE /v1/messages?receiptHandle=", func(t *testing.T) {
		got := map[string]bool{}
		for attempt := 0; attempt < 10 && len(got) < len(sent); attempt++ {
			status, body := call(t, http.MethodGet, s.API+"/v1/messages?max=10&wait=1", token, nil)
			var r receiveResponse
			if status != http.StatusOK || json.Unmarshal(body, &r) != nil {
				t.Fatalf("status %d body %s, want 200 with ReceiveMessageResult", status, body)
			}
			for _, m := range r.ReceiveMessageResponse.ReceiveMessageResult.Messages {
				want, ok := sent[m.MessageID]
				if !ok || m.Body != want {
					t.Errorf("received %s %q, want one of %v", m.MessageID, m.Body, sent)
				}
				got[m.MessageID] = true
				status, body := call(t, http.MethodDelete, s.API+"/v1/messages?receiptHandle="+url.QueryEscape(m.ReceiptHandle), token, nil)
				if status != http.StatusOK {
					t.Errorf("DELETE: status %d body %s", status, body)
				}
			}
		}
		if len(got) != len(sent) {
			t.Fatalf("received %d of %d messages", len(got), len(sent))
		}
		if n := queueDepth(t, s, queueURL); n != 0 {
			t.Errorf("%d messages left after deleting every one", n)
		}
	})
}

// validOrder satisfies the strict-order schema TestEndToEnd selects
// (env.local.json keeps the default, which accepts any object).
const validOrder = `{"orderId":"ord_e2e00001","amount":11.25,"currency":"EUR","items":[{"sku":"SKU-1","quantity":1}]}`

// transformerFlow posts one event to the transformer and finds its
// CloudEvents envelope in the queue; an event the schema refuses gets 422
// naming the field, and nothing is enqueued for it.
func transformerFlow(t *testing.T, s *stack, queueURL, token string) {
	status, body := call(t, http.MethodPost, s.API+"/v1/events", token, []byte(`{"orderId":"ord_e2e00002","amount":-1,"currency":"EUR","items":[{"sku":"SKU-1","quantity":1}]}`),
		"Content-Type", "application/json")
	if status != http.StatusUnprocessableEntity || !bytes.Contains(body, []byte(`"pointer":"/amount"`)) {
		t.Fatalf("invalid order: status %d body %s, want 422 pointing at /amount", status, body)
	}
	if n := queueDepth(t, s, queueURL); n != 0 {
		t.Fatalf("%d messages enqueued for a refused event", n)
	}
	data := validOrder
	status, body = call(t, http.MethodPost, s.API+"/v1/events", token, []byte(data),
		"Content-Type", "application/json", "Ce-Type", "com.example.order.created")
	var r struct {
		Results []struct {
			MessageID string `json:"messageId"`
		} `json:"results"`
	}
	if status != http.StatusAccepted || json.Unmarshal(body, &r) != nil || len(r.Results) != 1 || r.Results[0].MessageID == "" {
		t.Fatalf("status %d body %s, want 202 with one result", status, body)
	}
	m := receiveByID(t, s, queueURL, r.Results[0].MessageID)
	var envelope struct {
		SpecVersion string          `json:"specversion"`
		Type        string          `json:"type"`
		Data        json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &envelope); err != nil {
		t.Fatalf("body is not a CloudEvent: %v", err)
	}
	var compact bytes.Buffer
	json.Compact(&compact, envelope.Data)
	if envelope.SpecVersion != "1.0" || envelope.Type != "com.example.order.created" || compact.String() != data {
		t.Errorf("envelope %+v data %s, want specversion 1.0, the Ce-Type and the posted data", envelope, compact.String())
	}
	deleteMessage(t, s, queueURL, m)
}

// TestRefusesCustomDomain checks that the platform refuses, with a clear
// message, a template whose custom domain condition is true.
func TestRefusesCustomDomain(t *testing.T) {
	port := func() string { return "127.0.0.1:" + strconv.Itoa(testpeer.FreePort(t)) }
	_, stderr, code := sqsgate(t, "run", "--env-vars", "env.local.json", "--functions-dir", functionsDir,
		"--api-addr", port(), "--lambda-addr", port(), "--sqs-addr", port(), "--data-dir", "",
		"--parameter-overrides", "DomainName=hooks.example.com HostedZoneId=Z123EXAMPLE")
	if code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	for _, want := range []string{"custom domain", "hooks.example.com", "not supported locally"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr does not say %q:\n%s", want, stderr)
		}
	}
}

func TestInvoke(t *testing.T) {
	dir := t.TempDir()
	if _, errOut, code := sqsgate(t, "events", "--dir", dir); code != 0 {
		t.Fatalf("sqsgate events: %d %s", code, errOut)
	}
	tests := []struct {
		name       string
		function   string
		event      string
		wantCode   int
		wantStatus int // the function's statusCode; 0 = not an HTTP response
	}{
		{"malformed event is a function error", "WebhookFunction", "bad.json", 1, 0},
		{"forged GitHub delivery is answered 401", "WebhookFunction", "webhook/github-push-bad-signature.json", 0, 401},
		{"signed GitHub push is accepted", "WebhookFunction", "webhook/github-push.json", 0, 202},
		{"signed Paddle notification is accepted", "WebhookFunction", "webhook/paddle-transaction-completed.json", 0, 202},
		{"signed Stripe event is accepted", "WebhookFunction", "webhook/stripe-payment-intent-succeeded.json", 0, 202},
		{"Standard Webhooks v1a delivery is accepted", "WebhookFunction", "webhook/standard-contact-created-v1a.json", 0, 202},
		{"signed Shopify webhook is accepted", "WebhookFunction", "webhook/shopify-orders-create.json", 0, 202},
		{"Slack's url_verification is answered", "WebhookFunction", "webhook/slack-url-verification.json", 0, 200},
		{"stale Slack request is answered 401", "WebhookFunction", "webhook/slack-stale-timestamp.json", 0, 401},
	}
	if err := os.WriteFile(filepath.Join(dir, "bad.json"), []byte(`["not an event"]`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(tc.event, "github") && !strings.Contains(tc.event, "shopify") { // signed at generation time: re-sign now
				if _, errOut, code := sqsgate(t, "events", "--dir", dir); code != 0 {
					t.Fatalf("sqsgate events: %d %s", code, errOut)
				}
			}
			out, errOut, code := sqsgate(t, "invoke", tc.function, "--event", filepath.Join(dir, tc.event),
				"--env-vars", "env.local.json", "--functions-dir", functionsDir)
			if code != tc.wantCode {
				t.Fatalf("exit code %d, want %d\nstdout %s\nstderr %s", code, tc.wantCode, out, errOut)
			}
			if !strings.Contains(errOut, "REPORT RequestId: ") {
				t.Errorf("no REPORT line on stderr:\n%s", errOut)
			}
			if tc.wantStatus != 0 {
				var resp struct {
					StatusCode int `json:"statusCode"`
				}
				if err := json.Unmarshal([]byte(out), &resp); err != nil || resp.StatusCode != tc.wantStatus {
					t.Errorf("stdout %s: statusCode %d (%v), want %d", out, resp.StatusCode, err, tc.wantStatus)
				}
			}
		})
	}
}

func TestHelpDocumentsFlagsAndEnvironment(t *testing.T) {
	for _, c := range []struct{ cmd, flag string }{
		{"run", "api-addr"}, {"run", "sqs-endpoint"}, {"run", "lambda-addr"}, {"run", "data-dir"},
		{"sqs", "sqs-addr"}, {"invoke", "event"}, {"token", "token-use"}, {"events", "dir"},
		{"run", "allow-other-users"}, {"sqs", "allow-other-users"}, {"invoke", "allow-other-users"},
	} {
		t.Run(c.cmd+" --"+c.flag, func(t *testing.T) {
			_, errOut, code := sqsgate(t, c.cmd, "--help")
			env := "SQSGATE_" + strings.ToUpper(strings.ReplaceAll(c.flag, "-", "_"))
			if code != 0 || !strings.Contains(errOut, "--"+c.flag) || !strings.Contains(errOut, env) {
				t.Errorf("exit %d; help does not document --%s and $%s:\n%s", code, c.flag, env, errOut)
			}
		})
	}
}
