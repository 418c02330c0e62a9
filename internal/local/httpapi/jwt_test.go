package httpapi

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jwt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	testIssuer   = "https://issuer.test.invalid/pool"
	testClientID = "client-1"
)

// keyServer serves a JWKS for one fresh RSA key and counts fetches.
type keyServer struct {
	key     jwk.Key
	url     string
	fetches atomic.Int32
}

func newKeyServer(t *testing.T) *keyServer {
	t.Helper()
	raw, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	key, err := jwk.FromRaw(raw)
	require.NoError(t, err)
	require.NoError(t, key.Set(jwk.KeyIDKey, "k1"))
	require.NoError(t, key.Set(jwk.AlgorithmKey, jwa.RS256))
	pub, err := key.PublicKey()
	require.NoError(t, err)
	set := jwk.NewSet()
	require.NoError(t, set.AddKey(pub))
	ks := &keyServer{key: key}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		ks.fetches.Add(1)
		_ = json.NewEncoder(w).Encode(set)
	}))
	t.Cleanup(srv.Close)
	ks.url = srv.URL
	return ks
}

func (ks *keyServer) mint(t *testing.T, edit func(jwt.Token)) string {
	t.Helper()
	tok := jwt.New()
	require.NoError(t, tok.Set(jwt.IssuerKey, testIssuer))
	require.NoError(t, tok.Set(jwt.SubjectKey, "user-1"))
	require.NoError(t, tok.Set("client_id", testClientID))
	require.NoError(t, tok.Set("token_use", "access"))
	require.NoError(t, tok.Set("scope", "events/write events/read"))
	require.NoError(t, tok.Set(jwt.IssuedAtKey, fixedTime.Add(-time.Minute)))
	require.NoError(t, tok.Set(jwt.ExpirationKey, fixedTime.Add(time.Hour)))
	if edit != nil {
		edit(tok)
	}
	signed, err := jwt.Sign(tok, jwt.WithKey(jwa.RS256, ks.key))
	require.NoError(t, err)
	return string(signed)
}

func jwtConfig(ks *keyServer, scopes ...string) Config {
	cfg := baseConfig(Route{Method: "POST", Path: "/v1/events", Authorizer: "Jwt", AuthorizationScopes: scopes,
		Integration: Integration{Type: "lambda", Function: "F"}})
	cfg.Authorizers = map[string]Authorizer{"Jwt": {Type: "jwt", JWTIssuer: testIssuer, JWTAudience: []string{testClientID}, JWKSURL: ks.url}}
	return cfg
}

func TestJWTAuthorizer(t *testing.T) {
	ks := newKeyServer(t)
	other := newKeyServer(t)
	tests := []struct {
		name       string
		token      func(t *testing.T) string
		scopes     []string
		wantStatus int
		wantError  string // error_description in www-authenticate
	}{
		{name: "missing token", token: func(*testing.T) string { return "" }, wantStatus: 401},
		{name: "garbage", token: func(*testing.T) string { return "Bearer not.a.jwt" }, wantStatus: 401, wantError: "the token is malformed"},
		{name: "HMAC-signed", token: func(t *testing.T) string {
			tok, err := jwt.NewBuilder().Issuer(testIssuer).Expiration(fixedTime.Add(time.Hour)).Claim("client_id", testClientID).Build()
			require.NoError(t, err)
			key, err := jwk.FromRaw([]byte("shared-secret-shared-secret-32by"))
			require.NoError(t, err)
			require.NoError(t, key.Set(jwk.KeyIDKey, "k1"))
			signed, err := jwt.Sign(tok, jwt.WithKey(jwa.HS256, key))
			require.NoError(t, err)
			return string(signed)
		}, wantStatus: 401, wantError: "the token is not signed with an RSA algorithm"},
		{name: "signed by another key", token: func(t *testing.T) string { return other.mint(t, nil) }, wantStatus: 401, wantError: "the token signature could not be verified"},
		{name: "expired", token: func(t *testing.T) string {
			return ks.mint(t, func(tok jwt.Token) { _ = tok.Set(jwt.ExpirationKey, fixedTime.Add(-time.Second)) })
		}, wantStatus: 401, wantError: "the token has expired"},
		{name: "no exp", token: func(t *testing.T) string {
			return ks.mint(t, func(tok jwt.Token) { _ = tok.Remove(jwt.ExpirationKey) })
		}, wantStatus: 401, wantError: "the token has no expiry"},
		{name: "not yet valid", token: func(t *testing.T) string {
			return ks.mint(t, func(tok jwt.Token) { _ = tok.Set(jwt.NotBeforeKey, fixedTime.Add(time.Minute)) })
		}, wantStatus: 401, wantError: "the token is not valid yet"},
		{name: "wrong issuer", token: func(t *testing.T) string {
			return ks.mint(t, func(tok jwt.Token) { _ = tok.Set(jwt.IssuerKey, "https://evil.invalid") })
		}, wantStatus: 401, wantError: "the token does not have a valid issuer"},
		{name: "wrong client_id", token: func(t *testing.T) string {
			return ks.mint(t, func(tok jwt.Token) { _ = tok.Set("client_id", "other") })
		}, wantStatus: 401, wantError: "the token does not have a valid audience"},
		{name: "aud wins over client_id", token: func(t *testing.T) string {
			return ks.mint(t, func(tok jwt.Token) { _ = tok.Set(jwt.AudienceKey, []string{"other"}) })
		}, wantStatus: 401, wantError: "the token does not have a valid audience"},
		{name: "missing scope", token: func(t *testing.T) string { return ks.mint(t, nil) }, scopes: []string{"admin"}, wantStatus: 403, wantError: "the token does not have a required scope"},
		{name: "valid access token", token: func(t *testing.T) string { return "Bearer " + ks.mint(t, nil) }, wantStatus: 200},
		{name: "valid without Bearer prefix", token: func(t *testing.T) string { return ks.mint(t, nil) }, wantStatus: 200},
		{name: "valid id token by aud", token: func(t *testing.T) string {
			return ks.mint(t, func(tok jwt.Token) { _ = tok.Remove("client_id"); _ = tok.Set(jwt.AudienceKey, []string{testClientID}) })
		}, wantStatus: 200},
		{name: "one matching scope is enough", token: func(t *testing.T) string { return ks.mint(t, nil) }, scopes: []string{"admin", "events/write"}, wantStatus: 200},
		{name: "scp claim", token: func(t *testing.T) string {
			return ks.mint(t, func(tok jwt.Token) { _ = tok.Remove("scope"); _ = tok.Set("scp", []string{"admin"}) })
		}, scopes: []string{"admin"}, wantStatus: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := &fakeInvoker{respond: answer(`{"statusCode":200,"body":"ok"}`)}
			s := newTestServer(t, jwtConfig(ks, tt.scopes...), Options{Invoker: inv})
			tok := tt.token(t)
			var headers []string
			if tok != "" {
				headers = []string{"Authorization", tok}
			}
			w := do(s, "POST", "/v1/events", "", headers...)
			assert.Equal(t, tt.wantStatus, w.Code)
			switch tt.wantStatus {
			case 401:
				assert.JSONEq(t, `{"message":"Unauthorized"}`, w.Body.String())
			case 403:
				assert.JSONEq(t, `{"message":"Forbidden"}`, w.Body.String())
			}
			if tt.wantError != "" {
				assert.Contains(t, w.Header().Get("Www-Authenticate"), `error_description="`+tt.wantError+`"`)
				assert.NotContains(t, w.Header().Get("Www-Authenticate"), tok, "the token never appears in responses")
			}
			if tt.wantStatus != 200 {
				assert.Equal(t, 0, inv.count("F"))
			}
		})
	}
}

func TestJWTClaimsInEvent(t *testing.T) {
	ks := newKeyServer(t)
	inv := &fakeInvoker{respond: answer(`{"statusCode":200}`)}
	s := newTestServer(t, jwtConfig(ks), Options{Invoker: inv})
	tok := ks.mint(t, func(tok jwt.Token) { _ = tok.Set("cognito:groups", []string{"admin", "dev"}) })
	require.Equal(t, 200, do(s, "POST", "/v1/events", "", "Authorization", "Bearer "+tok).Code)
	ev := inv.last(t, "F")
	authz := ev["requestContext"].(map[string]any)["authorizer"].(map[string]any)
	want := map[string]any{
		"jwt": map[string]any{
			"claims": map[string]any{
				"iss": testIssuer, "sub": "user-1", "client_id": testClientID, "token_use": "access",
				"scope": "events/write events/read", "cognito:groups": "[admin dev]",
				"iat": "1795305540", "exp": "1795309200",
			},
			"scopes": []any{"events/write", "events/read"},
		},
	}
	assert.Equal(t, want, authz)
	// The key set is fetched once and reused.
	require.Equal(t, 200, do(s, "POST", "/v1/events", "", "Authorization", "Bearer "+tok).Code)
	assert.Equal(t, int32(1), ks.fetches.Load())
}

// Issue 14, friction 9: README's route table said 403 for an invalid token
// whatever the authorizer, while API Gateway's HTTP API JWT authorizer
// answers 401 with a www-authenticate header (and this emulator does, see
// TestJWTAuthorizer): "Troubleshooting issues with HTTP API JWT
// authorizers", https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-troubleshooting-jwt.html.
func TestREADMEStatesTheJWTAuthorizersAnswers(t *testing.T) {
	readme, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	want := "with `AuthorizerType=jwt`, 401 invalid token too (with a `www-authenticate` header naming the rule) and 403 a missing route scope"
	if !strings.Contains(string(readme), want) {
		t.Errorf("README's route table does not say what the JWT authorizer answers: want %q", want)
	}
}
