package webhook

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

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

// Deps are the outside services the handler uses. main builds them once,
// at cold start, from one AWS configuration.
type Deps struct {
	// SQS sends the messages; required.
	SQS Sender
	// SecretsManager fetches the secrets configured by ARN; it may be nil
	// when every secret is literal.
	SecretsManager secrets.GetSecretValueAPI
	// Now is the clock for Paddle's replay window and received_at; nil
	// means time.Now.
	Now func() time.Time
}

// New builds the handler once, at cold start, and fetches the secrets
// configured by ARN now. A failed fetch is logged and leaves that provider
// rejecting deliveries (503) until a later fetch succeeds; it does not stop
// the function. logger may be nil.
func New(cfg Config, deps Deps, logger *slog.Logger) (*Handler, error) {
	if cfg.QueueURL == "" {
		return nil, fmt.Errorf("%w: no queue URL", ErrConfig)
	}
	if deps.SQS == nil {
		return nil, fmt.Errorf("%w: no SQS client", ErrConfig)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	now := deps.Now
	if now == nil {
		now = time.Now
	}
	// Cold start has no request context; the fetch is bounded by the SDK's
	// own retries, as before the first request.
	ctx := context.Background()
	source := func(name, value, arn string) (*secrets.Source, error) {
		s, err := secrets.New(secrets.Options{Name: name, Value: value, ARN: arn, Client: deps.SecretsManager,
			RefreshInterval: cfg.SecretRefreshInterval, Now: now, Logger: logger})
		if err != nil {
			return nil, fmt.Errorf("%w: %s secret: %w", ErrConfig, name, err)
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
		githubSecrets:   gh,
		paddleSecrets:   pd,
		paddleTolerance: cfg.PaddleTolerance,
		sender:          deps.SQS,
		queueURL:        cfg.QueueURL,
		fifo:            cfg.FIFO(),
		maxBodyBytes:    DefaultMaxBodyBytes,
		now:             now,
		logger:          logger,
	}, nil
}
