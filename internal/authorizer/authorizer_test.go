package authorizer_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/sqsgate/sqsgate/internal/authorizer"
	"github.com/sqsgate/sqsgate/internal/cognito"
	"github.com/sqsgate/sqsgate/internal/fakeclock"
)

const (
	issuer = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AuthzTest"
	client = "authzclient"
)

var now = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// pool is a stand-in user pool: a signing key and its JWKS endpoint.
type pool struct {
	key      jwk.Key
	jwksURL  string
	failing  atomic.Bool
	requests atomic.Int64
}

func newPool(t testing.TB) *pool {
	t.Helper()
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	key, err := jwk.FromRaw(priv)
	if err != nil {
		t.Fatal(err)
	}
	_ = key.Set(jwk.KeyIDKey, "authz-key")
	_ = key.Set(jwk.AlgorithmKey, jwa.RS256)
	pub, err := key.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	set := jwk.NewSet()
	_ = set.AddKey(pub)
	body, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	p := &pool{key: key}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.requests.Add(1)
		if p.failing.Load() {
			http.Error(w, "down", http.StatusBadGateway)
			return
		}
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	p.jwksURL = srv.URL + "/.well-known/jwks.json"
	return p
}

// token signs an access token; edit changes the builder's claims.
func (p *pool) token(t testing.TB, claims map[string]any) string {
	t.Helper()
	b := jwt.NewBuilder().Issuer(issuer).Subject("sub-1234").
		IssuedAt(now.Add(-time.Minute)).Expiration(now.Add(time.Hour)).
		Claim("token_use", "access").Claim("client_id", client).Claim("username", "alice").
		Claim("scope", "sqsgate/write").Claim("cognito:groups", []string{"writers", "ops"})
	for k, v := range claims {
		b = b.Claim(k, v)
	}
	tok, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	signed, err := jwt.Sign(tok, jwt.WithKey(jwa.RS256, p.key))
	if err != nil {
		t.Fatal(err)
	}
	return string(signed)
}

// config is the authorizer's configuration for the pool.
func (p *pool) config(rules authorizer.Rules) authorizer.Config {
	return authorizer.Config{
		Cognito: cognito.Config{Issuer: issuer, ClientIDs: []string{client}, JWKSURL: p.jwksURL, Leeway: cognito.DefaultLeeway},
		Rules:   rules,
	}
}

// handler is a Handler for the pool, its clock stopped at now.
func (p *pool) handler(t testing.TB, rules authorizer.Rules, logger *slog.Logger) *authorizer.Handler {
	t.Helper()
	return newHandler(t, p.config(rules), authorizer.Deps{Now: func() time.Time { return now }}, logger)
}

func newHandler(t testing.TB, cfg authorizer.Config, deps authorizer.Deps, logger *slog.Logger) *authorizer.Handler {
	t.Helper()
	h, err := authorizer.New(cfg, deps, logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	return h
}

// logLine is a denial's log line.
type logLine struct {
	Level    string `json:"level"`
	Msg      string `json:"msg"`
	Code     string `json:"code"`
	RouteKey string `json:"route_key"`
}

// deniedLine returns the one "request denied" line of a JSON log; every
// line must be JSON.
func deniedLine(t testing.TB, logs []byte) logLine {
	t.Helper()
	var found []logLine
	for _, raw := range bytes.Split(bytes.TrimSpace(logs), []byte("\n")) {
		var l logLine
		if err := json.Unmarshal(raw, &l); err != nil {
			t.Fatalf("log line is not JSON: %q", raw)
		}
		if l.Msg == "request denied" {
			found = append(found, l)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d denial lines in the log, want 1:\n%s", len(found), logs)
	}
	return found[0]
}

func request(routeKey string, headers map[string]string) events.APIGatewayV2CustomAuthorizerV2Request {
	var req events.APIGatewayV2CustomAuthorizerV2Request
	req.Version, req.Type, req.RouteKey, req.Headers = "2.0", "REQUEST", routeKey, headers
	req.RequestContext.RequestID = "req-1"
	req.RequestContext.HTTP.SourceIP = "192.0.2.10"
	return req
}

func TestHandle(t *testing.T) {
	p := newPool(t)
	rules, err := authorizer.ParseRules(`{
		"POST /v1/messages": {"scopes": ["sqsgate/write"], "groups": ["writers"]},
		"GET /v1/messages": {"scopes": ["sqsgate/read"]},
		"DELETE /v1/messages": {"groups": ["admins"]}
	}`)
	if err != nil {
		t.Fatal(err)
	}
	good := p.token(t, nil)
	tests := []struct {
		name     string
		routeKey string
		headers  map[string]string
		wantCode string // "" = authorized
	}{
		{"no Authorization header", "POST /v1/messages", map[string]string{}, "authorization_missing"},
		{"empty Bearer", "POST /v1/messages", map[string]string{"authorization": "Bearer "}, "authorization_missing"},
		{"blank header", "POST /v1/messages", map[string]string{"authorization": " \t "}, "authorization_missing"},
		{"Basic scheme", "POST /v1/messages", map[string]string{"authorization": "Basic " + good}, "authorization_scheme"},
		{"header repeated", "POST /v1/messages", map[string]string{"authorization": "Bearer " + good + ",Bearer " + good}, "authorization_repeated"},
		{"garbage token", "POST /v1/messages", map[string]string{"authorization": "Bearer not-a-jwt"}, "token_malformed"},
		{"expired token", "POST /v1/messages", map[string]string{"authorization": p.token(t, map[string]any{"exp": now.Add(-time.Hour).Unix()})}, "token_expired"},
		{"token of another client", "POST /v1/messages", map[string]string{"authorization": p.token(t, map[string]any{"client_id": "other"})}, "token_client"},
		{"route needs a scope the token lacks", "GET /v1/messages", map[string]string{"authorization": good}, "token_scope"},
		{"route needs a group the token lacks", "DELETE /v1/messages", map[string]string{"authorization": good}, "token_group"},
		{"scope present but group missing", "POST /v1/messages", map[string]string{"authorization": p.token(t, map[string]any{"cognito:groups": []string{"readers"}})}, "token_group"},

		{"Bearer token with a rule it meets", "POST /v1/messages", map[string]string{"authorization": "Bearer " + good}, ""},
		{"lowercase bearer, mixed-case header name", "POST /v1/messages", map[string]string{"Authorization": "bearer " + good}, ""},
		{"bare token", "POST /v1/messages", map[string]string{"authorization": good}, ""},
		{"Bearer and spaces around the token", "POST /v1/messages", map[string]string{"authorization": " Bearer   " + good + " "}, ""},
		{"route without a rule", "GET /v1/send", map[string]string{"authorization": "Bearer " + good}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			h := p.handler(t, rules, slog.New(slog.NewJSONHandler(&logs, nil)))
			resp, err := h.Handle(context.Background(), request(tt.routeKey, tt.headers))
			if err != nil {
				t.Fatalf("Handle returned an error: %v", err)
			}
			if tt.wantCode != "" {
				if resp.IsAuthorized || resp.Context != nil {
					t.Fatalf("response = %+v, want a bare denial", resp)
				}
				line := deniedLine(t, logs.Bytes())
				if line.Code != tt.wantCode || line.RouteKey != tt.routeKey || line.Level != "INFO" {
					t.Fatalf("logged %+v, want code %q", line, tt.wantCode)
				}
				// Every token-sized piece of the header, whatever the scheme
				// or repetition around it, stays out of the log.
				for _, v := range tt.headers {
					for _, tok := range strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ',' }) {
						if len(tok) > 20 && strings.Contains(logs.String(), tok) {
							t.Fatal("the log contains the token")
						}
					}
				}
				return
			}
			want := map[string]any{"sub": "sub-1234", "username": "alice", "client_id": client, "scope": "sqsgate/write", "groups": "writers ops"}
			if !resp.IsAuthorized || fmt.Sprint(resp.Context) != fmt.Sprint(want) {
				t.Fatalf("response = %+v, want authorized with %v", resp, want)
			}
		})
	}
}

// TestHandleJWKSOutage: no key set ⇒ denial (not an error), logged at ERROR.
func TestHandleJWKSOutage(t *testing.T) {
	p := newPool(t)
	p.failing.Store(true)
	var logs bytes.Buffer
	h := p.handler(t, nil, slog.New(slog.NewJSONHandler(&logs, nil)))
	resp, err := h.Handle(context.Background(), request("POST /v1/messages", map[string]string{"authorization": p.token(t, nil)}))
	if err != nil || resp.IsAuthorized {
		t.Fatalf("Handle = %+v, %v; want a denial without error", resp, err)
	}
	if line := deniedLine(t, logs.Bytes()); line.Level != "ERROR" || line.Code != "jwks_unavailable" {
		t.Fatalf("denial logged as %+v, want ERROR jwks_unavailable", line)
	}
}

// TestHandleDeniesTokenPastExpThoughCached: a warm authorizer that allowed
// a token a minute before its exp denies it once exp + leeway has passed,
// well inside the verified-token cache's TTL (5 minutes).
func TestHandleDeniesTokenPastExpThoughCached(t *testing.T) {
	p := newPool(t)
	clk := fakeclock.New(now)
	exp := now.Add(time.Minute)
	req := request("POST /v1/messages", map[string]string{"authorization": p.token(t, map[string]any{"exp": exp.Unix()})})
	var logs bytes.Buffer
	h := newHandler(t, p.config(nil), authorizer.Deps{Now: clk.Now}, slog.New(slog.NewJSONHandler(&logs, nil)))
	for _, at := range []time.Time{now, exp.Add(cognito.DefaultLeeway - time.Second)} {
		clk.Set(at)
		if resp, _ := h.Handle(context.Background(), req); !resp.IsAuthorized {
			t.Fatalf("at exp + %s: denied: %s", at.Sub(exp), logs.String())
		}
	}
	clk.Set(exp.Add(cognito.DefaultLeeway))
	if resp, _ := h.Handle(context.Background(), req); resp.IsAuthorized {
		t.Fatal("authorized at exp + leeway: the cached decision outlived the token")
	}
	if line := deniedLine(t, logs.Bytes()); line.Code != "token_expired" {
		t.Fatalf("denial logged as %+v, want token_expired", line)
	}
}

func TestParseRules(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr bool
	}{
		{"not JSON", `{`, true},
		{"unknown field", `{"POST /v1/messages":{"scope":["a"]}}`, true},
		{"not a route key", `{"/v1/messages":{"scopes":["a"]}}`, true},
		{"empty scope", `{"POST /v1/messages":{"scopes":[""]}}`, true},
		{"scope with a space", `{"POST /v1/messages":{"scopes":["a b"]}}`, true},
		{"trailing data", `{} {}`, true},
		{"empty", ``, false},
		{"empty object", `{}`, false},
		{"null", `null`, false},
		{"rules", `{"POST /v1/messages":{"scopes":["sqsgate/write"],"groups":["writers"]},"$default":{"groups":["admins"]}}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rules, err := authorizer.ParseRules(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseRules error = %v, want error %v", err, tt.wantErr)
			}
			if err == nil && rules == nil {
				t.Fatal("nil rules without error")
			}
		})
	}
}

func TestConfigFromEnv(t *testing.T) {
	env := map[string]string{
		"COGNITO_USER_POOL_ID": "us-east-1_Abc",
		"AWS_REGION":           "us-east-1",
		"COGNITO_CLIENT_IDS":   " one, two ,,",
		"COGNITO_TOKEN_USE":    "id",
		"COGNITO_ROUTE_RULES":  `{"GET /v1/messages":{"scopes":["r"]}}`,
	}
	cfg, err := authorizer.ConfigFromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cfg.Cognito.ClientIDs, "|"); got != "one|two" {
		t.Fatalf("client ids = %q", got)
	}
	if cfg.Cognito.UserPoolID != "us-east-1_Abc" || cfg.Cognito.Region != "us-east-1" || cfg.Cognito.TokenUse != "id" || cfg.Cognito.Leeway != cognito.DefaultLeeway {
		t.Fatalf("cognito config = %+v", cfg.Cognito)
	}
	if cfg.Rules["GET /v1/messages"].Scopes[0] != "r" {
		t.Fatalf("rules = %v", cfg.Rules)
	}
	env["COGNITO_ROUTE_RULES"] = `{"GET /v1/messages":{"scopes":"r"}}`
	if _, err := authorizer.ConfigFromEnv(func(k string) string { return env[k] }); err == nil {
		t.Fatal("malformed rules accepted")
	}
}

// TestHandleEventFixture decodes an authorizer event shaped as API Gateway
// sends it and denies it (its token is not one), then allows it with a
// valid token.
func TestHandleEventFixture(t *testing.T) {
	p := newPool(t)
	h := p.handler(t, nil, nil)
	b, err := os.ReadFile(filepath.Join("testdata", "request-post-messages.json"))
	if err != nil {
		t.Fatal(err)
	}
	var req events.APIGatewayV2CustomAuthorizerV2Request
	if err := json.Unmarshal(b, &req); err != nil {
		t.Fatal(err)
	}
	if req.RouteKey == "" || len(req.Headers) == 0 {
		t.Fatalf("fixture decoded to %+v", req)
	}
	resp, err := h.Handle(context.Background(), req)
	if err != nil || resp.IsAuthorized {
		t.Fatalf("Handle = %+v, %v", resp, err)
	}
	req.Headers["authorization"] = p.token(t, nil)
	if resp, _ := h.Handle(context.Background(), req); !resp.IsAuthorized {
		t.Fatal("the fixture with a valid token was denied")
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	p := newPool(t)
	for name, edit := range map[string]func(*authorizer.Config){
		"no issuer":       func(c *authorizer.Config) { c.Cognito.Issuer = "" },
		"no client":       func(c *authorizer.Config) { c.Cognito.ClientIDs = nil },
		"bad token use":   func(c *authorizer.Config) { c.Cognito.TokenUse = "refresh" },
		"JWKS URL a file": func(c *authorizer.Config) { c.Cognito.JWKSURL = "file:///etc/passwd" },
	} {
		t.Run(name, func(t *testing.T) {
			cfg := p.config(nil)
			edit(&cfg)
			if h, err := authorizer.New(cfg, authorizer.Deps{}, nil); err == nil {
				h.Close()
				t.Fatal("New accepted the configuration")
			}
		})
	}
}

// countingTransport counts the requests of the client Deps hands New.
type countingTransport struct{ n atomic.Int64 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

// TestNewWiresDeps: the environment, read by ConfigFromEnv, and the Deps
// given to New are what the handler uses: the key set comes through
// Deps.HTTPClient (once, at New), tokens are judged by Deps.Now, and the
// environment's route rules apply.
func TestNewWiresDeps(t *testing.T) {
	p := newPool(t)
	env := map[string]string{
		"COGNITO_ISSUER":      issuer,
		"COGNITO_CLIENT_IDS":  client,
		"COGNITO_JWKS_URL":    p.jwksURL,
		"COGNITO_ROUTE_RULES": `{"GET /v1/messages":{"groups":["admins"]}}`,
	}
	cfg, err := authorizer.ConfigFromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	transport := &countingTransport{}
	clk := fakeclock.New(now)
	h := newHandler(t, cfg, authorizer.Deps{HTTPClient: &http.Client{Transport: transport}, Now: clk.Now}, nil)
	if n := transport.n.Load(); n != 1 {
		t.Fatalf("JWKS requests through Deps.HTTPClient at New = %d, want 1", n)
	}
	token := p.token(t, map[string]any{"exp": now.Add(time.Minute).Unix()})
	if resp, _ := h.Handle(context.Background(), request("POST /v1/messages", map[string]string{"authorization": token})); !resp.IsAuthorized {
		t.Fatal("a valid token was denied")
	}
	if resp, _ := h.Handle(context.Background(), request("GET /v1/messages", map[string]string{"authorization": token})); resp.IsAuthorized {
		t.Fatal("the environment's route rule was not applied")
	}
	clk.Advance(time.Hour)
	if resp, _ := h.Handle(context.Background(), request("POST /v1/messages", map[string]string{"authorization": token})); resp.IsAuthorized {
		t.Fatal("Deps.Now is not the verifier's clock: an expired token was allowed")
	}
}
