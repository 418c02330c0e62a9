package authorizer_test

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/sqsgate/sqsgate/internal/authorizer"
	"github.com/sqsgate/sqsgate/internal/cognito"
	"github.com/sqsgate/sqsgate/internal/testpeer"
)

// TestMotoCognitoTokens: real tokens from moto's Cognito (RS256, JWKS at
// /<pool id>/.well-known/jwks.json) through the production verifier and
// handler, accepted with the right context and refused by each rule.
func TestMotoCognitoTokens(t *testing.T) {
	p := testpeer.StartMotoCognito(t)
	issuer, err := cognito.IssuerURL("us-east-1", p.PoolID)
	if err != nil {
		t.Fatal(err)
	}
	jwksURL := p.JWKSURL()
	rules, err := authorizer.ParseRules(`{
		"POST /v1/messages": {"scopes": ["aws.cognito.signin.user.admin"], "groups": ["writers"]},
		"GET /v1/messages": {"scopes": ["sqsgate/read"]},
		"DELETE /v1/messages": {"groups": ["admins"]}
	}`)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		issuer   string
		tokenUse string
		skew     time.Duration // added to the verifier's clock
		routeKey string
		token    string
		wantCode string // "" = authorized
	}{
		{"issuer of another pool", issuer[:len(issuer)-1] + "x", "", 0, "POST /v1/messages", p.AccessToken, "token_issuer"},
		{"id token where access is required", issuer, "", 0, "POST /v1/messages", p.IDToken, "token_use"},
		{"access token where id is required", issuer, cognito.TokenUseID, 0, "POST /v1/messages", p.AccessToken, "token_use"},
		{"token of an app client not configured", issuer, "", 0, "POST /v1/messages", p.OtherAccessToken, "token_client"},
		{"expired (clock two hours on)", issuer, "", 2 * time.Hour, "POST /v1/messages", p.AccessToken, "token_expired"},
		{"issued in the future (clock an hour back)", issuer, "", -time.Hour, "POST /v1/messages", p.AccessToken, "token_not_yet_valid"},
		{"route needs a scope the token lacks", issuer, "", 0, "GET /v1/messages", p.AccessToken, "token_scope"},
		{"route needs a group the user lacks", issuer, "", 0, "DELETE /v1/messages", p.AccessToken, "token_group"},
		{"tampered token", issuer, "", 0, "POST /v1/messages", p.AccessToken[:len(p.AccessToken)-8] + "AAAAAAAA", "token_signature"},
		{"id token on a route that needs a scope (id tokens carry none)", issuer, cognito.TokenUseID, 0, "POST /v1/messages", p.IDToken, "token_scope"},

		{"access token", issuer, "", 0, "POST /v1/messages", "Bearer " + p.AccessToken, ""},
		{"id token on a route without a rule", issuer, cognito.TokenUseID, 0, "GET /v1/send", p.IDToken, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := authorizer.Config{
				Cognito: cognito.Config{
					Issuer: tt.issuer, ClientIDs: []string{p.ClientID}, TokenUse: tt.tokenUse,
					JWKSURL: jwksURL, Leeway: cognito.DefaultLeeway,
				},
				Rules: rules,
			}
			var logs bytes.Buffer
			h := newHandler(t, cfg, authorizer.Deps{Now: func() time.Time { return time.Now().Add(tt.skew) }}, slog.New(slog.NewJSONHandler(&logs, nil)))
			resp, err := h.Handle(context.Background(), request(tt.routeKey, map[string]string{"authorization": tt.token}))
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantCode != "" {
				if resp.IsAuthorized || deniedLine(t, logs.Bytes()).Code != tt.wantCode {
					t.Fatalf("authorized=%v, logged %s; want denial %q", resp.IsAuthorized, logs.String(), tt.wantCode)
				}
				return
			}
			if !resp.IsAuthorized {
				t.Fatalf("denied: %s", logs.String())
			}
			ctx := resp.Context
			if ctx["username"] != "alice" || ctx["client_id"] != p.ClientID || ctx["groups"] != "writers" || ctx["sub"] == "" {
				t.Fatalf("context = %v", ctx)
			}
			if tt.tokenUse == "" && ctx["scope"] != "aws.cognito.signin.user.admin" {
				t.Fatalf("scope = %v", ctx["scope"])
			}
		})
	}
}
