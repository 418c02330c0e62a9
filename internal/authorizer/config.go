package authorizer

import (
	"strings"

	"github.com/sqsgate/sqsgate/internal/cognito"
)

// Config is the authorizer's configuration, read from the environment at
// cold start.
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
