package authorizer

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/sqsgate/sqsgate/internal/cognito"
)

// Config is the authorizer's configuration, read from the environment at
// cold start. Cognito's Now, HTTPClient and Logger are not configuration:
// New sets them from Deps and its logger.
type Config struct {
	Cognito cognito.Config
	Rules   Rules
}

// ConfigFromEnv reads the AuthorizerFunction's environment:
//
//	COGNITO_ISSUER        issuer URL; if empty, built from
//	COGNITO_USER_POOL_ID  and AWS_REGION
//	COGNITO_CLIENT_IDS    comma-separated app client ids (required)
//	COGNITO_TOKEN_USE     access (default) or id
//	COGNITO_JWKS_URL      default <issuer>/.well-known/jwks.json
//	COGNITO_ROUTE_RULES   JSON route rules (optional; see the package doc)
//
// The leeway is cognito.DefaultLeeway. cognito.New checks the rest.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	rules, err := ParseRules(getenv("COGNITO_ROUTE_RULES"))
	if err != nil {
		return Config{}, err
	}
	var clients []string
	for _, c := range strings.Split(getenv("COGNITO_CLIENT_IDS"), ",") {
		if c = strings.TrimSpace(c); c != "" {
			clients = append(clients, c)
		}
	}
	return Config{
		Cognito: cognito.Config{
			Issuer:     strings.TrimSpace(getenv("COGNITO_ISSUER")),
			UserPoolID: strings.TrimSpace(getenv("COGNITO_USER_POOL_ID")),
			Region:     strings.TrimSpace(getenv("AWS_REGION")),
			ClientIDs:  clients,
			TokenUse:   strings.TrimSpace(getenv("COGNITO_TOKEN_USE")),
			JWKSURL:    strings.TrimSpace(getenv("COGNITO_JWKS_URL")),
			Leeway:     cognito.DefaultLeeway,
		},
		Rules: rules,
	}, nil
}

// Deps are what the authorizer reaches outside itself through; main builds
// them, tests pass their own.
type Deps struct {
	// HTTPClient fetches the pool's key set; nil means
	// cognito.NewJWKSClient().
	HTTPClient *http.Client
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// New builds the Handler: the Cognito verifier, with the key set fetched
// now (bounded by cognito.DefaultFetchTimeout) so the first request finds
// it ready. A failed fetch does not fail New (see cognito.New); a bad
// configuration does. A nil logger discards. Close stops the background
// key set refreshes.
func New(cfg Config, deps Deps, logger *slog.Logger) (*Handler, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cc := cfg.Cognito
	cc.HTTPClient, cc.Now, cc.Logger = deps.HTTPClient, deps.Now, logger
	ctx, cancel := context.WithTimeout(context.Background(), cognito.DefaultFetchTimeout)
	defer cancel()
	v, err := cognito.New(ctx, cc)
	if err != nil {
		return nil, fmt.Errorf("authorizer: %w", err)
	}
	rules := cfg.Rules
	if rules == nil {
		rules = Rules{}
	}
	return &Handler{verifier: v, rules: rules, logger: logger}, nil
}
