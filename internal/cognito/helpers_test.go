package cognito_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sqsgate/sqsgate/internal/fakeclock"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/sqsgate/sqsgate/internal/cognito"
)

const (
	testIssuer = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPool1"
	testClient = "testclient1234567890abcdef"
	testKid    = "test-kid-1"
)

// Keys are generated once per test binary: 2048-bit generation is slow.
var (
	testKeyOnce   sync.Once
	testKeyValue  *rsa.PrivateKey
	otherKeyValue *rsa.PrivateKey
)

func keys(t testing.TB) (signing, other *rsa.PrivateKey) {
	t.Helper()
	testKeyOnce.Do(func() {
		var err error
		if testKeyValue, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		if otherKeyValue, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
	})
	return testKeyValue, otherKeyValue
}

// jwksKey describes one key the test key server publishes.
type jwksKey struct {
	kid string
	pub *rsa.PublicKey
	alg string // "" leaves alg out
	use string
}

// keyServer is an httptest JWKS endpoint that counts requests and can fail.
type keyServer struct {
	*httptest.Server
	requests atomic.Int64
	failing  atomic.Bool
	mu       sync.Mutex
	keys     []jwksKey
}

func newKeyServer(t testing.TB, ks ...jwksKey) *keyServer {
	t.Helper()
	s := &keyServer{keys: ks}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		if s.failing.Load() {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		s.mu.Lock()
		body := jwksJSON(t, s.keys)
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *keyServer) setKeys(ks ...jwksKey) {
	s.mu.Lock()
	s.keys = ks
	s.mu.Unlock()
}

func jwksJSON(t testing.TB, ks []jwksKey) []byte {
	set := jwk.NewSet()
	for _, k := range ks {
		key, err := jwk.FromRaw(k.pub)
		if err != nil {
			t.Errorf("jwk from key: %v", err)
			return nil
		}
		_ = key.Set(jwk.KeyIDKey, k.kid)
		if k.alg != "" {
			_ = key.Set(jwk.AlgorithmKey, jwa.SignatureAlgorithm(k.alg))
		}
		if k.use != "" {
			_ = key.Set(jwk.KeyUsageKey, k.use)
		}
		_ = set.AddKey(key)
	}
	b, err := json.Marshal(set)
	if err != nil {
		t.Errorf("marshal JWKS: %v", err)
	}
	return b
}

var t0 = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// accessClaims returns Cognito access token claims valid at t0.
func accessClaims() map[string]any {
	return map[string]any{
		"sub":            "1b2c3d4e-0000-4000-8000-000000000001",
		"cognito:groups": []string{"writers"},
		"iss":            testIssuer,
		"version":        2,
		"client_id":      testClient,
		"origin_jti":     "0f0e0d0c-0000-4000-8000-000000000002",
		"token_use":      "access",
		"scope":          "sqsgate/write sqsgate/read",
		"auth_time":      t0.Add(-time.Minute).Unix(),
		"exp":            t0.Add(time.Hour).Unix(),
		"iat":            t0.Add(-time.Minute).Unix(),
		"jti":            "0a0b0c0d-0000-4000-8000-000000000003",
		"username":       "alice",
	}
}

// idClaims returns Cognito id token claims valid at t0.
func idClaims() map[string]any {
	return map[string]any{
		"sub":              "1b2c3d4e-0000-4000-8000-000000000001",
		"cognito:groups":   []string{"writers"},
		"email_verified":   true,
		"iss":              testIssuer,
		"cognito:username": "alice",
		"origin_jti":       "0f0e0d0c-0000-4000-8000-000000000002",
		"aud":              testClient,
		"event_id":         "e0e0e0e0-0000-4000-8000-000000000004",
		"token_use":        "id",
		"auth_time":        t0.Add(-time.Minute).Unix(),
		"exp":              t0.Add(time.Hour).Unix(),
		"iat":              t0.Add(-time.Minute).Unix(),
		"jti":              "0a0b0c0d-0000-4000-8000-000000000005",
		"email":            "alice@example.com",
	}
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func b64JSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return b64(b)
}

// signRS256 builds a compact JWS with exactly the given header and claims.
func signRS256(t testing.TB, key *rsa.PrivateKey, header, claims map[string]any) string {
	t.Helper()
	input := b64JSON(t, header) + "." + b64JSON(t, claims)
	digest := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, digest[:])
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	return input + "." + b64(sig)
}

func rs256Header(kid string) map[string]any { return map[string]any{"kid": kid, "alg": "RS256"} }

// with returns a copy of m with the changes applied; a nil value deletes.
func with(m map[string]any, changes map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	for k, v := range changes {
		if v == nil {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}

// newVerifier returns a verifier for testIssuer whose keys come from srv.
func newVerifier(t testing.TB, srv *keyServer, clk *fakeclock.Clock, edit func(*cognito.Config)) *cognito.Verifier {
	t.Helper()
	cfg := cognito.Config{
		Issuer:    testIssuer,
		ClientIDs: []string{"otherclient", testClient},
		JWKSURL:   srv.URL + "/jwks.json",
		Leeway:    cognito.DefaultLeeway,
		Now:       clk.Now,
	}
	if edit != nil {
		edit(&cfg)
	}
	v, err := cognito.New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(v.Close)
	return v
}
