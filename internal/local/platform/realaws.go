package platform

import (
	"sort"
	"strings"

	"github.com/sqsgate/sqsgate/internal/local/devissuer"
	"github.com/sqsgate/sqsgate/internal/local/lambdaruntime"
	"github.com/sqsgate/sqsgate/internal/local/template"
)

// RealAWSNote is one way a function would reach real AWS from the local
// platform, where it has no credentials: without an env-vars file every
// webhook was 503 (Secrets Manager) and every /v1 call 403 (Cognito's JWKS)
// after a cheerful "ready".
type RealAWSNote struct {
	Function string
	Variable string // the environment variable that sends it there
	What     string // what the function would call
}

// realAWSNotes lists what in the functions' environment points at real AWS
// rather than at the local stand-ins (literal secrets, the dev issuer).
func realAWSNotes(fns []lambdaruntime.Function) []RealAWSNote {
	var notes []RealAWSNote
	for _, f := range fns {
		env := f.Environment
		keys := make([]string, 0, len(env))
		for k := range env {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			// <X>_SECRET_ARN is read from Secrets Manager unless <X>_SECRET,
			// the literal the local platform uses, is set.
			if strings.HasSuffix(k, "_SECRET_ARN") && env[k] != "" && env[strings.TrimSuffix(k, "_ARN")] == "" {
				notes = append(notes, RealAWSNote{f.Name, k, "Secrets Manager (" + env[k] + ")"})
			}
		}
		if issuer := cognitoIssuerOf(env); issuer != "" && issuer != devissuer.Issuer && env["COGNITO_JWKS_URL"] == "" {
			notes = append(notes, RealAWSNote{f.Name, cognitoVariable(env), "Cognito's key set (" + issuer + "/.well-known/jwks.json)"})
		}
	}
	return notes
}

// cognitoIssuerOf is the issuer an authorizer function verifies tokens
// against, as internal/cognito derives it; "" when it has none.
func cognitoIssuerOf(env map[string]string) string {
	if iss := env["COGNITO_ISSUER"]; iss != "" {
		return iss
	}
	if pool := env["COGNITO_USER_POOL_ID"]; pool != "" {
		region := env["AWS_REGION"]
		if r, _, ok := strings.Cut(pool, "_"); ok && r != "" {
			region = r
		}
		return "https://cognito-idp." + region + ".amazonaws.com/" + pool
	}
	return ""
}

func cognitoVariable(env map[string]string) string {
	if env["COGNITO_ISSUER"] != "" {
		return "COGNITO_ISSUER"
	}
	return "COGNITO_USER_POOL_ID"
}

// acceptsDevTokens reports whether a route's authorizer takes the tokens
// `sqsgate token` mints: a JWT authorizer (the dev issuer stands in for
// Cognito, see apiConfig) or a Lambda authorizer (HTTP or REST) whose
// function verifies against the dev issuer.
func acceptsDevTokens(app *template.App, fns []lambdaruntime.Function) bool {
	var functions []string
	if app.RestAPI != nil {
		functions = restAuthorizerFunctions(app.RestAPI)
	}
	if api := app.API; api != nil {
		for _, r := range api.Routes {
			a, ok := api.Authorizers[r.Authorizer]
			if !ok {
				continue
			}
			if a.Type == "jwt" {
				if a.JWTIssuer == devissuer.Issuer || cognitoIssuer.MatchString(a.JWTIssuer) {
					return true
				}
				continue
			}
			functions = append(functions, a.Function)
		}
	}
	for _, fn := range functions {
		if env := functionEnv(fns, fn); env != nil && cognitoIssuerOf(env) == devissuer.Issuer {
			return true
		}
	}
	return false
}
