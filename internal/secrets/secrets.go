package secrets

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// Defaults for Options.
const (
	DefaultRefreshInterval = 5 * time.Minute
	DefaultRetryInterval   = 10 * time.Second
)

// GetSecretValueAPI is the one Secrets Manager call this package needs.
type GetSecretValueAPI interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

var _ GetSecretValueAPI = (*secretsmanager.Client)(nil)

// Sentinel errors.
var (
	// ErrNoClient means an ARN was given without a Secrets Manager client.
	ErrNoClient = errors.New("secrets: a secret ARN needs a Secrets Manager client")
	// ErrEmptySecret means the fetched secret holds no usable value.
	ErrEmptySecret = errors.New("secrets: secret holds no value")
)

// Options configures a Source.
type Options struct {
	// Name labels the source in logs, e.g. "github".
	Name string
	// Value is a literal, comma-separated list of secrets. When not
	// empty it wins over ARN.
	Value string
	// ARN names a Secrets Manager secret whose SecretString is a
	// comma-separated list of secrets.
	ARN string
	// Client fetches ARN; required when ARN is used.
	Client GetSecretValueAPI
	// RefreshInterval is the longest fetched secrets are used before they
	// are fetched again, and the least time between two refreshes forced
	// by mismatches. Zero means DefaultRefreshInterval.
	RefreshInterval time.Duration
	// RetryInterval spaces fetches after a failed one. Zero means
	// DefaultRetryInterval (or RefreshInterval, if shorter).
	RetryInterval time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives fetch outcomes (never values); nil discards them.
	Logger *slog.Logger
}

// Source hands out the current secrets. It is safe for concurrent use.
type Source struct {
	name     string
	arn      string
	client   GetSecretValueAPI
	refresh  time.Duration
	retry    time.Duration
	now      func() time.Time
	logger   *slog.Logger
	isStatic bool

	mu        sync.Mutex
	secrets   []string
	fetchedAt time.Time // last successful fetch
	triedAt   time.Time // last fetch attempt, successful or not
	forcedAt  time.Time // last refresh forced by a mismatch
}

// New returns a Source for o. With neither Value nor ARN the source holds no
// secrets, so every request it guards is rejected.
func New(o Options) (*Source, error) {
	s := &Source{
		name:    o.Name,
		refresh: o.RefreshInterval,
		retry:   o.RetryInterval,
		now:     o.Now,
		logger:  o.Logger,
	}
	if s.refresh <= 0 {
		s.refresh = DefaultRefreshInterval
	}
	if s.retry <= 0 {
		s.retry = min(DefaultRetryInterval, s.refresh)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	// A literal wins; an ARN needs a client; neither leaves no secret.
	if strings.TrimSpace(o.Value) != "" {
		s.isStatic, s.secrets = true, Split(o.Value)
		return s, nil
	}
	if o.ARN == "" {
		s.isStatic = true
		return s, nil
	}
	if o.Client == nil {
		return nil, ErrNoClient
	}
	s.arn, s.client = o.ARN, o.Client
	return s, nil
}

// Split returns the non-empty, space-trimmed secrets in a comma-separated
// list.
func Split(value string) []string {
	var out []string
	for part := range strings.SplitSeq(value, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// Load fetches the secret now, at cold start. A failure leaves the source
// empty (fail closed) and is returned so the caller can log it; later calls
// to Secrets retry.
func (s *Source) Load(ctx context.Context) error {
	if s.isStatic {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fetchLocked(ctx)
}

// Secrets returns the current secrets, fetching them first when they are
// older than RefreshInterval (or missing, and RetryInterval has passed since
// the last attempt). It returns nil when none are available. The slice is
// shared: callers must not modify it.
func (s *Source) Secrets(ctx context.Context) []string {
	if s.isStatic {
		return s.secrets
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	stale := s.fetchedAt.IsZero() || now.Sub(s.fetchedAt) >= s.refresh
	if stale && (s.triedAt.IsZero() || now.Sub(s.triedAt) >= s.retry) {
		_ = s.fetchLocked(ctx) // logged; the cached secrets (if any) stay in use
	}
	return s.secrets
}

// RefreshAfterMismatch fetches the secret again because a signature did not
// match, in case it was rotated. It does so at most once per
// RefreshInterval; changed reports whether the secrets differ from before,
// in which case the caller should verify once more with them.
func (s *Source) RefreshAfterMismatch(ctx context.Context) (secrets []string, changed bool) {
	if s.isStatic {
		return s.secrets, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if !s.forcedAt.IsZero() && now.Sub(s.forcedAt) < s.refresh {
		return s.secrets, false
	}
	s.forcedAt = now
	before := s.secrets
	if s.fetchLocked(ctx) != nil {
		return s.secrets, false
	}
	return s.secrets, !slices.Equal(before, s.secrets)
}

func (s *Source) fetchLocked(ctx context.Context) error {
	s.triedAt = s.now()
	out, err := s.client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(s.arn)})
	var fetched []string
	if err == nil {
		if fetched = Split(aws.ToString(out.SecretString)); len(fetched) == 0 {
			err = ErrEmptySecret
		}
	}
	if err != nil {
		// The SDK's error names the secret and the failure, never its value.
		s.logger.ErrorContext(ctx, "fetch webhook secret failed", "source", s.name, "keeping_cached", len(s.secrets) > 0, "error", err.Error())
		return fmt.Errorf("secrets: fetch %s secret: %w", s.name, err)
	}
	s.secrets = fetched
	s.fetchedAt = s.triedAt
	s.logger.InfoContext(ctx, "fetched webhook secret", "source", s.name, "count", len(s.secrets), "version_id", aws.ToString(out.VersionId))
	return nil
}
