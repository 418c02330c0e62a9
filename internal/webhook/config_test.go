package webhook

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
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
	defaults := func(c Config) Config {
		if c.Secrets == nil {
			c.Secrets = map[string]SecretConfig{}
		}
		if c.Windows == nil {
			c.Windows = map[string]time.Duration{}
		}
		if c.SecretRefreshInterval == 0 {
			c.SecretRefreshInterval = 5 * time.Minute
		}
		return c
	}
	tests := []struct {
		name    string
		env     map[string]string
		want    Config
		wantErr bool
	}{
		{"no queue URL", map[string]string{EnvGitHubSecret: "s"}, Config{}, true},
		{"bad tolerance", map[string]string{EnvQueueURL: queue, EnvPaddleTolerance: "5"}, Config{}, true},
		{"negative tolerance", map[string]string{EnvQueueURL: queue, EnvPaddleTolerance: "-5s"}, Config{}, true},
		{"bad Stripe tolerance", map[string]string{EnvQueueURL: queue, "STRIPE_TOLERANCE": "5 minutes"}, Config{}, true},
		{"zero tolerance", map[string]string{EnvQueueURL: queue, EnvPaddleTolerance: "0s"}, Config{}, true},
		{"zero Slack tolerance", map[string]string{EnvQueueURL: queue, "SLACK_TOLERANCE": "0s"}, Config{}, true},
		{"bad refresh interval", map[string]string{EnvQueueURL: queue, EnvSecretRefreshInterval: "often"}, Config{}, true},
		{"sub-second tolerance kept exactly", map[string]string{EnvQueueURL: queue, EnvPaddleTolerance: "500ms"},
			defaults(Config{QueueURL: queue, Windows: map[string]time.Duration{ProviderPaddle: 500 * time.Millisecond}}), false},
		{"defaults", map[string]string{EnvQueueURL: queue}, defaults(Config{QueueURL: queue}), false},
		{"a tolerance for a scheme that signs no time is not read", map[string]string{EnvQueueURL: queue, "GITHUB_TOLERANCE": "nonsense", "SHOPIFY_TOLERANCE": "1s"},
			defaults(Config{QueueURL: queue}), false},
		{"everything", map[string]string{
			EnvQueueURL: queue + ".fifo", EnvGitHubSecret: "a,b", EnvGitHubSecretARN: " arn:gh ", EnvPaddleSecret: "p",
			EnvPaddleSecretARN: "arn:pd", EnvPaddleTolerance: "30s", EnvSecretRefreshInterval: "1m",
			"STRIPE_WEBHOOK_SECRET": "whsec_1,whsec_2", "STRIPE_TOLERANCE": "10m",
			"STANDARD_WEBHOOK_SECRET_ARN": "arn:std", "STANDARD_TOLERANCE": "1m",
			"SHOPIFY_WEBHOOK_SECRET": "shp", "SLACK_WEBHOOK_SECRET_ARN": "arn:slack", "SLACK_TOLERANCE": "2m",
		}, Config{
			QueueURL: queue + ".fifo",
			Secrets: map[string]SecretConfig{
				ProviderGitHub: {Value: "a,b", ARN: "arn:gh"}, ProviderPaddle: {Value: "p", ARN: "arn:pd"},
				ProviderStripe: {Value: "whsec_1,whsec_2"}, ProviderStandard: {ARN: "arn:std"},
				ProviderShopify: {Value: "shp"}, ProviderSlack: {ARN: "arn:slack"},
			},
			Windows: map[string]time.Duration{
				ProviderPaddle: 30 * time.Second, ProviderStripe: 10 * time.Minute,
				ProviderStandard: time.Minute, ProviderSlack: 2 * time.Minute,
			},
			SecretRefreshInterval: time.Minute,
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

// TestEnvNames: every provider's variables follow one pattern, and the
// spelled-out GitHub and Paddle names are that pattern.
func TestEnvNames(t *testing.T) {
	assert.Equal(t, EnvGitHubSecret, SecretEnv(ProviderGitHub))
	assert.Equal(t, EnvGitHubSecretARN, SecretARNEnv(ProviderGitHub))
	assert.Equal(t, EnvPaddleSecret, SecretEnv(ProviderPaddle))
	assert.Equal(t, EnvPaddleSecretARN, SecretARNEnv(ProviderPaddle))
	assert.Equal(t, EnvPaddleTolerance, ToleranceEnv(ProviderPaddle))
	assert.Equal(t, "STANDARD_WEBHOOK_SECRET_ARN", SecretARNEnv(ProviderStandard))
	assert.Equal(t, "STRIPE_TOLERANCE", ToleranceEnv(ProviderStripe))
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
		{"a secret ARN without a Secrets Manager client", Config{QueueURL: "http://q/1/q", Secrets: map[string]SecretConfig{ProviderPaddle: {ARN: "arn:aws:secretsmanager:us-east-1:000000000000:secret:pd"}}}, Deps{SQS: &recorder{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg, tt.deps, nil)
			assert.ErrorIs(t, err, ErrConfig)
		})
	}
}

func TestNewWithLiteralSecrets(t *testing.T) {
	var logs bytes.Buffer
	h, err := New(Config{QueueURL: "http://q/1/q.fifo",
		Secrets: map[string]SecretConfig{ProviderGitHub: {Value: "a, b"}, ProviderStripe: {Value: "whsec_x"}},
		Windows: map[string]time.Duration{ProviderPaddle: time.Second}}, Deps{SQS: &recorder{}}, slog.New(slog.NewJSONHandler(&logs, nil)))
	require.NoError(t, err)
	assert.True(t, h.fifo)
	assert.Equal(t, []string{"a", "b"}, h.secrets[ProviderGitHub].Secrets(context.Background()))
	assert.Equal(t, []string{"whsec_x"}, h.secrets[ProviderStripe].Secrets(context.Background()))
	for _, p := range []string{ProviderPaddle, ProviderStandard, ProviderShopify, ProviderSlack} {
		require.NotNil(t, h.secrets[p], p)
		assert.Nil(t, h.secrets[p].Secrets(context.Background()), "no %s secret configured: its deliveries are rejected", p)
	}
	assert.Equal(t, time.Second, h.windows[ProviderPaddle])
	assert.Contains(t, logs.String(), `"providers":["paddle","standard","shopify","slack"]`)
	assert.NotContains(t, logs.String(), "whsec_x")
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
	h, err := New(Config{QueueURL: "http://q/1/q", Secrets: map[string]SecretConfig{ProviderGitHub: {Value: "  ", ARN: arn}}, SecretRefreshInterval: time.Minute},
		Deps{SQS: &recorder{}, SecretsManager: sm}, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{arn}, asked, "fetched once, at cold start, by its ARN")
	assert.Equal(t, []string{"from-the-arn"}, h.secrets[ProviderGitHub].Secrets(context.Background()), "a blank literal must not hide the ARN")
}

func TestNewUnreachableSecretsManagerFailsClosed(t *testing.T) {
	sm := getSecretFunc(func(context.Context, *secretsmanager.GetSecretValueInput, ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
		return nil, errors.New("dial tcp 127.0.0.1:1: connection refused")
	})
	h, err := New(Config{QueueURL: "http://q/1/q", Secrets: map[string]SecretConfig{ProviderGitHub: {ARN: "arn:aws:secretsmanager:us-east-1:000000000000:secret:gh-AbCdEf"}}, SecretRefreshInterval: time.Minute},
		Deps{SQS: &recorder{}, SecretsManager: sm}, nil)
	require.NoError(t, err, "an outage at cold start does not stop the function")
	assert.Nil(t, h.secrets[ProviderGitHub].Secrets(context.Background()), "an unreachable Secrets Manager leaves no secret: every delivery is refused")
}
