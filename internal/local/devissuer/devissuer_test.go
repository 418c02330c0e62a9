package devissuer_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/sqsgate/sqsgate/internal/authorizer"
	"github.com/sqsgate/sqsgate/internal/cognito"
	"github.com/sqsgate/sqsgate/internal/local/devissuer"
)

var now = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// verifier returns a production verifier for the dev issuer, its keys
// served from s.JWKS() at JWKSPath, as the local platform serves them.
// verifierConfig is a Cognito verifier's configuration for the dev issuer,
// its key set served by a test server.
func verifierConfig(t *testing.T, s *devissuer.Signer, tokenUse string) cognito.Config {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+devissuer.JWKSPath, func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(s.JWKS()) })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return cognito.Config{
		Issuer: devissuer.Issuer, ClientIDs: []string{devissuer.ClientID}, TokenUse: tokenUse,
		JWKSURL: srv.URL + devissuer.JWKSPath, Leeway: cognito.DefaultLeeway,
	}
}

func verifier(t *testing.T, s *devissuer.Signer, tokenUse string) *cognito.Verifier {
	t.Helper()
	cfg := verifierConfig(t, s, tokenUse)
	cfg.Now = func() time.Time { return now }
	v, err := cognito.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(v.Close)
	return v
}

func TestMintVerifiesWithCognito(t *testing.T) {
	s, err := devissuer.Load()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		tokenUse string
		claims   devissuer.Claims
		at       time.Time
		want     error
	}{
		{"expired", "", devissuer.Claims{}, now.Add(-2 * time.Hour), cognito.ErrExpired},
		{"another client", "", devissuer.Claims{ClientID: "otherclient"}, now, cognito.ErrClient},
		{"id token to an access verifier", "", devissuer.Claims{TokenUse: devissuer.TokenUseID}, now, cognito.ErrTokenUse},
		{"access token to an id verifier", cognito.TokenUseID, devissuer.Claims{}, now, cognito.ErrTokenUse},
		{"access token", "", devissuer.Claims{Subject: "s-1", Username: "bob", Scopes: []string{"a/b", "c/d"}, Groups: []string{"g1", "g2"}, TTL: 5 * time.Minute}, now, nil},
		{"id token", cognito.TokenUseID, devissuer.Claims{TokenUse: devissuer.TokenUseID, Username: "bob", Email: "bob@example.invalid"}, now, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token, err := s.Mint(tt.claims, tt.at)
			if err != nil {
				t.Fatal(err)
			}
			c, err := verifier(t, s, tt.tokenUse).Verify(context.Background(), token)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify error = %v, want %v", err, tt.want)
			}
			if err != nil {
				return
			}
			if c.Username != "bob" || c.ClientID != devissuer.ClientID || c.Issuer != devissuer.Issuer {
				t.Fatalf("claims = %+v", c)
			}
			if tt.tokenUse == "" && (c.Subject != "s-1" || c.Scope != "a/b c/d" || strings.Join(c.Groups, ",") != "g1,g2" || !c.Expires.Equal(now.Add(5*time.Minute))) {
				t.Fatalf("access claims = %+v", c)
			}
			if tt.tokenUse == cognito.TokenUseID && (c.Subject != devissuer.DefaultSubject || c.Email != "bob@example.invalid") {
				t.Fatalf("id claims = %+v", c)
			}
		})
	}
}

func TestMintShape(t *testing.T) {
	s, err := devissuer.Load()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Mint(devissuer.Claims{TokenUse: "refresh"}, now); err == nil {
		t.Fatal("minted a refresh token")
	}
	token, err := s.Mint(devissuer.Claims{}, now)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(token, ".")
	var header map[string]any
	if b, err := base64.RawURLEncoding.DecodeString(parts[0]); err != nil || json.Unmarshal(b, &header) != nil {
		t.Fatalf("header %q", parts[0])
	}
	if len(header) != 2 || header["alg"] != "RS256" || header["kid"] != devissuer.KeyID {
		t.Fatalf("header = %v, want Cognito's {kid, alg}", header)
	}
	var claims map[string]any
	if b, err := base64.RawURLEncoding.DecodeString(parts[1]); err != nil || json.Unmarshal(b, &claims) != nil {
		t.Fatalf("payload %q", parts[1])
	}
	var keys []string
	for k := range claims {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if got := strings.Join(keys, " "); got != "auth_time client_id event_id exp iat iss jti origin_jti scope sub token_use username version" {
		t.Fatalf("access token claims = %s", got)
	}
}

func TestJWKS(t *testing.T) {
	s, err := devissuer.Load()
	if err != nil {
		t.Fatal(err)
	}
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal(s.JWKS(), &set); err != nil {
		t.Fatal(err)
	}
	if len(set.Keys) != 1 {
		t.Fatalf("JWKS has %d keys", len(set.Keys))
	}
	k := set.Keys[0]
	if k["kid"] != devissuer.KeyID || k["alg"] != "RS256" || k["kty"] != "RSA" || k["use"] != "sig" {
		t.Fatalf("JWKS key = %v", k)
	}
	for _, private := range []string{"d", "p", "q", "dp", "dq", "qi"} {
		if _, ok := k[private]; ok {
			t.Fatalf("JWKS publishes the private parameter %q", private)
		}
	}
}

// TestAuthorizerEvents runs each fixture through the production authorizer
// configured as env.local.json configures it.
func TestAuthorizerEvents(t *testing.T) {
	s, err := devissuer.Load()
	if err != nil {
		t.Fatal(err)
	}
	files, err := devissuer.AuthorizerEvents(s, now)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		file     string
		tokenUse string
		allowed  bool
	}{
		{"expired.json", "", false},
		{"wrong-client.json", "", false},
		{"wrong-token-use.json", "", false},
		{"missing-header.json", "", false},
		{"access-token.json", "", true},
		{"id-token.json", cognito.TokenUseID, true},
	}
	if len(files) != len(tests) {
		t.Fatalf("AuthorizerEvents wrote %d files, want %d", len(files), len(tests))
	}
	rules, err := authorizer.ParseRules(`{"POST /v1/messages":{"groups":["writers"]}}`)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			raw, ok := files[tt.file]
			if !ok {
				t.Fatalf("no %s", tt.file)
			}
			if strings.Contains(string(raw), "null") {
				t.Fatalf("%s has null fields: API Gateway leaves them out", tt.file)
			}
			var req events.APIGatewayV2CustomAuthorizerV2Request
			if err := json.Unmarshal(raw, &req); err != nil {
				t.Fatal(err)
			}
			if req.Version != "2.0" || req.RouteKey != devissuer.EventRouteKey || req.RequestContext.HTTP.Method != "POST" {
				t.Fatalf("event = %+v", req)
			}
			h, err := authorizer.New(authorizer.Config{Cognito: verifierConfig(t, s, tt.tokenUse), Rules: rules},
				authorizer.Deps{Now: func() time.Time { return now }}, nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(h.Close)
			resp, err := h.Handle(context.Background(), req)
			if err != nil || resp.IsAuthorized != tt.allowed {
				t.Fatalf("Handle = %+v, %v; want allowed=%v", resp, err, tt.allowed)
			}
			if tt.allowed && (resp.Context["sub"] != devissuer.DefaultSubject || resp.Context["groups"] != "writers") {
				t.Fatalf("context = %v", resp.Context)
			}
		})
	}
}

// Issue 14, friction 7: a negative TTL mints an already expired token (to
// test expiry handling), ExpireAtIssue one whose exp is its iat, and zero
// the documented default of an hour.
func TestMintTTL(t *testing.T) {
	s, err := devissuer.Load()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		ttl  time.Duration
		want int64 // exp - iat
	}{
		{"negative: already expired", -time.Minute, -60},
		{"expire at issue", devissuer.ExpireAtIssue, 0},
		{"zero: the default hour", 0, 3600},
		{"positive", 5 * time.Minute, 300},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token, err := s.Mint(devissuer.Claims{TTL: tt.ttl}, now)
			if err != nil {
				t.Fatal(err)
			}
			var claims struct{ IAT, EXP int64 }
			b, err := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[1])
			if err != nil {
				t.Fatal(err)
			}
			var raw map[string]int64
			_ = json.Unmarshal(b, &raw)
			claims.IAT, claims.EXP = raw["iat"], raw["exp"]
			if got := claims.EXP - claims.IAT; got != tt.want {
				t.Errorf("exp - iat = %d, want %d", got, tt.want)
			}
		})
	}
}
