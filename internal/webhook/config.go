package webhook

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sqsgate/sqsgate/internal/secrets"
	"github.com/sqsgate/sqsgate/internal/webhook/paddle"
)

// Environment variables the WebhookFunction reads at cold start.
const (
	EnvQueueURL              = "QUEUE_URL"
	EnvGitHubSecret          = "GITHUB_WEBHOOK_SECRET"
	EnvGitHubSecretARN       = "GITHUB_WEBHOOK_SECRET_ARN"
	EnvPaddleSecret          = "PADDLE_WEBHOOK_SECRET"
	EnvPaddleSecretARN       = "PADDLE_WEBHOOK_SECRET_ARN"
	EnvPaddleTolerance       = "PADDLE_TOLERANCE"
	EnvSecretRefreshInterval = "SECRET_REFRESH_INTERVAL"
)

// ErrConfig marks an invalid function configuration.
var ErrConfig = errors.New("webhook: invalid configuration")

// Config is the function's configuration.
type Config struct {
	QueueURL string
	// GitHubSecret and PaddleSecret are literal, comma-separated secrets
	// (local runs); they win over the ARNs.
	GitHubSecret, GitHubSecretARN string
	PaddleSecret, PaddleSecretARN string
	PaddleTolerance               time.Duration
	SecretRefreshInterval         time.Duration
}

// FIFO reports whether the queue is a FIFO queue, which SQS marks by the
// ".fifo" suffix of its name.
func (c Config) FIFO() bool { return strings.HasSuffix(c.QueueURL, ".fifo") }

// ConfigFromEnv reads Config from getenv (os.Getenv in main).
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		QueueURL:              strings.TrimSpace(getenv(EnvQueueURL)),
		GitHubSecret:          getenv(EnvGitHubSecret),
		GitHubSecretARN:       strings.TrimSpace(getenv(EnvGitHubSecretARN)),
		PaddleSecret:          getenv(EnvPaddleSecret),
		PaddleSecretARN:       strings.TrimSpace(getenv(EnvPaddleSecretARN)),
		PaddleTolerance:       paddle.DefaultTolerance,
		SecretRefreshInterval: secrets.DefaultRefreshInterval,
	}
	if c.QueueURL == "" {
		return Config{}, fmt.Errorf("%w: %s is required", ErrConfig, EnvQueueURL)
	}
	for _, d := range []struct {
		name string
		dst  *time.Duration
	}{{EnvPaddleTolerance, &c.PaddleTolerance}, {EnvSecretRefreshInterval, &c.SecretRefreshInterval}} {
		v := strings.TrimSpace(getenv(d.name))
		if v == "" {
			continue
		}
		parsed, err := time.ParseDuration(v)
		if err != nil || parsed <= 0 {
			return Config{}, fmt.Errorf("%w: %s=%q is not a positive Go duration", ErrConfig, d.name, v)
		}
		*d.dst = parsed
	}
	return c, nil
}

// New builds the handler once, at cold start: one SQS client, one Secrets
// Manager client (used only when a secret comes from an ARN), and the
// secrets fetched now. A failed
// fetch is logged and leaves that provider rejecting deliveries (503) until
// a later fetch succeeds; it does not stop the function.
func New(ctx context.Context, cfg Config, awsCfg aws.Config, logger *slog.Logger) (*Handler, error) {
	if cfg.QueueURL == "" {
		return nil, fmt.Errorf("%w: no queue URL", ErrConfig)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	// Building a client does no I/O; secrets.New decides whether the
	// literal value or the ARN is used.
	sm := secretsmanager.NewFromConfig(awsCfg)
	source := func(name, value, arn string) (*secrets.Source, error) {
		s, err := secrets.New(secrets.Options{Name: name, Value: value, ARN: arn, Client: sm,
			RefreshInterval: cfg.SecretRefreshInterval, Logger: logger})
		if err != nil {
			return nil, err
		}
		if strings.TrimSpace(value) == "" && arn == "" {
			logger.WarnContext(ctx, "no webhook secret configured; every delivery will be rejected", "provider", name)
		}
		_ = s.Load(ctx) // logged by the source; fails closed
		return s, nil
	}
	gh, err := source(ProviderGitHub, cfg.GitHubSecret, cfg.GitHubSecretARN)
	if err != nil {
		return nil, err
	}
	pd, err := source(ProviderPaddle, cfg.PaddleSecret, cfg.PaddleSecretARN)
	if err != nil {
		return nil, err
	}
	return &Handler{
		Secrets:  map[string]SecretSource{ProviderGitHub: gh, ProviderPaddle: pd},
		Windows:  map[string]time.Duration{ProviderPaddle: cfg.PaddleTolerance},
		Sender:   sqs.NewFromConfig(awsCfg),
		QueueURL: cfg.QueueURL,
		FIFO:     cfg.FIFO(),
		Now:      time.Now,
		Logger:   logger,
	}, nil
}
