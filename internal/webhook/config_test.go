package webhook

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
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
		{"zero tolerance", map[string]string{EnvQueueURL: queue, EnvPaddleTolerance: "0s"}, Config{}, true},
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

// getSecretFunc is a fake Secrets Manager, a function type as the SDK's
// unit-testing guide recommends.
type getSecretFunc func(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)

func (f getSecretFunc) GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	return f(ctx, in, optFns...)
}

func TestNewRefusesAnIncompleteSetup(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		deps Deps
	}{
		{"no queue URL", Config{}, Deps{SQS: &recorder{}}},
		{"no SQS client", Config{QueueURL: "http://q/1/q"}, Deps{}},
		{"a secret ARN without a Secrets Manager client", Config{QueueURL: "http://q/1/q", PaddleSecretARN: "arn:aws:secretsmanager:us-east-1:000000000000:secret:pd"}, Deps{SQS: &recorder{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg, tt.deps, nil)
			assert.ErrorIs(t, err, ErrConfig)
		})
	}
}

func TestNewWithLiteralSecrets(t *testing.T) {
	h, err := New(Config{QueueURL: "http://q/1/q.fifo", GitHubSecret: "a, b", PaddleTolerance: time.Second}, Deps{SQS: &recorder{}}, nil)
	require.NoError(t, err)
	assert.True(t, h.fifo)
	assert.Equal(t, []string{"a", "b"}, h.githubSecrets.Secrets(context.Background()))
	assert.Nil(t, h.paddleSecrets.Secrets(context.Background()), "no Paddle secret configured: Paddle deliveries are rejected")
	assert.Equal(t, time.Second, h.paddleTolerance)
	assert.Equal(t, DefaultMaxBodyBytes, h.maxBodyBytes)
	assert.WithinDuration(t, time.Now(), h.now(), time.Hour, "no clock given: the wall clock")
}

func TestNewBlankLiteralFallsBackToARN(t *testing.T) {
	const arn = "arn:aws:secretsmanager:us-east-1:000000000000:secret:gh-AbCdEf"
	var asked []string
	sm := getSecretFunc(func(_ context.Context, in *secretsmanager.GetSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
		asked = append(asked, aws.ToString(in.SecretId))
		if aws.ToString(in.SecretId) != arn {
			return nil, errors.New("ResourceNotFoundException")
		}
		return &secretsmanager.GetSecretValueOutput{SecretString: aws.String("from-the-arn")}, nil
	})
	h, err := New(Config{QueueURL: "http://q/1/q", GitHubSecret: "  ", GitHubSecretARN: arn, SecretRefreshInterval: time.Minute},
		Deps{SQS: &recorder{}, SecretsManager: sm}, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{arn}, asked, "fetched once, at cold start, by its ARN")
	assert.Equal(t, []string{"from-the-arn"}, h.githubSecrets.Secrets(context.Background()), "a blank literal must not hide the ARN")
}

func TestNewUnreachableSecretsManagerFailsClosed(t *testing.T) {
	sm := getSecretFunc(func(context.Context, *secretsmanager.GetSecretValueInput, ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
		return nil, errors.New("dial tcp 127.0.0.1:1: connection refused")
	})
	h, err := New(Config{QueueURL: "http://q/1/q", GitHubSecretARN: "arn:aws:secretsmanager:us-east-1:000000000000:secret:gh-AbCdEf", SecretRefreshInterval: time.Minute},
		Deps{SQS: &recorder{}, SecretsManager: sm}, nil)
	require.NoError(t, err, "an outage at cold start does not stop the function")
	assert.Nil(t, h.githubSecrets.Secrets(context.Background()), "an unreachable Secrets Manager leaves no secret: every delivery is refused")
}
