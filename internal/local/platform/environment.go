package platform

import (
	"maps"
	"net/url"
	"strings"

	"github.com/sqsgate/sqsgate/internal/local/devissuer"
	"github.com/sqsgate/sqsgate/internal/local/template"
)

// splitParameters separates the env-vars file's "Parameters": names the
// template declares are parameter overrides, the rest are environment
// variables for every function.
func splitParameters(doc *template.Document, ev EnvVars, flags map[string]string) (params, env map[string]string) {
	params, env = map[string]string{}, map[string]string{}
	for k, v := range ev.Parameters {
		if _, declared := doc.Parameters[k]; declared {
			params[k] = v
		} else {
			env[k] = v
		}
	}
	maps.Copy(params, flags) // flags win over the file
	return params, env
}

// functionEnvironment is the environment a function process gets; see the
// package doc for the order.
func functionEnvironment(f *template.Function, global map[string]string, ev EnvVars, sqsEndpoint string, external bool, jwksURL string) map[string]string {
	env := map[string]string{}
	if f.LogFormat != "" {
		// Lambda sets these for advanced logging controls.
		env["AWS_LAMBDA_LOG_FORMAT"] = strings.ToUpper(f.LogFormat)
		if f.LogLevel != "" {
			env["AWS_LAMBDA_LOG_LEVEL"] = strings.ToUpper(f.LogLevel)
		}
	}
	maps.Copy(env, f.Environment)
	maps.Copy(env, global)
	maps.Copy(env, ev.Functions[f.LogicalID])
	id, secret, token := credentials(external)
	env["AWS_ENDPOINT_URL_SQS"] = sqsEndpoint
	env["AWS_ACCESS_KEY_ID"] = id
	env["AWS_SECRET_ACCESS_KEY"] = secret
	if token != "" {
		env["AWS_SESSION_TOKEN"] = token
	}
	env["AWS_EC2_METADATA_DISABLED"] = "true"
	if env["COGNITO_ISSUER"] == devissuer.Issuer && jwksURL != "" && devJWKS(env["COGNITO_JWKS_URL"]) {
		env["COGNITO_JWKS_URL"] = jwksURL
	}
	return env
}

// devJWKS reports whether a configured JWKS URL is (or stands for) the dev
// issuer's JWKS on some local platform: unset, or on a loopback host at
// devissuer.JWKSPath. Those follow the platform's actual address, so a
// changed --api-addr needs no edit of the env-vars file.
func devJWKS(configured string) bool {
	if configured == "" {
		return true
	}
	u, err := url.Parse(configured)
	if err != nil || u.Path != devissuer.JWKSPath {
		return false
	}
	host := u.Hostname()
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}
