package webhook

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

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

// Deps are the outside services the handler uses. main builds them once,
// at cold start, from one AWS configuration.
type Deps struct {
	// SQS sends the messages; required.
	SQS Sender
	// SecretsManager fetches the secrets configured by ARN; it may be nil
	// when every secret is literal.
	SecretsManager secrets.GetSecretValueAPI
	// Now is the clock for the replay windows and received_at; nil
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
	// Every provider gets a source, so a provider without a secret
	// answers 503 secret_unavailable, not 500.
	sources := make(map[string]SecretSource, len(Providers))
	var unconfigured []string
	for _, p := range Providers {
		sc := cfg.Secrets[p.Name]
		s, err := secrets.New(secrets.Options{Name: p.Name, Value: sc.Value, ARN: sc.ARN, Client: deps.SecretsManager,
			RefreshInterval: cfg.SecretRefreshInterval, Now: now, Logger: logger})
		if err != nil {
			return nil, fmt.Errorf("%w: %s secret: %w", ErrConfig, p.Name, err)
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
		logger.InfoContext(ctx, "no webhook secret configured; these providers refuse every delivery", "providers", unconfigured)
	}
	return &Handler{
		secrets:      sources,
		windows:      cfg.Windows,
		sender:       deps.SQS,
		queueURL:     cfg.QueueURL,
		fifo:         cfg.FIFO(),
		maxBodyBytes: DefaultMaxBodyBytes,
		now:          now,
		logger:       logger,
	}, nil
}
