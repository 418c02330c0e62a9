package webhook

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func env(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

func TestConfigFromEnv(t *testing.T) {
	const queue = "http://127.0.0.1:9324/000000000000/IngestQueue"
	tests := []struct {
		name    string
		env     map[string]string
		want    Config
		wantErr bool
	}{
		{"no queue URL", map[string]string{EnvGitHubSecret: "s"}, Config{}, true},
		{"bad tolerance", map[string]string{EnvQueueURL: queue, EnvPaddleTolerance: "5"}, Config{}, true},
		{"negative tolerance", map[string]string{EnvQueueURL: queue, EnvPaddleTolerance: "-5s"}, Config{}, true},
		{"bad refresh interval", map[string]string{EnvQueueURL: queue, EnvSecretRefreshInterval: "often"}, Config{}, true},
		{"sub-second tolerance kept exactly", map[string]string{EnvQueueURL: queue, EnvPaddleTolerance: "500ms"}, Config{QueueURL: queue, PaddleTolerance: 500 * time.Millisecond, SecretRefreshInterval: 5 * time.Minute}, false},
		{"defaults", map[string]string{EnvQueueURL: queue}, Config{QueueURL: queue, PaddleTolerance: 5 * time.Second, SecretRefreshInterval: 5 * time.Minute}, false},
		{"everything", map[string]string{
			EnvQueueURL: queue + ".fifo", EnvGitHubSecret: "a,b", EnvGitHubSecretARN: "arn:gh", EnvPaddleSecret: "p",
			EnvPaddleSecretARN: "arn:pd", EnvPaddleTolerance: "30s", EnvSecretRefreshInterval: "1m",
		}, Config{
			QueueURL: queue + ".fifo", GitHubSecret: "a,b", GitHubSecretARN: "arn:gh", PaddleSecret: "p",
			PaddleSecretARN: "arn:pd", PaddleTolerance: 30 * time.Second, SecretRefreshInterval: time.Minute,
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ConfigFromEnv(env(tt.env))
			if tt.wantErr {
				assert.ErrorIs(t, err, ErrConfig)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestConfigFIFO(t *testing.T) {
	assert.True(t, Config{QueueURL: "https://sqs.us-east-1.amazonaws.com/1/q.fifo"}.FIFO())
	assert.False(t, Config{QueueURL: "https://sqs.us-east-1.amazonaws.com/1/q"}.FIFO())
}

func TestNewWithLiteralSecrets(t *testing.T) {
	_, err := New(context.Background(), Config{}, aws.Config{}, nil)
	assert.ErrorIs(t, err, ErrConfig)

	h, err := New(context.Background(), Config{QueueURL: "http://q/1/q.fifo", GitHubSecret: "a, b", PaddleTolerance: time.Second}, aws.Config{Region: "us-east-1"}, nil)
	require.NoError(t, err)
	assert.True(t, h.FIFO)
	assert.Equal(t, []string{"a", "b"}, h.Secrets[ProviderGitHub].Secrets(context.Background()))
	assert.Nil(t, h.Secrets[ProviderPaddle].Secrets(context.Background()), "no Paddle secret configured: Paddle deliveries are rejected")
	assert.Equal(t, time.Second, h.Windows[ProviderPaddle])
}

// fakeSecretsManager answers GetSecretValue for one ARN over Secrets
// Manager's JSON protocol, and records the ids it was asked for.
func fakeSecretsManager(t *testing.T, arn, value string) (*httptest.Server, *[]string) {
	t.Helper()
	var asked []string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct{ SecretId string }
		_ = json.NewDecoder(r.Body).Decode(&in)
		mu.Lock()
		asked = append(asked, in.SecretId)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if r.Header.Get("X-Amz-Target") != "secretsmanager.GetSecretValue" || in.SecretId != arn {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"__type":"ResourceNotFoundException","message":"no such secret"}`)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"ARN": arn, "Name": "gh", "SecretString": value, "VersionId": "v1"})
	}))
	t.Cleanup(srv.Close)
	return srv, &asked
}

func TestNewBlankLiteralFallsBackToARN(t *testing.T) {
	const arn = "arn:aws:secretsmanager:us-east-1:000000000000:secret:gh-AbCdEf"
	srv, asked := fakeSecretsManager(t, arn, "from-the-arn")
	h, err := New(context.Background(), Config{QueueURL: "http://q/1/q", GitHubSecret: "  ", GitHubSecretARN: arn, SecretRefreshInterval: time.Minute},
		aws.Config{Region: "us-east-1", Credentials: aws.AnonymousCredentials{}, BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1}, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"from-the-arn"}, h.Secrets[ProviderGitHub].Secrets(context.Background()), "a blank literal must not hide the ARN")
	assert.Equal(t, []string{arn}, *asked, "fetched once, at cold start, by its ARN")
}

func TestNewUnreachableSecretsManagerFailsClosed(t *testing.T) {
	h, err := New(context.Background(), Config{QueueURL: "http://q/1/q", GitHubSecretARN: "arn:aws:secretsmanager:us-east-1:000000000000:secret:gh-AbCdEf", SecretRefreshInterval: time.Minute},
		aws.Config{Region: "us-east-1", Credentials: aws.AnonymousCredentials{}, BaseEndpoint: aws.String("http://127.0.0.1:1"), RetryMaxAttempts: 1}, nil)
	require.NoError(t, err, "an outage at cold start does not stop the function")
	assert.Nil(t, h.Secrets[ProviderGitHub].Secrets(context.Background()), "an unreachable Secrets Manager leaves no secret: every delivery is refused")
}
