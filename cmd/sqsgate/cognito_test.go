package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/sqsgate/sqsgate/internal/cognito"
	"github.com/sqsgate/sqsgate/internal/testpeer"
)

// TestMotoCognitoTokensOnTheLocalPlatform points the real authorizer
// binary at moto's Cognito (tokens from InitiateAuth, keys from moto's
// JWKS) and drives every authorized route with those tokens, as a deployed
// stack would see tokens from a real user pool.
func TestMotoCognitoTokensOnTheLocalPlatform(t *testing.T) {
	if testing.Short() {
		t.Skip("end to end: starts sqsgate run and the real functions")
	}
	pool := testpeer.StartMotoCognito(t)
	issuer, err := cognito.IssuerURL("us-east-1", pool.PoolID)
	if err != nil {
		t.Fatal(err)
	}

	raw, err := os.ReadFile(filepath.Join(repoRoot, "env.local.json"))
	if err != nil {
		t.Fatal(err)
	}
	var env map[string]map[string]string
	if err := json.Unmarshal(raw, &env); err != nil {
		t.Fatal(err)
	}
	env["AuthorizerFunction"] = map[string]string{
		"COGNITO_ISSUER":     issuer,
		"COGNITO_CLIENT_IDS": pool.ClientID,
		"COGNITO_JWKS_URL":   pool.JWKSURL(),
	}
	envFile := filepath.Join(t.TempDir(), "env.json")
	out, _ := json.Marshal(env)
	if err := os.WriteFile(envFile, out, 0o600); err != nil {
		t.Fatal(err)
	}

	// transformerFlow sends strict-order events, as TestEndToEnd selects.
	s := startStack(t, "--env-vars", envFile, "--parameter-overrides", "EventSchema=strict-order")
	ingest := s.queueURL(t, ingestQueue)
	t.Run("token of an app client not configured is 403", func(t *testing.T) {
		status, body := call(t, http.MethodPost, s.API+"/v1/messages", pool.OtherAccessToken, []byte("x"))
		if status != http.StatusForbidden {
			t.Errorf("status %d body %s, want 403", status, body)
		}
	})
	t.Run("id token where access tokens are expected is 403", func(t *testing.T) {
		status, body := call(t, http.MethodPost, s.API+"/v1/messages", pool.IDToken, []byte("x"))
		if status != http.StatusForbidden {
			t.Errorf("status %d body %s, want 403", status, body)
		}
	})
	t.Run("native SQS routes", func(t *testing.T) { nativeFlows(t, s, ingest, pool.AccessToken) })
	t.Run("transformer", func(t *testing.T) { transformerFlow(t, s, ingest, pool.AccessToken) })
}
