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
)

// Environment variables the WebhookFunction reads at cold start. Every
// provider has the same three, named after it (SecretEnv, SecretARNEnv,
// ToleranceEnv); GitHub's and Paddle's are spelled out here because
// deployments and tests name them.
const (
	EnvQueueURL              = "QUEUE_URL"
	EnvGitHubSecret          = "GITHUB_WEBHOOK_SECRET"
	EnvGitHubSecretARN       = "GITHUB_WEBHOOK_SECRET_ARN"
	EnvPaddleSecret          = "PADDLE_WEBHOOK_SECRET"
	EnvPaddleSecretARN       = "PADDLE_WEBHOOK_SECRET_ARN"
	EnvPaddleTolerance       = "PADDLE_TOLERANCE"
	EnvSecretRefreshInterval = "SECRET_REFRESH_INTERVAL"
)

// SecretEnv is the variable holding a provider's literal secrets,
// comma-separated: <NAME>_WEBHOOK_SECRET.
func SecretEnv(provider string) string { return strings.ToUpper(provider) + "_WEBHOOK_SECRET" }

// SecretARNEnv is the variable naming the Secrets Manager secret that
// holds a provider's secrets: <NAME>_WEBHOOK_SECRET_ARN.
func SecretARNEnv(provider string) string { return SecretEnv(provider) + "_ARN" }

// ToleranceEnv is the variable setting the replay window of a provider
// whose scheme signs a timestamp: <NAME>_TOLERANCE, a Go duration.
func ToleranceEnv(provider string) string { return strings.ToUpper(provider) + "_TOLERANCE" }

// ErrConfig marks an invalid function configuration.
var ErrConfig = errors.New("webhook: invalid configuration")

// SecretConfig is where one provider's secrets come from.
type SecretConfig struct {
	// Value holds literal secrets, comma-separated (local runs); when not
	// blank it wins over ARN.
	Value string
	// ARN names a Secrets Manager secret holding them, fetched at cold
	// start and again after a mismatch (rotation).
	ARN string
}

// Config is the function's configuration.
type Config struct {
	QueueURL string
	// Secrets holds each provider's secret settings, by provider name. A
	// provider absent here has no secret and refuses every delivery.
	Secrets map[string]SecretConfig
	// Windows holds the replay windows set by <NAME>_TOLERANCE, by
	// provider name; a provider absent here keeps its scheme's default.
	Windows               map[string]time.Duration
	SecretRefreshInterval time.Duration
}

// FIFO reports whether the queue is a FIFO queue, which SQS marks by the
// ".fifo" suffix of its name.
func (c Config) FIFO() bool { return strings.HasSuffix(c.QueueURL, ".fifo") }

// ConfigFromEnv reads Config from getenv (os.Getenv in main).
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		QueueURL:              strings.TrimSpace(getenv(EnvQueueURL)),
		Secrets:               map[string]SecretConfig{},
		Windows:               map[string]time.Duration{},
		SecretRefreshInterval: secrets.DefaultRefreshInterval,
	}
	if c.QueueURL == "" {
		return Config{}, fmt.Errorf("%w: %s is required", ErrConfig, EnvQueueURL)
	}
	duration := func(name string) (time.Duration, bool, error) {
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			return 0, false, nil
		}
		parsed, err := time.ParseDuration(v)
		if err != nil || parsed <= 0 {
			return 0, false, fmt.Errorf("%w: %s=%q is not a positive Go duration", ErrConfig, name, v)
		}
		return parsed, true, nil
	}
	for _, p := range Providers {
		sc := SecretConfig{Value: getenv(SecretEnv(p.Name)), ARN: strings.TrimSpace(getenv(SecretARNEnv(p.Name)))}
		if sc != (SecretConfig{}) {
			c.Secrets[p.Name] = sc
		}
		if p.Window == 0 {
			continue // the scheme signs no time: no window to set
		}
		w, ok, err := duration(ToleranceEnv(p.Name))
		if err != nil {
			return Config{}, err
		}
		if ok {
			c.Windows[p.Name] = w
		}
	}
	if d, ok, err := duration(EnvSecretRefreshInterval); err != nil {
		return Config{}, err
	} else if ok {
		c.SecretRefreshInterval = d
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
	// literal value or the ARN is used. Every provider gets a source, so a
	// provider without a secret answers 503 secret_unavailable, not 500.
	sm := secretsmanager.NewFromConfig(awsCfg)
	sources := make(map[string]SecretSource, len(Providers))
	var unconfigured []string
	for _, p := range Providers {
		sc := cfg.Secrets[p.Name]
		s, err := secrets.New(secrets.Options{Name: p.Name, Value: sc.Value, ARN: sc.ARN, Client: sm,
			RefreshInterval: cfg.SecretRefreshInterval, Logger: logger})
		if err != nil {
			return nil, err
		}
		if strings.TrimSpace(sc.Value) == "" && sc.ARN == "" {
			unconfigured = append(unconfigured, p.Name)
		}
		_ = s.Load(ctx) // logged by the source; fails closed
		sources[p.Name] = s
	}
	if len(unconfigured) > 0 {
		// A provider whose route the template leaves off has no secret
		// either; one line says which, and that they refuse everything.
		logger.InfoContext(ctx, "webhook providers without a secret refuse every delivery", "providers", unconfigured)
	}
	return &Handler{
		Secrets:  sources,
		Windows:  cfg.Windows,
		Sender:   sqs.NewFromConfig(awsCfg),
		QueueURL: cfg.QueueURL,
		FIFO:     cfg.FIFO(),
		Now:      time.Now,
		Logger:   logger,
	}, nil
}
