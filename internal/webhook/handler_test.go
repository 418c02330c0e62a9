package webhook

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sqsgate/sqsgate/internal/apigw"
	"github.com/sqsgate/sqsgate/internal/deadline"
	"github.com/sqsgate/sqsgate/internal/secrets"
	"github.com/sqsgate/sqsgate/internal/sqsmsg"
	"github.com/sqsgate/sqsgate/internal/webhook/github"
	"github.com/sqsgate/sqsgate/internal/webhook/paddle"
)

const (
	githubSecret = "sqsgate-dev-github-secret"
	paddleSecret = "pdl_ntfset_sqsgatedev_localonly"
	deliveryID   = "72d3162e-cc78-11e3-81ab-4c9367dc0958"
)

var testNow = time.Date(2026, 11, 22, 1, 2, 3, 0, time.UTC)

// senderFunc is a fake Sender, a function type as the SDK's unit-testing
// guide recommends.
type senderFunc func(ctx context.Context, in *sqs.SendMessageInput, optFns ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)

func (f senderFunc) SendMessage(ctx context.Context, in *sqs.SendMessageInput, optFns ...func(*sqs.Options)) (*sqs.SendMessageOutput, error) {
	return f(ctx, in, optFns...)
}

// recorder is a Sender that records inputs and answers with a message id.
type recorder struct{ inputs []*sqs.SendMessageInput }

func (r *recorder) SendMessage(_ context.Context, in *sqs.SendMessageInput, _ ...func(*sqs.Options)) (*sqs.SendMessageOutput, error) {
	r.inputs = append(r.inputs, in)
	return &sqs.SendMessageOutput{MessageId: aws.String("msg-1")}, nil
}

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return bytes.TrimRight(b, "\n")
}

func literal(t testing.TB, value string) *secrets.Source {
	t.Helper()
	s, err := secrets.New(secrets.Options{Value: value})
	require.NoError(t, err)
	return s
}

func newTestHandler(t testing.TB, sender Sender, logs *bytes.Buffer) *Handler {
	t.Helper()
	var logger *slog.Logger
	if logs != nil {
		logger = slog.New(slog.NewJSONHandler(logs, nil))
	}
	h, err := New(Config{
		QueueURL: "https://sqs.us-east-1.amazonaws.com/000000000000/IngestQueue",
		Secrets: map[string]SecretConfig{
			ProviderGitHub: {Value: githubSecret}, ProviderPaddle: {Value: paddleSecret},
			ProviderStripe: {Value: stripeSecret}, ProviderStandard: {Value: standardSecret + "," + standardPublicKey()},
			ProviderShopify: {Value: shopifySecret}, ProviderSlack: {Value: slackSecret},
		},
	}, Deps{SQS: sender, Now: func() time.Time { return testNow }}, logger)
	require.NoError(t, err)
	return h
}

// request builds an HTTP API v2 event as API Gateway delivers it: lowercase
// header names, base64 for bodies it does not treat as text.
func request(path string, headers map[string]string, body []byte, b64 bool) events.APIGatewayV2HTTPRequest {
	req := events.APIGatewayV2HTTPRequest{
		Version:  "2.0",
		RouteKey: "POST " + path,
		RawPath:  path,
		Headers:  map[string]string{},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			Stage:     "$default",
			RequestID: "req-1",
			HTTP:      events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: http.MethodPost, Path: path},
		},
		Body:            string(body),
		IsBase64Encoded: b64,
	}
	if b64 {
		req.Body = base64.StdEncoding.EncodeToString(body)
	}
	for k, v := range headers {
		req.Headers[strings.ToLower(k)] = v
	}
	return req
}

func githubHeaders(body []byte) map[string]string {
	return map[string]string{
		"Content-Type":         "application/json",
		github.SignatureHeader: github.Sign(githubSecret, body),
		github.EventHeader:     "push",
		github.DeliveryHeader:  deliveryID,
	}
}

func paddleHeaders(body []byte, ts time.Time) map[string]string {
	return map[string]string{
		"Content-Type":         "application/json",
		paddle.SignatureHeader: paddle.Sign(paddleSecret, ts, body),
	}
}

func with(h map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range h {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == "" {
			delete(out, kv[i])
			continue
		}
		out[kv[i]] = kv[i+1]
	}
	return out
}

func errorCode(t *testing.T, resp events.APIGatewayV2HTTPResponse) string {
	t.Helper()
	var body apigw.ErrorBody
	require.NoError(t, json.Unmarshal([]byte(resp.Body), &body), resp.Body)
	assert.NotEmpty(t, body.Message)
	return body.Code
}

// rejection is a request the handler must refuse, and how.
type rejection struct {
	name    string
	req     events.APIGatewayV2HTTPRequest
	handler func(*Handler)
	status  int
	code    string
}

// rejections are the ways a delivery is refused; TestHandleRejects runs them
// and TestREADMENamesTheCodesOf401 reads the codes they produce.
func rejections(t *testing.T) []rejection {
	push := fixture(t, "github-push.json")
	txn := fixture(t, "paddle-transaction-completed.json")
	gh := githubHeaders(push)
	pd := paddleHeaders(txn, testNow)
	form := []byte("payload=" + url.QueryEscape(string(push)))
	big := []byte(`{"pad":"` + strings.Repeat("x", sqsmsg.MaxMessageBytes) + `"}`)
	nul := []byte("{\"a\":\"\x00\"}")
	notUTF8 := []byte("{\"a\":\"\xff\xfe\"}")
	paddleNotUTF8 := []byte("{\"event_id\":\"evt_1\",\"event_type\":\"a.b\",\"data\":\"\xff\xfe\"}")
	return []rejection{
		{"unknown path", request("/webhooks/gitlab", gh, push, false), nil, 404, "not_found"},
		{"wrong method", func() events.APIGatewayV2HTTPRequest {
			r := request(GitHubPath, gh, push, false)
			r.RequestContext.HTTP.Method = http.MethodGet
			return r
		}(), nil, 405, "method_not_allowed"},
		{"github unsigned", request(GitHubPath, with(gh, github.SignatureHeader, ""), push, false), nil, 401, "missing_signature"},
		{"github sha1 only", request(GitHubPath, with(gh, github.SignatureHeader, "", github.SHA1SignatureHeader, "sha1=0123456789abcdef0123456789abcdef01234567"), push, false), nil, 401, "sha256_signature_required"},
		{"github forged", request(GitHubPath, with(gh, github.SignatureHeader, github.Sign("guess", push)), push, false), nil, 401, "invalid_signature"},
		{"github body altered", request(GitHubPath, gh, append(bytes.Clone(push), ' '), false), nil, 401, "invalid_signature"},
		{"github malformed signature", request(GitHubPath, with(gh, github.SignatureHeader, "sha256=xyz"), push, false), nil, 401, "malformed_signature"},
		{"github repeated signature", request(GitHubPath, with(gh, github.SignatureHeader, gh[github.SignatureHeader]+","+gh[github.SignatureHeader]), push, false), nil, 400, "repeated_header"},
		{"github no secret configured", request(GitHubPath, gh, push, false), func(h *Handler) { h.secrets[ProviderGitHub] = literal(t, "") }, 503, "secret_unavailable"},
		{"github nil secret source", request(GitHubPath, gh, push, false), func(h *Handler) { delete(h.secrets, ProviderGitHub) }, 503, "secret_unavailable"},
		{"github bad base64", func() events.APIGatewayV2HTTPRequest {
			r := request(GitHubPath, gh, push, true)
			r.Body = "!!" + r.Body
			return r
		}(), nil, 400, "malformed_request"},
		{"github over the body cap", request(GitHubPath, gh, push, true), func(h *Handler) { h.maxBodyBytes = 10 }, 413, "payload_too_large"},
		{"github missing event", request(GitHubPath, with(gh, github.EventHeader, ""), push, false), nil, 400, "missing_header"},
		{"github missing delivery", request(GitHubPath, with(gh, github.DeliveryHeader, ""), push, false), nil, 400, "missing_header"},
		{"github form without payload", request(GitHubPath, with(gh, "Content-Type", "application/x-www-form-urlencoded", github.SignatureHeader, github.Sign(githubSecret, []byte("x=1"))), []byte("x=1"), true), nil, 400, "malformed_payload"},
		{"github form signed over the payload only", request(GitHubPath, with(gh, "Content-Type", "application/x-www-form-urlencoded"), form, true), nil, 401, "invalid_signature"},
		{"github over the SQS limit", request(GitHubPath, with(gh, github.SignatureHeader, github.Sign(githubSecret, big)), big, false), nil, 413, "payload_too_large"},
		{"github characters SQS refuses", request(GitHubPath, with(gh, github.SignatureHeader, github.Sign(githubSecret, nul)), nul, false), nil, 400, "invalid_payload"},
		// Issue 16, item 8: a genuine signature over a body that is not
		// UTF-8 is a payload SQS would refuse, not a forgery.
		{"github signed body not UTF-8", request(GitHubPath, with(gh, github.SignatureHeader, github.Sign(githubSecret, notUTF8)), notUTF8, true), nil, 400, "invalid_payload"},
		{"github signed body not UTF-8, as text", request(GitHubPath, with(gh, github.SignatureHeader, github.Sign(githubSecret, notUTF8)), notUTF8, false), nil, 400, "invalid_payload"},
		{"paddle signed body not UTF-8", request(PaddlePath, paddleHeaders(paddleNotUTF8, testNow), paddleNotUTF8, true), nil, 400, "invalid_payload"},
		{"github event SQS refuses", request(GitHubPath, with(gh, github.EventHeader, "push\x01"), push, false), nil, 400, "invalid_metadata"},
		{"paddle unsigned", request(PaddlePath, with(pd, paddle.SignatureHeader, ""), txn, false), nil, 401, "missing_signature"},
		{"paddle forged", request(PaddlePath, with(pd, paddle.SignatureHeader, paddle.Sign("pdl_guess", testNow, txn)), txn, false), nil, 401, "invalid_signature"},
		{"paddle replayed a minute later", request(PaddlePath, paddleHeaders(txn, testNow.Add(-time.Minute)), txn, false), nil, 401, "stale_timestamp"},
		{"paddle from the future", request(PaddlePath, paddleHeaders(txn, testNow.Add(time.Minute)), txn, false), nil, 401, "stale_timestamp"},
		{"paddle malformed signature", request(PaddlePath, with(pd, paddle.SignatureHeader, "ts=x;h1=y"), txn, false), nil, 401, "malformed_signature"},
		{"paddle no event id", request(PaddlePath, paddleHeaders([]byte(`{"event_type":"a"}`), testNow), []byte(`{"event_type":"a"}`), false), nil, 400, "malformed_payload"},
		{"paddle no secret configured", request(PaddlePath, pd, txn, false), func(h *Handler) { h.secrets[ProviderPaddle] = literal(t, " , ") }, 503, "secret_unavailable"},
	}
}

// reject runs one rejection and returns its answer and its log line.
func (tt rejection) run(t *testing.T) (events.APIGatewayV2HTTPResponse, map[string]any) {
	t.Helper()
	var logs bytes.Buffer
	sent := 0
	h := newTestHandler(t, senderFunc(func(context.Context, *sqs.SendMessageInput, ...func(*sqs.Options)) (*sqs.SendMessageOutput, error) {
		sent++
		return &sqs.SendMessageOutput{MessageId: aws.String("must-not-happen")}, nil
	}), &logs)
	if tt.handler != nil {
		tt.handler(h)
	}
	resp, err := h.Handle(context.Background(), tt.req)
	require.NoError(t, err)
	assert.Zero(t, sent, "a rejected delivery must not be sent")
	assertLogSafe(t, logs.String(), tt.req)
	return resp, lastLogLine(t, logs.String())
}

func lastLogLine(t *testing.T, logs string) map[string]any {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(logs), "\n")
	var line map[string]any
	require.NoError(t, json.Unmarshal([]byte(lines[len(lines)-1]), &line), logs)
	return line
}

func TestHandleRejects(t *testing.T) {
	for _, tt := range rejections(t) {
		t.Run(tt.name, func(t *testing.T) {
			resp, line := tt.run(t)
			assert.Equal(t, tt.status, resp.StatusCode, resp.Body)
			assert.Equal(t, tt.code, errorCode(t, resp))
			// README: every rejection is one line with the delivery id,
			// event and code.
			assert.Equal(t, "rejected", line["outcome"])
			assert.Equal(t, tt.code, line["code"])
			assert.EqualValues(t, tt.status, line["status"])
			assert.Contains(t, line, "delivery_id")
			assert.Contains(t, line, "event")
		})
	}
}

// Issue 10, defect 6: a 401 line names the delivery and event the request
// claims, marked unverified, so an operator can find the delivery at the
// provider.
func TestHandleLogs401WithDeliveryAndEvent(t *testing.T) {
	push := fixture(t, "github-push.json")
	txn := fixture(t, "paddle-transaction-completed.json")
	tests := []struct {
		name            string
		req             events.APIGatewayV2HTTPRequest
		code            string
		delivery, event string
	}{
		{"github forged", request(GitHubPath, with(githubHeaders(push), github.SignatureHeader, github.Sign("guess", push)), push, false), "invalid_signature", deliveryID, "push"},
		{"github unsigned", request(GitHubPath, with(githubHeaders(push), github.SignatureHeader, ""), push, false), "missing_signature", deliveryID, "push"},
		{"paddle forged", request(PaddlePath, with(paddleHeaders(txn, testNow), paddle.SignatureHeader, paddle.Sign("pdl_guess", testNow, txn)), txn, false), "invalid_signature", "evt_01hv8x2acma3ctdxsd5hyh9bn5", "transaction.completed"},
		{"paddle stale", request(PaddlePath, paddleHeaders(txn, testNow.Add(-time.Minute)), txn, false), "stale_timestamp", "evt_01hv8x2acma3ctdxsd5hyh9bn5", "transaction.completed"},
		{"paddle base64 body", request(PaddlePath, with(paddleHeaders(txn, testNow), paddle.SignatureHeader, paddle.Sign("pdl_guess", testNow, txn)), txn, true), "invalid_signature", "evt_01hv8x2acma3ctdxsd5hyh9bn5", "transaction.completed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, line := rejection{req: tt.req}.run(t)
			require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
			assert.Equal(t, tt.code, line["code"])
			assert.Equal(t, tt.delivery, line["delivery_id"])
			assert.Equal(t, tt.event, line["event"])
			assert.Equal(t, false, line["verified"], "the ids are claimed, not proven")
		})
	}
	t.Run("claimed values are capped", func(t *testing.T) {
		long := strings.Repeat("d", 10_000)
		req := request(GitHubPath, with(githubHeaders(push), github.DeliveryHeader, long, github.SignatureHeader, github.Sign("guess", push)), push, false)
		_, line := rejection{req: req}.run(t)
		assert.Equal(t, long[:maxLoggedIDLength], line["delivery_id"])
	})
	t.Run("a verified delivery is marked verified", func(t *testing.T) {
		var logs bytes.Buffer
		h := newTestHandler(t, &recorder{}, &logs)
		ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "aws-req-1"})
		_, err := h.Handle(ctx, request(GitHubPath, githubHeaders(push), push, false))
		require.NoError(t, err)
		line := lastLogLine(t, logs.String())
		assert.Equal(t, "aws-req-1", line["aws_request_id"])
		assert.Equal(t, true, line["verified"])
		assert.Equal(t, deliveryID, line["delivery_id"])
	})
}

// TestREADMENamesTheCodesOf401 keeps README's troubleshooting entry for
// 401s and the handler in agreement, both ways: every 401 code is named,
// and every snake_case name it gives is a code the handler answers with or
// a key of its log line.
func TestREADMENamesTheCodesOf401(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	require.NoError(t, err)
	var entry string
	for line := range strings.SplitSeq(string(readme), "\n") {
		if strings.Contains(line, "**Every webhook gets 401.**") {
			entry = line
		}
	}
	require.NotEmpty(t, entry, "README's troubleshooting entry for 401s is gone")
	named := map[string]bool{}
	for _, m := range regexp.MustCompile("`([a-z0-9]+(?:_[a-z0-9]+)+)`").FindAllStringSubmatch(entry, -1) {
		named[m[1]] = true
	}
	known := map[string]bool{}
	for _, tt := range rejections(t) {
		known[tt.code] = true
		if tt.status != http.StatusUnauthorized {
			continue
		}
		assert.True(t, named[tt.code], "README's 401 entry does not name %s", tt.code)
		_, line := tt.run(t)
		for key := range line {
			known[key] = true
		}
	}
	for name := range named {
		assert.True(t, known[name], "README's 401 entry names %s, which the handler never answers or logs", name)
	}
}

// assertLogSafe checks that neither a secret nor the request's signatures
// reached the log or could be derived from it.
func assertLogSafe(t *testing.T, logs string, req events.APIGatewayV2HTTPRequest) {
	t.Helper()
	for _, secret := range []string{githubSecret, paddleSecret} {
		assert.NotContains(t, logs, secret)
	}
	for _, name := range []string{github.SignatureHeader, github.SHA1SignatureHeader, paddle.SignatureHeader} {
		if v, ok := apigw.Header(req.Headers, name); ok && len(v) > 8 {
			_, digits, _ := strings.Cut(v, "=")
			assert.NotContains(t, logs, digits, "the %s value reached the log", name)
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		var fields map[string]any
		if !assert.NoError(t, json.Unmarshal([]byte(line), &fields), "log line is not JSON: %s", line) {
			continue
		}
		for key := range fields {
			assert.Regexp(t, `^[a-z][a-z0-9]*(_[a-z0-9]+)*$`, key, "log keys are snake_case")
		}
	}
}

func TestHandleAccepts(t *testing.T) {
	push := fixture(t, "github-push.json")
	ping := fixture(t, "github-ping.json")
	txn := fixture(t, "paddle-transaction-completed.json")
	form := []byte("payload=" + url.QueryEscape(string(push)))
	stringAttr := func(in *sqs.SendMessageInput, name string) string {
		a, ok := in.MessageAttributes[name]
		if !ok {
			return ""
		}
		assert.Equal(t, "String", aws.ToString(a.DataType))
		return aws.ToString(a.StringValue)
	}
	tests := []struct {
		name      string
		req       events.APIGatewayV2HTTPRequest
		fifo      bool
		wantBody  []byte
		wantEvent string
		wantID    string
		wantType  string
		wantGroup string
	}{
		{"github push JSON", request(GitHubPath, githubHeaders(push), push, false), false, push, "push", deliveryID, "application/json", ""},
		{"github push base64", request(GitHubPath, githubHeaders(push), push, true), false, push, "push", deliveryID, "application/json", ""},
		{"github ping", request(GitHubPath, with(githubHeaders(ping), github.EventHeader, "ping"), ping, false), false, ping, "ping", deliveryID, "application/json", ""},
		{"github form", request(GitHubPath, with(githubHeaders(form), "Content-Type", "application/x-www-form-urlencoded"), form, true), false, push, "push", deliveryID, "application/json", ""},
		{"github with a stale sha1 beside sha256", request(GitHubPath, with(githubHeaders(push), github.SHA1SignatureHeader, "sha1=00"), push, false), false, push, "push", deliveryID, "application/json", ""},
		{"github FIFO groups by repository", request(GitHubPath, githubHeaders(push), push, false), true, push, "push", deliveryID, "application/json", "github:octocat/Hello-World"},
		{"github FIFO without repository", request(GitHubPath, with(githubHeaders(ping), github.EventHeader, "ping"), ping, false), true, ping, "ping", deliveryID, "application/json", "github"},
		{"paddle", request(PaddlePath, paddleHeaders(txn, testNow.Add(-5*time.Second)), txn, false), false, txn, "transaction.completed", "evt_01hv8x2acma3ctdxsd5hyh9bn5", "application/json", ""},
		{"paddle FIFO", request(PaddlePath, paddleHeaders(txn, testNow), txn, false), true, txn, "transaction.completed", "evt_01hv8x2acma3ctdxsd5hyh9bn5", "application/json", "paddle"},
		{"paddle named stage path", func() events.APIGatewayV2HTTPRequest {
			r := request("/prod"+PaddlePath, paddleHeaders(txn, testNow), txn, false)
			r.RouteKey, r.RequestContext.Stage = "$default", "prod"
			return r
		}(), false, txn, "transaction.completed", "evt_01hv8x2acma3ctdxsd5hyh9bn5", "application/json", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			rec := &recorder{}
			h := newTestHandler(t, rec, &logs)
			h.fifo = tt.fifo
			resp, err := h.Handle(context.Background(), tt.req)
			require.NoError(t, err)
			require.Equal(t, http.StatusAccepted, resp.StatusCode, resp.Body)
			assert.JSONEq(t, `{"messageId":"msg-1"}`, resp.Body)
			require.Len(t, rec.inputs, 1)
			in := rec.inputs[0]
			assert.Equal(t, h.queueURL, aws.ToString(in.QueueUrl))
			assert.Equal(t, string(tt.wantBody), aws.ToString(in.MessageBody), "the body must be exactly as delivered")
			assert.Len(t, in.MessageAttributes, 6)
			provider := providerByPath(strings.TrimPrefix(tt.req.RawPath, "/prod")).Name
			assert.Equal(t, provider, stringAttr(in, "provider"))
			assert.Equal(t, map[string]string{ProviderGitHub: VerifiedByGitHub, ProviderPaddle: VerifiedByPaddle}[provider], stringAttr(in, "verified_by"))
			assert.Equal(t, tt.wantEvent, stringAttr(in, "event"))
			assert.Equal(t, tt.wantID, stringAttr(in, "delivery_id"))
			assert.Equal(t, "2026-11-22T01:02:03Z", stringAttr(in, "received_at"))
			assert.Equal(t, tt.wantType, stringAttr(in, "content_type"))
			if tt.fifo {
				assert.Equal(t, tt.wantGroup, aws.ToString(in.MessageGroupId))
				assert.Equal(t, tt.wantID, aws.ToString(in.MessageDeduplicationId))
			} else {
				assert.Nil(t, in.MessageGroupId)
				assert.Nil(t, in.MessageDeduplicationId)
			}
			assertLogSafe(t, logs.String(), tt.req)
			assert.Contains(t, logs.String(), `"outcome":"accepted"`)
			assert.Contains(t, logs.String(), `"delivery_id":"`+tt.wantID+`"`)
		})
	}
}

func TestHandleQueueFailures(t *testing.T) {
	push := fixture(t, "github-push.json")
	tests := []struct {
		name string
		send senderFunc
	}{
		{"SQS error", func(context.Context, *sqs.SendMessageInput, ...func(*sqs.Options)) (*sqs.SendMessageOutput, error) {
			return nil, errors.New("operation error SQS: SendMessage, exceeded maximum number of attempts")
		}},
		{"no MessageId", func(context.Context, *sqs.SendMessageInput, ...func(*sqs.Options)) (*sqs.SendMessageOutput, error) {
			return &sqs.SendMessageOutput{}, nil
		}},
		{"nil output", func(context.Context, *sqs.SendMessageInput, ...func(*sqs.Options)) (*sqs.SendMessageOutput, error) {
			return nil, nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newTestHandler(t, tt.send, nil)
			resp, err := h.Handle(context.Background(), request(GitHubPath, githubHeaders(push), push, false))
			require.NoError(t, err)
			assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
			assert.Equal(t, "queue_unavailable", errorCode(t, resp))
		})
	}
}

// rotatingSource is a SecretSource whose refresh reveals a new secret.
type rotatingSource struct {
	current, next []string
	refreshes     int
}

func (r *rotatingSource) Secrets(context.Context) []string { return r.current }
func (r *rotatingSource) RefreshAfterMismatch(context.Context) ([]string, bool) {
	r.refreshes++
	if r.next == nil {
		return r.current, false
	}
	r.current, r.next = r.next, nil
	return r.current, true
}

func TestHandleRefreshesSecretsAfterMismatch(t *testing.T) {
	push := fixture(t, "github-push.json")
	rec := &recorder{}
	h := newTestHandler(t, rec, nil)
	src := &rotatingSource{current: []string{"old"}, next: []string{githubSecret, "old"}}
	h.secrets[ProviderGitHub] = src

	resp, err := h.Handle(context.Background(), request(GitHubPath, githubHeaders(push), push, false))
	require.NoError(t, err)
	assert.Equal(t, http.StatusAccepted, resp.StatusCode, "a rotated secret is picked up on the first mismatch")
	assert.Equal(t, 1, src.refreshes)

	forged := with(githubHeaders(push), github.SignatureHeader, github.Sign("forged", push))
	resp, err = h.Handle(context.Background(), request(GitHubPath, forged, push, false))
	require.NoError(t, err)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Len(t, rec.inputs, 1)
}

// Issue 10, defect 3: the SQS call must end early enough to answer. The
// sender never answers; the invocation's deadline is short.
func TestHandleAnswersBeforeTheLambdaDeadline(t *testing.T) {
	push := fixture(t, "github-push.json")
	var callDeadline time.Time
	var hasDeadline bool
	never := senderFunc(func(ctx context.Context, _ *sqs.SendMessageInput, _ ...func(*sqs.Options)) (*sqs.SendMessageOutput, error) {
		callDeadline, hasDeadline = ctx.Deadline()
		<-ctx.Done()
		return nil, ctx.Err()
	})
	h := newTestHandler(t, never, nil)
	end := time.Now().Add(700 * time.Millisecond)
	ctx, cancel := context.WithDeadline(context.Background(), end)
	defer cancel()
	resp, err := h.Handle(ctx, request(GitHubPath, githubHeaders(push), push, false))
	require.NoError(t, err)
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Equal(t, "queue_unavailable", errorCode(t, resp))
	require.True(t, hasDeadline, "the SQS call must carry a deadline")
	assert.False(t, callDeadline.After(end.Add(-deadline.Reserve)), "the SQS call must end %v before the invocation; it ends at %v, the invocation at %v", deadline.Reserve, callDeadline, end)
}

// Issue 14, friction 12: `curl --data '{...}'` sends a JSON body as
// application/x-www-form-urlencoded; the answer says so instead of only
// "no valid payload field", and a real form without payload keeps that.
func TestHandleFormContentTypeWithJSONBody(t *testing.T) {
	push := fixture(t, "github-push.json")
	tests := []struct {
		name string
		body []byte
		want string
	}{
		{"form without payload", []byte("x=1"), "the form-encoded delivery has no valid payload field"},
		{"JSON body sent as form", push, "the request's content type is application/x-www-form-urlencoded but its body looks like JSON: send it with Content-Type: application/json (curl --data sends form)"},
		{"JSON array sent as form", []byte(" [1]"), "the request's content type is application/x-www-form-urlencoded but its body looks like JSON: send it with Content-Type: application/json (curl --data sends form)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := githubHeaders(tt.body)
			req := request(GitHubPath, with(h, "Content-Type", "application/x-www-form-urlencoded", github.SignatureHeader, github.Sign(githubSecret, tt.body)), tt.body, true)
			resp, _ := rejection{name: tt.name, req: req}.run(t)
			assert.Equal(t, 400, resp.StatusCode)
			var body map[string]string
			require.NoError(t, json.Unmarshal([]byte(resp.Body), &body))
			assert.Equal(t, "malformed_payload", body["code"])
			assert.Equal(t, tt.want, body["message"])
		})
	}
}
