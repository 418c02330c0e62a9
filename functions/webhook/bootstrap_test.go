package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sqsgate/sqsgate/internal/testpeer"
	"github.com/sqsgate/sqsgate/internal/webhook"
	"github.com/sqsgate/sqsgate/internal/webhook/github"
	"github.com/sqsgate/sqsgate/internal/webhook/paddle"
	"github.com/sqsgate/sqsgate/internal/webhook/shopify"
	"github.com/sqsgate/sqsgate/internal/webhook/slack"
	"github.com/sqsgate/sqsgate/internal/webhook/standard"
	"github.com/sqsgate/sqsgate/internal/webhook/stripe"
)

// These tests run the real bootstrap, built as Lambda builds it, behind a
// minimal Lambda Runtime API, with its secrets in moto_server's Secrets
// Manager and its queue in moto_server's SQS: every provider's deliveries,
// accepted and refused, as deployed code handles them.

var (
	buildOnce sync.Once
	bootstrap string
	buildErr  error
)

// build compiles this package as Lambda builds it (lambda.norpc, no cgo),
// once per test binary.
func build(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "webhook-bootstrap-")
		if err != nil {
			buildErr = err
			return
		}
		bootstrap = filepath.Join(dir, "bootstrap")
		cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", bootstrap, ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return bootstrap
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bootstrap != "" {
		os.RemoveAll(filepath.Dir(bootstrap))
	}
	os.Exit(code)
}

// invocation is one event handed to the function and its answer.
type invocation struct {
	event  []byte
	answer chan []byte
}

// function is a running bootstrap behind its own Runtime API.
type function struct {
	next    chan *invocation
	mu      sync.Mutex
	pending map[string]*invocation
	seq     int
	logs    testpeer.SyncBuffer
}

// startFunction runs the bootstrap with env until the test ends. Each
// invocation gets Lambda's headers and a deadline 4 s away, the template's
// Timeout.
func startFunction(t *testing.T, env []string) *function {
	t.Helper()
	f := &function{next: make(chan *invocation), pending: map[string]*invocation{}}
	done := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", func(w http.ResponseWriter, r *http.Request) {
		var inv *invocation
		select {
		case inv = <-f.next:
		case <-done:
			return
		case <-r.Context().Done():
			return
		}
		f.mu.Lock()
		f.seq++
		id := "req-" + strconv.Itoa(f.seq)
		f.pending[id] = inv
		f.mu.Unlock()
		w.Header().Set("Lambda-Runtime-Aws-Request-Id", id)
		w.Header().Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(4*time.Second).UnixMilli(), 10))
		w.Header().Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:WebhookFunction")
		_, _ = w.Write(inv.event)
	})
	answer := func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		inv := f.pending[r.PathValue("id")]
		delete(f.pending, r.PathValue("id"))
		f.mu.Unlock()
		if inv != nil {
			inv.answer <- b
		}
		w.WriteHeader(http.StatusAccepted)
	}
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", answer)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", answer)
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		f.logs.Write(append([]byte("init error: "), b...))
		w.WriteHeader(http.StatusAccepted)
	})
	srv := httptest.NewServer(mux)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, build(t))
	cmd.Env = append([]string{"AWS_LAMBDA_RUNTIME_API=" + strings.TrimPrefix(srv.URL, "http://"), "PATH=" + os.Getenv("PATH")}, env...)
	cmd.Stdout, cmd.Stderr = &f.logs, &f.logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		close(done)
		cancel()
		_ = cmd.Wait()
		srv.Close()
		if t.Failed() {
			t.Logf("function output:\n%s", f.logs.String())
		}
	})
	return f
}

// invoke hands req to the function and returns its HTTP answer.
func (f *function) invoke(t *testing.T, req events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPResponse {
	t.Helper()
	event, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	raw := f.invokeRaw(t, event)
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(raw, &resp); err != nil || resp.StatusCode == 0 {
		t.Fatalf("answer %s is not an HTTP response (%v)", raw, err)
	}
	return resp
}

// invokeRaw hands a raw event to the function and returns its raw answer.
func (f *function) invokeRaw(t *testing.T, event []byte) []byte {
	t.Helper()
	inv := &invocation{event: event, answer: make(chan []byte, 1)}
	select {
	case f.next <- inv:
	case <-time.After(20 * time.Second):
		t.Fatalf("the function never asked for work; output:\n%s", f.logs.String())
	}
	var raw []byte
	select {
	case raw = <-inv.answer:
	case <-time.After(20 * time.Second):
		t.Fatalf("the function never answered; output:\n%s", f.logs.String())
	}
	return raw
}

// request is an HTTP API payload 2.0 event as API Gateway builds it:
// lowercase header names, the body as text for JSON.
func request(provider string, headers map[string]string, body []byte) events.APIGatewayV2HTTPRequest {
	path := "/webhooks/" + provider
	req := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: "POST " + path, RawPath: path, Headers: map[string]string{}, Body: string(body),
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			Stage: "$default", RequestID: "req", HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: http.MethodPost, Path: path},
		},
	}
	for k, v := range headers {
		req.Headers[strings.ToLower(k)] = v
	}
	return req
}

// standardKey is the v1a key of the Standard Webhooks sender in these tests.
func standardKey() ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("functions/webhook bootstrap test v1a key"))
	return ed25519.NewKeyFromSeed(seed[:])
}

// provider is one sender as the tests drive it.
type provider struct {
	name string
	// secret is what Secrets Manager holds; other signs the rotated-in one.
	secret, other string
	body          []byte
	// sign returns every header the sender sends for body under secret at.
	sign      func(secret string, at time.Time, body []byte) map[string]string
	sigHeader string
	signsTime bool
	// event, id, verifiedBy are the attributes of its accepted delivery.
	event, id, verifiedBy string
	// repeated is the answer to a signature header sent twice: HTTP API
	// joins the copies with a comma.
	repeatedStatus int
	repeatedCode   string
}

func testdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "internal", "webhook", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.TrimRight(b, "\n")
}

func providers(t *testing.T) []provider {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	return []provider{
		{name: "github", secret: "gh-secret-1", other: "gh-secret-2", body: testdata(t, "github-push.json"),
			sign: func(secret string, _ time.Time, body []byte) map[string]string {
				return map[string]string{"Content-Type": "application/json", github.SignatureHeader: github.Sign(secret, body),
					github.EventHeader: "push", github.DeliveryHeader: "72d3162e-cc78-11e3-81ab-4c9367dc0958"}
			}, sigHeader: github.SignatureHeader, event: "push", id: "72d3162e-cc78-11e3-81ab-4c9367dc0958", verifiedBy: "github-sha256",
			repeatedStatus: 400, repeatedCode: "repeated_header"},
		{name: "paddle", secret: "pdl_ntfset_one", other: "pdl_ntfset_two", body: testdata(t, "paddle-transaction-completed.json"),
			sign: func(secret string, at time.Time, body []byte) map[string]string {
				return map[string]string{"Content-Type": "application/json", paddle.SignatureHeader: paddle.Sign(secret, at, body)}
			}, sigHeader: paddle.SignatureHeader, signsTime: true, event: "transaction.completed", id: "evt_01hv8x2acma3ctdxsd5hyh9bn5", verifiedBy: "paddle-h1",
			repeatedStatus: 400, repeatedCode: "repeated_header"},
		{name: "stripe", secret: "whsec_one", other: "whsec_two", body: testdata(t, "stripe-payment-intent-succeeded.json"),
			sign: func(secret string, at time.Time, body []byte) map[string]string {
				return map[string]string{"Content-Type": "application/json; charset=utf-8", stripe.SignatureHeader: stripe.Sign(secret, at, body)}
			}, sigHeader: stripe.SignatureHeader, signsTime: true, event: "payment_intent.succeeded", id: "evt_3QwWbD2eZvKYlo2C1nT0aBcD", verifiedBy: "stripe-v1",
			repeatedStatus: 401, repeatedCode: "malformed_signature"},
		{name: "standard", secret: "whsec_" + b64("standard-secret-number-1"), other: "whsec_" + b64("standard-secret-number-2"), body: testdata(t, "standard-contact-created.json"),
			sign: func(secret string, at time.Time, body []byte) map[string]string {
				sig, err := standard.Sign(secret, "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", at, body)
				if err != nil {
					panic(err) // the test secrets are constants
				}
				return map[string]string{"Content-Type": "application/json", standard.IDHeader: "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W",
					standard.TimestampHeader: strconv.FormatInt(at.Unix(), 10), standard.SignatureHeader: sig}
			}, sigHeader: standard.SignatureHeader, signsTime: true, event: "contact.created", id: "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", verifiedBy: "standard-v1",
			repeatedStatus: 401, repeatedCode: "malformed_signature"},
		{name: "shopify", secret: "shpss_one", other: "shpss_two", body: testdata(t, "shopify-orders-create.json"),
			sign: func(secret string, _ time.Time, body []byte) map[string]string {
				return map[string]string{"Content-Type": "application/json", shopify.SignatureHeader: shopify.Sign(secret, body),
					shopify.TopicHeader: "orders/create", shopify.WebhookIDHeader: "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"}
			}, sigHeader: shopify.SignatureHeader, event: "orders/create", id: "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043", verifiedBy: "shopify-sha256",
			repeatedStatus: 400, repeatedCode: "repeated_header"},
		{name: "slack", secret: "slack-signing-one", other: "slack-signing-two", body: testdata(t, "slack-app-mention.json"),
			sign: func(secret string, at time.Time, body []byte) map[string]string {
				sig, ts := slack.Sign(secret, at, body)
				return map[string]string{"Content-Type": "application/json", slack.SignatureHeader: sig, slack.TimestampHeader: ts}
			}, sigHeader: slack.SignatureHeader, signsTime: true, event: "app_mention", id: "Ev123ABC456", verifiedBy: "slack-v0",
			repeatedStatus: 400, repeatedCode: "repeated_header"},
	}
}

// account is moto_server holding the queue and every provider's secret.
type account struct {
	url      string
	sqs      *sqs.Client
	sm       *secretsmanager.Client
	queueURL string
	arns     map[string]string
}

func newAccount(t *testing.T, ps []provider) *account {
	t.Helper()
	moto := testpeer.StartMoto(t)
	testpeer.SetAWSEnv(t, moto.URL)
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	a := &account{url: moto.URL, sqs: sqs.NewFromConfig(cfg), sm: secretsmanager.NewFromConfig(cfg), arns: map[string]string{}}
	out, err := a.sqs.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String("sqsgate-ingest")})
	if err != nil {
		t.Fatal(err)
	}
	a.queueURL = aws.ToString(out.QueueUrl)
	for _, p := range ps {
		value := p.secret
		if p.name == "standard" {
			// A shared secret and the sender's public key, as one list.
			value += "," + standard.PublicKey(standardKey().Public().(ed25519.PublicKey))
		}
		s, err := a.sm.CreateSecret(context.Background(), &secretsmanager.CreateSecretInput{Name: aws.String("sqsgate/" + p.name), SecretString: aws.String(value)})
		if err != nil {
			t.Fatal(err)
		}
		a.arns[p.name] = aws.ToString(s.ARN)
	}
	return a
}

// env is the function's environment as the template gives it in AWS: the
// queue, one secret ARN per provider, the SDK pointed at sqsEndpoint (SQS)
// and moto (Secrets Manager).
func (a *account) env(sqsEndpoint string) []string {
	env := testpeer.AWSEnv(a.url)
	env = append(env, "AWS_ENDPOINT_URL_SQS="+sqsEndpoint, "AWS_ENDPOINT_URL_SECRETS_MANAGER="+a.url,
		"QUEUE_URL="+a.queueURL, "AWS_LAMBDA_LOG_FORMAT=JSON")
	for name, arn := range a.arns {
		env = append(env, webhook.SecretARNEnv(name)+"="+arn)
	}
	return env
}

func errorCode(t *testing.T, resp events.APIGatewayV2HTTPResponse) string {
	t.Helper()
	var e struct{ Code, Message string }
	if err := json.Unmarshal([]byte(resp.Body), &e); err != nil || e.Code == "" || e.Message == "" {
		t.Fatalf("error body %q is not {\"code\",\"message\"}", resp.Body)
	}
	return e.Code
}

func with(h map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range h {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			delete(out, kv[i])
			continue
		}
		out[kv[i]] = kv[i+1]
	}
	return out
}

// TestBootstrapProviders sends every provider's deliveries to the real
// bootstrap and reads moto_server's queue after each: an accepted delivery
// is exactly one message with the body as delivered and its six
// attributes; a refused one leaves the queue empty.
func TestBootstrapProviders(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary against moto_server")
	}
	ps := providers(t)
	a := newAccount(t, ps)
	fn := startFunction(t, a.env(a.url))
	big := func(p provider) []byte {
		// Over what one SQS message holds (1 MiB), still JSON with the
		// provider's ids, so only the size is wrong.
		return bytes.Replace(p.body, []byte(`{`), []byte(`{"pad":"`+strings.Repeat("x", 1<<20)+`",`), 1)
	}
	for _, p := range ps {
		t.Run(p.name, func(t *testing.T) {
			now := time.Now()
			good := p.sign(p.secret, now, p.body)
			accept := func(t *testing.T, headers map[string]string) {
				t.Helper()
				sent := time.Now()
				resp := fn.invoke(t, request(p.name, headers, p.body))
				if resp.StatusCode != http.StatusAccepted {
					t.Fatalf("status %d %s, want 202", resp.StatusCode, resp.Body)
				}
				got := testpeer.Drain(t, a.sqs, a.queueURL)
				if len(got) != 1 {
					t.Fatalf("%d messages after an accepted delivery, want 1", len(got))
				}
				var ok struct {
					MessageID string `json:"messageId"`
				}
				if json.Unmarshal([]byte(resp.Body), &ok); ok.MessageID != aws.ToString(got[0].MessageId) {
					t.Errorf("answer %s does not name the stored message %s", resp.Body, aws.ToString(got[0].MessageId))
				}
				if aws.ToString(got[0].Body) != string(p.body) {
					t.Errorf("message body differs from the delivered bytes")
				}
				checkAttributes(t, got[0], p, headers["Content-Type"], sent)
			}
			refuse := func(t *testing.T, req events.APIGatewayV2HTTPRequest, status int, code string) {
				t.Helper()
				resp := fn.invoke(t, req)
				if resp.StatusCode != status || errorCode(t, resp) != code {
					t.Errorf("answer %d %s, want %d %s", resp.StatusCode, resp.Body, status, code)
				}
				if got := testpeer.Drain(t, a.sqs, a.queueURL); len(got) != 0 {
					t.Errorf("%d messages stored for a refused delivery", len(got))
				}
			}

			// Order matters: a rotation is fetched on the first mismatch,
			// and a wrong secret is a mismatch too.
			t.Run("accepted", func(t *testing.T) { accept(t, good) })
			t.Run("rotated secret", func(t *testing.T) {
				value := p.other + "," + p.secret
				if p.name == "standard" {
					value += "," + standard.PublicKey(standardKey().Public().(ed25519.PublicKey))
				}
				if _, err := a.sm.PutSecretValue(context.Background(), &secretsmanager.PutSecretValueInput{SecretId: aws.String(a.arns[p.name]), SecretString: aws.String(value)}); err != nil {
					t.Fatal(err)
				}
				accept(t, p.sign(p.other, time.Now(), p.body))  // the new secret, fetched after the mismatch
				accept(t, p.sign(p.secret, time.Now(), p.body)) // the old one, still listed
			})
			if p.name == "standard" {
				t.Run("v1a", func(t *testing.T) {
					h := with(good, standard.SignatureHeader, standard.SignEd25519(standardKey(), p.id, now, p.body))
					resp := fn.invoke(t, request(p.name, h, p.body))
					got := testpeer.Drain(t, a.sqs, a.queueURL)
					if resp.StatusCode != http.StatusAccepted || len(got) != 1 || aws.ToString(got[0].MessageAttributes["verified_by"].StringValue) != "standard-v1a" {
						t.Fatalf("answer %d %s, %d messages, want 202 and one message verified_by standard-v1a", resp.StatusCode, resp.Body, len(got))
					}
				})
			}
			t.Run("missing signature", func(t *testing.T) {
				refuse(t, request(p.name, with(good, p.sigHeader, ""), p.body), 401, "missing_signature")
			})
			t.Run("malformed signature", func(t *testing.T) {
				refuse(t, request(p.name, with(good, p.sigHeader, "not a signature"), p.body), 401, "malformed_signature")
			})
			t.Run("repeated signature", func(t *testing.T) {
				sig := good[p.sigHeader]
				refuse(t, request(p.name, with(good, p.sigHeader, sig+","+sig), p.body), p.repeatedStatus, p.repeatedCode)
			})
			t.Run("wrong secret", func(t *testing.T) {
				// A whsec_ value, so that Standard Webhooks can sign with it too.
				wrong := "whsec_" + base64.StdEncoding.EncodeToString([]byte("not-the-configured-secret"))
				refuse(t, request(p.name, p.sign(wrong, now, p.body), p.body), 401, "invalid_signature")
			})
			if p.signsTime {
				t.Run("stale timestamp", func(t *testing.T) {
					refuse(t, request(p.name, p.sign(p.secret, time.Now().Add(-10*time.Minute), p.body), p.body), 401, "stale_timestamp")
				})
				t.Run("future timestamp", func(t *testing.T) {
					refuse(t, request(p.name, p.sign(p.secret, time.Now().Add(10*time.Minute), p.body), p.body), 401, "stale_timestamp")
				})
			}
			t.Run("oversize body", func(t *testing.T) {
				body := big(p)
				refuse(t, request(p.name, p.sign(p.secret, time.Now(), body), body), 413, "payload_too_large")
			})
		})
	}
	for _, p := range ps {
		if strings.Contains(fn.logs.String(), p.secret) || strings.Contains(fn.logs.String(), p.other) {
			t.Errorf("the %s secret reached the function's logs", p.name)
		}
	}
}

// checkAttributes asserts a message's attributes are exactly the six a
// delivery of p carries.
func checkAttributes(t *testing.T, m types.Message, p provider, contentType string, sent time.Time) {
	t.Helper()
	got := map[string]string{}
	for k, v := range m.MessageAttributes {
		got[k] = aws.ToString(v.StringValue)
	}
	at, err := time.Parse(time.RFC3339, got["received_at"])
	if err != nil || at.Before(sent.Add(-2*time.Second)) || at.After(time.Now().Add(2*time.Second)) {
		t.Errorf("received_at %q, want RFC 3339 near %s", got["received_at"], sent.Format(time.RFC3339))
	}
	delete(got, "received_at")
	want := map[string]string{"provider": p.name, "event": p.event, "delivery_id": p.id, "content_type": contentType, "verified_by": p.verifiedBy}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("attributes %v, want %v and received_at", got, want)
	}
}

// TestBootstrapSQSDown: with SQS unreachable, a genuine delivery of every
// provider is answered 503 queue_unavailable (the sender retries) once the
// SDK's retries are spent, and nothing reaches the queue.
func TestBootstrapSQSDown(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary against moto_server")
	}
	ps := providers(t)
	a := newAccount(t, ps)
	down := "http://127.0.0.1:" + strconv.Itoa(testpeer.FreePort(t))
	fn := startFunction(t, a.env(down))
	for _, p := range ps {
		t.Run(p.name, func(t *testing.T) {
			resp := fn.invoke(t, request(p.name, p.sign(p.secret, time.Now(), p.body), p.body))
			if resp.StatusCode != http.StatusServiceUnavailable || errorCode(t, resp) != "queue_unavailable" {
				t.Errorf("answer %d %s, want 503 queue_unavailable", resp.StatusCode, resp.Body)
			}
		})
	}
	if got := testpeer.Drain(t, a.sqs, a.queueURL); len(got) != 0 {
		t.Errorf("%d messages in the queue with SQS down", len(got))
	}
}

// TestBootstrapSlackURLVerification: Slack's check of the Request URL,
// through the real binary: the challenge after the signature check, nothing
// queued; unsigned, a 401.
func TestBootstrapSlackURLVerification(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary against moto_server")
	}
	ps := providers(t)
	a := newAccount(t, ps)
	fn := startFunction(t, a.env(a.url))
	body := testdata(t, "slack-url-verification.json")
	sig, ts := slack.Sign("slack-signing-one", time.Now(), body)
	resp := fn.invoke(t, request("slack", map[string]string{"Content-Type": "application/json", slack.SignatureHeader: sig, slack.TimestampHeader: ts}, body))
	if resp.StatusCode != http.StatusOK || resp.Body != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Errorf("answer %d %q, want 200 and the challenge", resp.StatusCode, resp.Body)
	}
	resp = fn.invoke(t, request("slack", map[string]string{"Content-Type": "application/json", slack.TimestampHeader: ts}, body))
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("unsigned challenge answered %d %s, want 401", resp.StatusCode, resp.Body)
	}
	if got := testpeer.Drain(t, a.sqs, a.queueURL); len(got) != 0 {
		t.Errorf("%d messages queued for url_verification", len(got))
	}
}

// TestBootstrapPayload10 sends a REST API's payload 1.0 events to the real
// bootstrap: the delivery is stored byte for byte and answered in 1.0's
// response shape; a signature repeated in multiValueHeaders (1.0 keeps only
// the last value in "headers") is still 400 repeated_header.
func TestBootstrapPayload10(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary against moto_server")
	}
	ps := providers(t)
	var gh provider
	for _, p := range ps {
		if p.name == "github" {
			gh = p
		}
	}
	a := newAccount(t, ps)
	fn := startFunction(t, a.env(a.url))
	good := gh.sign(gh.secret, time.Now(), gh.body)
	rest := func(multi map[string][]string) []byte {
		req := events.APIGatewayProxyRequest{
			Resource: "/webhooks/github", Path: "/webhooks/github", HTTPMethod: http.MethodPost,
			Headers: map[string]string{}, MultiValueHeaders: multi, Body: string(gh.body),
			RequestContext: events.APIGatewayProxyRequestContext{Stage: "prod", RequestID: "req", Path: "/prod/webhooks/github"},
		}
		for k, vs := range multi {
			req.Headers[k] = vs[len(vs)-1]
		}
		b, err := json.Marshal(req)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	multi := map[string][]string{}
	for k, v := range good {
		multi[k] = []string{v}
	}
	answer := func(raw []byte) events.APIGatewayProxyResponse {
		var resp events.APIGatewayProxyResponse
		if err := json.Unmarshal(raw, &resp); err != nil || resp.StatusCode == 0 || bytes.Contains(raw, []byte(`"cookies"`)) {
			t.Fatalf("answer %s is not a payload 1.0 response (%v)", raw, err)
		}
		return resp
	}

	resp := answer(fn.invokeRaw(t, rest(multi)))
	got := testpeer.Drain(t, a.sqs, a.queueURL)
	if resp.StatusCode != http.StatusAccepted || len(got) != 1 || aws.ToString(got[0].Body) != string(gh.body) {
		t.Fatalf("answer %d %s, %d messages, want 202 and the body stored as delivered", resp.StatusCode, resp.Body, len(got))
	}

	multi[gh.sigHeader] = []string{good[gh.sigHeader], good[gh.sigHeader]}
	resp = answer(fn.invokeRaw(t, rest(multi)))
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(resp.Body, `"repeated_header"`) {
		t.Fatalf("answer %d %s, want 400 repeated_header", resp.StatusCode, resp.Body)
	}
	if got := testpeer.Drain(t, a.sqs, a.queueURL); len(got) != 0 {
		t.Fatalf("%d messages stored for a refused delivery", len(got))
	}
}
