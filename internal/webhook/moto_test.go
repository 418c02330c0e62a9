package webhook

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sqsgate/sqsgate/internal/testpeer"
	"github.com/sqsgate/sqsgate/internal/webhook/github"
	"github.com/sqsgate/sqsgate/internal/webhook/paddle"
)

// fastRetries keeps the SDK's standard retryer (three attempts, throttling
// and connection errors retried) but with millisecond backoff, so failure
// tests stay fast.
func fastRetries() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = 3
		o.MaxBackoff = 5 * time.Millisecond
	})
}

// buildFromEnv builds the handler the way functions/webhook/main.go does:
// configuration from the environment, one SDK configuration, the clients
// built from it, New.
func buildFromEnv(t *testing.T, logs *bytes.Buffer) *Handler {
	t.Helper()
	ctx := context.Background()
	cfg, err := ConfigFromEnv(os.Getenv)
	require.NoError(t, err)
	awsCfg, err := config.LoadDefaultConfig(ctx, config.WithRetryer(fastRetries))
	require.NoError(t, err)
	deps := Deps{SQS: sqs.NewFromConfig(awsCfg), SecretsManager: secretsmanager.NewFromConfig(awsCfg)}
	h, err := New(cfg, deps, slog.New(slog.NewJSONHandler(logs, nil)))
	require.NoError(t, err)
	return h
}

// motoAccount is moto_server with the function's environment pointed at it
// the way a deployment points the function at AWS: QUEUE_URL, secret ARNs,
// and the per-service endpoint variables.
type motoAccount struct {
	sqs     *sqs.Client
	sm      *secretsmanager.Client
	queues  map[string]string // name → URL
	secrets map[string]string // provider → ARN
}

func startMotoAccount(t *testing.T) *motoAccount {
	t.Helper()
	moto := testpeer.StartMoto(t)
	testpeer.SetAWSEnv(t, moto.URL)
	t.Setenv("AWS_ENDPOINT_URL", "")
	t.Setenv("AWS_ENDPOINT_URL_SQS", moto.URL)
	t.Setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", moto.URL)
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	require.NoError(t, err)
	a := &motoAccount{sqs: sqs.NewFromConfig(cfg), sm: secretsmanager.NewFromConfig(cfg), queues: map[string]string{}, secrets: map[string]string{}}
	for name, attrs := range map[string]map[string]string{
		"IngestQueue":      nil,
		"IngestQueue.fifo": {"FifoQueue": "true"},
	} {
		out, err := a.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
		require.NoError(t, err)
		a.queues[name] = aws.ToString(out.QueueUrl)
	}
	for provider, value := range map[string]string{ProviderGitHub: githubSecret, ProviderPaddle: paddleSecret} {
		out, err := a.sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("sqsgate/" + provider), SecretString: aws.String(value)})
		require.NoError(t, err)
		a.secrets[provider] = aws.ToString(out.ARN)
	}
	t.Setenv(EnvGitHubSecret, "")
	t.Setenv(EnvPaddleSecret, "")
	t.Setenv(EnvGitHubSecretARN, a.secrets[ProviderGitHub])
	t.Setenv(EnvPaddleSecretARN, a.secrets[ProviderPaddle])
	return a
}

func attrs(m types.Message) map[string]string {
	out := map[string]string{}
	for k, v := range m.MessageAttributes {
		out[k] = aws.ToString(v.StringValue)
	}
	return out
}

// TestMotoDeliveries sends signed, unsigned, forged and replayed deliveries
// through a handler built from the environment against moto_server's SQS
// and Secrets Manager, then reads the queue: accepted ⇒ exactly one message
// with the exact body and attributes; rejected ⇒ nothing.
func TestMotoDeliveries(t *testing.T) {
	a := startMotoAccount(t)
	push := fixture(t, "github-push.json")
	txn := fixture(t, "paddle-transaction-completed.json")
	form := []byte("payload=" + url.QueryEscape(string(push)))

	for _, queue := range []string{"IngestQueue", "IngestQueue.fifo"} {
		t.Run(queue, func(t *testing.T) {
			queueURL := a.queues[queue]
			t.Setenv(EnvQueueURL, queueURL)
			var logs bytes.Buffer
			h := buildFromEnv(t, &logs)
			require.Equal(t, queue == "IngestQueue.fifo", h.fifo)
			now := time.Now()
			tests := []struct {
				name      string
				req       events.APIGatewayV2HTTPRequest
				status    int
				wantBody  []byte
				wantAttrs map[string]string
				wantGroup string
			}{
				{"github unsigned", request(GitHubPath, with(githubHeaders(push), github.SignatureHeader, ""), push, false), 401, nil, nil, ""},
				{"github forged", request(GitHubPath, with(githubHeaders(push), github.SignatureHeader, github.Sign("guess", push)), push, false), 401, nil, nil, ""},
				{"github sha1 only", request(GitHubPath, with(githubHeaders(push), github.SignatureHeader, "", github.SHA1SignatureHeader, "sha1=0123456789abcdef0123456789abcdef01234567"), push, false), 401, nil, nil, ""},
				{"paddle unsigned", request(PaddlePath, with(paddleHeaders(txn, now), paddle.SignatureHeader, ""), txn, false), 401, nil, nil, ""},
				{"paddle forged", request(PaddlePath, paddleHeaders([]byte(`{"event_id":"evt_x","event_type":"x"}`), now), txn, false), 401, nil, nil, ""},
				{"paddle replayed", request(PaddlePath, paddleHeaders(txn, now.Add(-time.Minute)), txn, false), 401, nil, nil, ""},
				{"github JSON", request(GitHubPath, githubHeaders(push), push, false), 202, push,
					map[string]string{"provider": "github", "event": "push", "delivery_id": deliveryID, "content_type": "application/json", "verified_by": "github-sha256"}, "github:octocat/Hello-World"},
				{"github form, base64", request(GitHubPath, with(githubHeaders(form), "Content-Type", "application/x-www-form-urlencoded", github.DeliveryHeader, "form-delivery-1"), form, true), 202, push,
					map[string]string{"provider": "github", "event": "push", "delivery_id": "form-delivery-1", "content_type": "application/json", "verified_by": "github-sha256"}, "github:octocat/Hello-World"},
				{"paddle", request(PaddlePath, paddleHeaders(txn, now), txn, false), 202, txn,
					map[string]string{"provider": "paddle", "event": "transaction.completed", "delivery_id": "evt_01hv8x2acma3ctdxsd5hyh9bn5", "content_type": "application/json", "verified_by": "paddle-h1"}, "paddle"},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					resp, err := h.Handle(context.Background(), tt.req)
					require.NoError(t, err)
					require.Equal(t, tt.status, resp.StatusCode, resp.Body)
					got := testpeer.Drain(t, a.sqs, queueURL)
					if tt.status != http.StatusAccepted {
						assert.Empty(t, got, "a rejected delivery must not reach the queue")
						return
					}
					require.Len(t, got, 1, "exactly one message per accepted delivery")
					m := got[0]
					assert.JSONEq(t, fmt.Sprintf(`{"messageId":%q}`, aws.ToString(m.MessageId)), resp.Body)
					assert.Equal(t, string(tt.wantBody), aws.ToString(m.Body))
					gotAttrs := attrs(m)
					receivedAt, err := time.Parse(time.RFC3339, gotAttrs["received_at"])
					require.NoError(t, err)
					assert.WithinDuration(t, time.Now(), receivedAt, time.Minute)
					delete(gotAttrs, "received_at")
					assert.Equal(t, tt.wantAttrs, gotAttrs)
					if h.fifo {
						assert.Equal(t, tt.wantGroup, m.Attributes[string(types.MessageSystemAttributeNameMessageGroupId)])
						assert.Equal(t, tt.wantAttrs["delivery_id"], m.Attributes[string(types.MessageSystemAttributeNameMessageDeduplicationId)])
					}
				})
			}
			assert.NotContains(t, logs.String(), githubSecret)
			assert.NotContains(t, logs.String(), paddleSecret)
		})
	}

	t.Run("FIFO stores a redelivery once", func(t *testing.T) {
		queueURL := a.queues["IngestQueue.fifo"]
		t.Setenv(EnvQueueURL, queueURL)
		h := buildFromEnv(t, &bytes.Buffer{})
		for range 2 {
			resp, err := h.Handle(context.Background(), request(GitHubPath, with(githubHeaders(push), github.DeliveryHeader, "redelivered-1"), push, false))
			require.NoError(t, err)
			require.Equal(t, http.StatusAccepted, resp.StatusCode, resp.Body)
		}
		assert.Len(t, testpeer.Drain(t, a.sqs, queueURL), 1)
	})

	t.Run("a secret rotated in Secrets Manager is picked up", func(t *testing.T) {
		queueURL := a.queues["IngestQueue"]
		t.Setenv(EnvQueueURL, queueURL)
		h := buildFromEnv(t, &bytes.Buffer{})
		_, err := a.sm.PutSecretValue(context.Background(), &secretsmanager.PutSecretValueInput{
			SecretId: aws.String(a.secrets[ProviderGitHub]), SecretString: aws.String("rotated-secret," + githubSecret)})
		require.NoError(t, err)
		headers := with(githubHeaders(push), github.SignatureHeader, github.Sign("rotated-secret", push))
		resp, err := h.Handle(context.Background(), request(GitHubPath, headers, push, false))
		require.NoError(t, err)
		assert.Equal(t, http.StatusAccepted, resp.StatusCode, resp.Body)
		assert.Len(t, testpeer.Drain(t, a.sqs, queueURL), 1)
	})

	t.Run("a missing secret rejects everything", func(t *testing.T) {
		queueURL := a.queues["IngestQueue"]
		t.Setenv(EnvQueueURL, queueURL)
		t.Setenv(EnvGitHubSecretARN, "arn:aws:secretsmanager:us-east-1:123456789012:secret:absent-AbCdEf")
		var logs bytes.Buffer
		h := buildFromEnv(t, &logs)
		resp, err := h.Handle(context.Background(), request(GitHubPath, githubHeaders(push), push, false))
		require.NoError(t, err)
		assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
		assert.Empty(t, testpeer.Drain(t, a.sqs, queueURL))
		assert.Contains(t, logs.String(), "fetch webhook secret failed")
	})
}

// TestQueueUnavailable points the handler at an SQS that is down and at one
// that throttles: after the SDK's retries the answer is 503, never 202.
func TestQueueUnavailable(t *testing.T) {
	push := fixture(t, "github-push.json")
	var throttled atomic.Int32
	throttling := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		throttled.Add(1)
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.Header().Set("x-amzn-query-error", "ThrottlingException;Sender")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"__type":"com.amazonaws.sqs#ThrottlingException","message":"Rate exceeded"}`)
	}))
	t.Cleanup(throttling.Close)
	down := fmt.Sprintf("http://127.0.0.1:%d", testpeer.FreePort(t))

	for _, tt := range []struct {
		name     string
		endpoint string
	}{{"endpoint down", down}, {"throttled", throttling.URL}} {
		t.Run(tt.name, func(t *testing.T) {
			testpeer.SetAWSEnv(t, tt.endpoint)
			t.Setenv("AWS_ENDPOINT_URL_SQS", tt.endpoint)
			t.Setenv(EnvQueueURL, tt.endpoint+"/000000000000/IngestQueue")
			t.Setenv(EnvGitHubSecret, githubSecret)
			var logs bytes.Buffer
			h := buildFromEnv(t, &logs)
			before := throttled.Load()
			resp, err := h.Handle(context.Background(), request(GitHubPath, githubHeaders(push), push, false))
			require.NoError(t, err)
			assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, resp.Body)
			assert.Equal(t, "queue_unavailable", errorCode(t, resp))
			if tt.endpoint == throttling.URL {
				assert.Equal(t, int32(3), throttled.Load()-before, "the SDK retries throttling before the handler gives up")
			}
			assert.Contains(t, logs.String(), `"code":"queue_unavailable"`)
		})
	}
}
