package cognito_test

import (
	"context"
	"crypto"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sqsgate/sqsgate/internal/fakeclock"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/sqsgate/sqsgate/internal/cognito"
)

func TestNewRejectsBadConfig(t *testing.T) {
	srv := newKeyServer(t)
	base := func() cognito.Config {
		return cognito.Config{Issuer: testIssuer, ClientIDs: []string{testClient}, JWKSURL: srv.URL}
	}
	tests := []struct {
		name string
		edit func(*cognito.Config)
	}{
		{"no issuer and no pool", func(c *cognito.Config) { c.Issuer = "" }},
		{"pool of another region", func(c *cognito.Config) { c.Issuer, c.UserPoolID, c.Region = "", "eu-west-1_abc", "us-east-1" }},
		{"relative issuer", func(c *cognito.Config) { c.Issuer = "cognito-idp/us-east-1_abc" }},
		{"no client ids", func(c *cognito.Config) { c.ClientIDs = []string{""} }},
		{"unknown token use", func(c *cognito.Config) { c.TokenUse = "refresh" }},
		{"negative leeway", func(c *cognito.Config) { c.Leeway = -time.Second }},
		{"leeway over the bound", func(c *cognito.Config) { c.Leeway = cognito.MaxLeeway + time.Second }},
		{"JWKS URL not http", func(c *cognito.Config) { c.JWKSURL = "file:///etc/jwks.json" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := base()
			tt.edit(&cfg)
			if v, err := cognito.New(context.Background(), cfg); err == nil {
				v.Close()
				t.Fatal("New accepted the config")
			}
		})
	}
}

func TestIssuerURL(t *testing.T) {
	got, err := cognito.IssuerURL("eu-west-1", "eu-west-1_AbC123")
	if err != nil || got != "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123" {
		t.Fatalf("IssuerURL = %q, %v", got, err)
	}
}

// TestVerifyClaimRules checks each claim rule with the case it must reject,
// then the cases it must accept, including the leeway edges.
func TestVerifyClaimRules(t *testing.T) {
	key, _ := keys(t)
	srv := newKeyServer(t, jwksKey{kid: testKid, pub: &key.PublicKey, alg: "RS256", use: "sig"})
	leeway := cognito.DefaultLeeway
	exp := t0.Add(time.Hour)
	tests := []struct {
		name     string
		tokenUse string
		claims   map[string]any
		at       time.Time
		want     error
	}{
		{"issuer off by one character", "", with(accessClaims(), map[string]any{"iss": testIssuer + "2"}), t0, cognito.ErrIssuer},
		{"issuer with trailing slash", "", with(accessClaims(), map[string]any{"iss": testIssuer + "/"}), t0, cognito.ErrIssuer},
		{"issuer of another pool", "", with(accessClaims(), map[string]any{"iss": strings.Replace(testIssuer, "TestPool1", "TestPool2", 1)}), t0, cognito.ErrIssuer},
		{"id token where access is required", "", idClaims(), t0, cognito.ErrTokenUse},
		{"access token where id is required", cognito.TokenUseID, accessClaims(), t0, cognito.ErrTokenUse},
		{"no token_use", "", with(accessClaims(), map[string]any{"token_use": nil}), t0, cognito.ErrTokenUse},
		{"access token of another client", "", with(accessClaims(), map[string]any{"client_id": "intruderclient"}), t0, cognito.ErrClient},
		{"access token with aud but no client_id", "", with(accessClaims(), map[string]any{"client_id": nil, "aud": testClient}), t0, cognito.ErrClient},
		{"id token of another client", cognito.TokenUseID, with(idClaims(), map[string]any{"aud": "intruderclient"}), t0, cognito.ErrClient},
		{"id token with client_id but no aud", cognito.TokenUseID, with(idClaims(), map[string]any{"aud": nil, "client_id": testClient}), t0, cognito.ErrClient},
		{"expired at exactly exp plus leeway", "", accessClaims(), exp.Add(leeway), cognito.ErrExpired},
		{"expired long ago", "", accessClaims(), exp.Add(24 * time.Hour), cognito.ErrExpired},
		{"no exp", "", with(accessClaims(), map[string]any{"exp": nil}), t0, cognito.ErrExpired},
		{"nbf beyond the leeway", "", with(accessClaims(), map[string]any{"nbf": t0.Add(leeway + time.Second).Unix()}), t0, cognito.ErrNotYetValid},
		{"iat beyond the leeway", "", with(accessClaims(), map[string]any{"iat": t0.Add(leeway + time.Second).Unix()}), t0, cognito.ErrNotYetValid},
		{"no iat", "", with(accessClaims(), map[string]any{"iat": nil}), t0, cognito.ErrMalformed},
		{"no sub", "", with(accessClaims(), map[string]any{"sub": nil}), t0, cognito.ErrMalformed},
		{"exp as a string", "", with(accessClaims(), map[string]any{"exp": "tomorrow"}), t0, cognito.ErrMalformed},

		{"access token", "", accessClaims(), t0, nil},
		{"id token", cognito.TokenUseID, idClaims(), t0, nil},
		{"id token with aud as an array", cognito.TokenUseID, with(idClaims(), map[string]any{"aud": []string{"x", testClient}}), t0, nil},
		{"just inside the leeway after exp", "", accessClaims(), exp.Add(leeway - time.Millisecond), nil},
		{"nbf just inside the leeway", "", with(accessClaims(), map[string]any{"nbf": t0.Add(leeway).Unix()}), t0, nil},
		{"iat just inside the leeway", "", with(accessClaims(), map[string]any{"iat": t0.Add(leeway).Unix()}), t0, nil},
		{"fractional exp", "", with(accessClaims(), map[string]any{"exp": float64(exp.Unix()) + 0.5}), exp, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := fakeclock.New(tt.at)
			v := newVerifier(t, srv, clk, func(c *cognito.Config) { c.TokenUse = tt.tokenUse })
			token := signRS256(t, key, rs256Header(testKid), tt.claims)
			c, err := v.Verify(context.Background(), token)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify error = %v, want %v", err, tt.want)
			}
			if err != nil {
				if strings.Contains(err.Error(), token[strings.LastIndex(token, ".")+1:]) {
					t.Fatal("error message contains the signature")
				}
				return
			}
			if c.Subject != "1b2c3d4e-0000-4000-8000-000000000001" || c.Username != "alice" || c.ClientID != testClient {
				t.Fatalf("claims = %+v", c)
			}
			if len(c.Groups) != 1 || c.Groups[0] != "writers" {
				t.Fatalf("groups = %v", c.Groups)
			}
		})
	}
}

func TestVerifyAcceptsJWXSignedToken(t *testing.T) {
	key, _ := keys(t)
	srv := newKeyServer(t, jwksKey{kid: testKid, pub: &key.PublicKey, alg: "RS256", use: "sig"})
	v := newVerifier(t, srv, fakeclock.New(t0), nil)

	tok := jwt.New()
	for k, val := range accessClaims() {
		if err := tok.Set(k, val); err != nil {
			t.Fatalf("set %s: %v", k, err)
		}
	}
	priv, err := jwk.FromRaw(key)
	if err != nil {
		t.Fatal(err)
	}
	_ = priv.Set(jwk.KeyIDKey, testKid)
	signed, err := jwt.Sign(tok, jwt.WithKey(jwa.RS256, priv))
	if err != nil {
		t.Fatal(err)
	}
	c, err := v.Verify(context.Background(), string(signed))
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if c.Scope != "sqsgate/write sqsgate/read" || c.Expires.Unix() != t0.Add(time.Hour).Unix() {
		t.Fatalf("claims = %+v", c)
	}
}

// TestVerifyAttacks: tokens crafted to be accepted by a careless verifier.
func TestVerifyAttacks(t *testing.T) {
	key, attacker := keys(t)
	// The attacker's own server: a verifier that followed jku or x5u would
	// fetch from it.
	var attackerHits atomic.Int64
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		attackerHits.Add(1)
		_, _ = w.Write(jwksJSON(t, []jwksKey{{kid: testKid, pub: &attacker.PublicKey, alg: "RS256"}}))
	}))
	defer evil.Close()
	srv := newKeyServer(t,
		jwksKey{kid: testKid, pub: &key.PublicKey, alg: "RS256", use: "sig"},
		jwksKey{kid: "rs512-key", pub: &key.PublicKey, alg: "RS512", use: "sig"},
		jwksKey{kid: "no-alg-key", pub: &key.PublicKey},
		jwksKey{kid: "enc-key", pub: &key.PublicKey, alg: "RS256", use: "enc"},
	)
	v := newVerifier(t, srv, fakeclock.New(t0), nil)
	claims := accessClaims()
	good := signRS256(t, key, rs256Header(testKid), claims)
	goodParts := strings.Split(good, ".")

	pubDER, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	hs256 := func(secret []byte, header map[string]any) string {
		input := b64JSON(t, header) + "." + b64JSON(t, claims)
		m := hmac.New(sha256.New, secret)
		m.Write([]byte(input))
		return input + "." + b64(m.Sum(nil))
	}
	attackerJWK, err := jwk.FromRaw(&attacker.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	header := func(extra map[string]any) map[string]any { return with(rs256Header(testKid), extra) }

	tests := []struct {
		name  string
		token string
		want  error
	}{
		{"alg none, no signature", b64JSON(t, map[string]any{"alg": "none", "kid": testKid}) + "." + goodParts[1] + ".", cognito.ErrAlgorithm},
		{"alg none with the real signature", b64JSON(t, map[string]any{"alg": "none", "kid": testKid}) + "." + goodParts[1] + "." + goodParts[2], cognito.ErrAlgorithm},
		{"alg None", b64JSON(t, map[string]any{"alg": "None", "kid": testKid}) + "." + goodParts[1] + ".", cognito.ErrAlgorithm},
		{"HS256 keyed with the RSA public key PEM", hs256(pubPEM, map[string]any{"alg": "HS256", "kid": testKid}), cognito.ErrAlgorithm},
		{"HS256 keyed with the RSA public key DER", hs256(pubDER, map[string]any{"alg": "HS256", "kid": testKid}), cognito.ErrAlgorithm},
		{"RS256 header on an HMAC signature", hs256(pubPEM, rs256Header(testKid)), cognito.ErrSignature},
		{"PS256", signRS256(t, key, map[string]any{"alg": "PS256", "kid": testKid}, claims), cognito.ErrAlgorithm},
		{"RS512 key used for RS256", signRS256(t, key, rs256Header("rs512-key"), claims), cognito.ErrAlgorithm},
		{"key that declares no alg", signRS256(t, key, rs256Header("no-alg-key"), claims), cognito.ErrAlgorithm},
		{"encryption key", signRS256(t, key, rs256Header("enc-key"), claims), cognito.ErrAlgorithm},
		{"attacker key embedded as jwk", signRS256(t, attacker, header(map[string]any{"jwk": attackerJWK}), claims), cognito.ErrHeader},
		{"attacker key set by jku", signRS256(t, attacker, header(map[string]any{"jku": evil.URL}), claims), cognito.ErrHeader},
		{"attacker certificate by x5u", signRS256(t, attacker, header(map[string]any{"x5u": evil.URL}), claims), cognito.ErrHeader},
		{"attacker certificate chain in x5c", signRS256(t, attacker, header(map[string]any{"x5c": []string{b64(pubDER)}}), claims), cognito.ErrHeader},
		{"crit extension", signRS256(t, key, header(map[string]any{"crit": []string{"exp"}, "exp": 1}), claims), cognito.ErrHeader},
		{"unencoded payload (b64 false)", signRS256(t, key, header(map[string]any{"b64": false, "crit": []string{"b64"}}), claims), cognito.ErrHeader},
		{"jku present but empty", signRS256(t, key, header(map[string]any{"jku": ""}), claims), cognito.ErrHeader},
		{"b64 true without crit", signRS256(t, key, header(map[string]any{"b64": true}), claims), cognito.ErrHeader},
		{"JWS JSON serialization", `{"payload":"` + goodParts[1] + `","protected":"` + goodParts[0] + `","signature":"` + goodParts[2] + `"}`, cognito.ErrMalformed},
		{"signature with non-zero trailing bits", goodParts[0] + "." + goodParts[1] + "." + goodParts[2][:len(goodParts[2])-1] + flipLowBits(goodParts[2][len(goodParts[2])-1:]), cognito.ErrMalformed},
		{"empty payload", goodParts[0] + ".." + goodParts[2], cognito.ErrMalformed},
		{"empty header", "." + goodParts[1] + "." + goodParts[2], cognito.ErrMalformed},
		{"attacker key under the real kid", signRS256(t, attacker, rs256Header(testKid), claims), cognito.ErrSignature},
		{"claims swapped after signing", goodParts[0] + "." + b64JSON(t, with(claims, map[string]any{"username": "root"})) + "." + goodParts[2], cognito.ErrSignature},
		{"truncated signature", goodParts[0] + "." + goodParts[1] + "." + b64(mustB64(t, goodParts[2])[:255]), cognito.ErrSignature},
		{"no kid", signRS256(t, key, map[string]any{"alg": "RS256"}, claims), cognito.ErrUnknownKey},
		{"over 8 KiB", signRS256(t, key, rs256Header(testKid), with(claims, map[string]any{"pad": strings.Repeat("a", cognito.MaxTokenBytes)})), cognito.ErrTokenTooLarge},
		{"8 KiB of dots", strings.Repeat(".", cognito.MaxTokenBytes+1), cognito.ErrTokenTooLarge},
		{"exactly 8 KiB is parsed", strings.Repeat("a", cognito.MaxTokenBytes), cognito.ErrMalformed},
		{"empty", "", cognito.ErrMissingToken},
		{"two parts", goodParts[0] + "." + goodParts[1], cognito.ErrMalformed},
		{"four parts", good + ".x", cognito.ErrMalformed},
		{"JWE shape", "a.b.c.d.e", cognito.ErrMalformed},
		{"padded base64 header", goodParts[0] + "==." + goodParts[1] + "." + goodParts[2], cognito.ErrMalformed},
		{"standard base64 alphabet", strings.NewReplacer("-", "+", "_", "/").Replace(goodParts[0]) + "+/." + goodParts[1] + "." + goodParts[2], cognito.ErrMalformed},
		{"header not JSON", b64([]byte("RS256")) + "." + goodParts[1] + "." + goodParts[2], cognito.ErrMalformed},
		{"header a JSON array", b64([]byte(`["RS256"]`)) + "." + goodParts[1] + "." + goodParts[2], cognito.ErrMalformed},
		{"header truncated JSON", b64([]byte(`{"alg":"RS256","kid":"`)) + "." + goodParts[1] + "." + goodParts[2], cognito.ErrMalformed},
		{"signed payload not JSON", signRaw(t, key, b64JSON(t, rs256Header(testKid))+"."+b64([]byte("not json"))), cognito.ErrMalformed},
		{"signed payload a JSON array", signRaw(t, key, b64JSON(t, rs256Header(testKid))+"."+b64([]byte(`[1]`))), cognito.ErrMalformed},
		{"signed payload bad base64", signRaw(t, key, b64JSON(t, rs256Header(testKid))+".!!!!"), cognito.ErrMalformed},
		{"signature bad base64", goodParts[0] + "." + goodParts[1] + ".!!!!", cognito.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := v.Verify(context.Background(), tt.token)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify error = %v (claims %+v), want %v", err, c, tt.want)
			}
			if cognito.Code(err) == "internal" {
				t.Fatalf("error %v has no rule code", err)
			}
		})
	}
	if n := attackerHits.Load(); n != 0 {
		t.Fatalf("the attacker's key server was fetched %d times", n)
	}
	if _, err := v.Verify(context.Background(), good); err != nil {
		t.Fatalf("the untouched token: %v", err)
	}
}

// flipLowBits changes the bits a final base64 character carries beyond the
// encoded bytes, so the text differs but lenient decoders yield the same
// bytes.
func flipLowBits(c string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	return string(alphabet[strings.IndexByte(alphabet, c[0])^1])
}

func mustB64(t testing.TB, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func signRaw(t testing.TB, key *rsa.PrivateKey, input string) string {
	t.Helper()
	digest := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + b64(sig)
}

// TestUnknownKidFlood: random kids cause at most one key set fetch per
// minimum refresh interval, and a rotated-in key is picked up.
func TestUnknownKidFlood(t *testing.T) {
	key, other := keys(t)
	srv := newKeyServer(t, jwksKey{kid: testKid, pub: &key.PublicKey, alg: "RS256", use: "sig"})
	clk := fakeclock.New(t0)
	v := newVerifier(t, srv, clk, nil)
	if n := srv.requests.Load(); n != 1 {
		t.Fatalf("JWKS requests after New = %d, want 1", n)
	}
	flood := func(n int) {
		for i := range n {
			tok := signRS256(t, other, rs256Header(fmt.Sprintf("random-kid-%d", i)), accessClaims())
			if _, err := v.Verify(context.Background(), tok); !errors.Is(err, cognito.ErrUnknownKey) {
				t.Fatalf("kid %d: error = %v, want ErrUnknownKey", i, err)
			}
		}
	}
	flood(200)
	if n := srv.requests.Load(); n != 1 {
		t.Fatalf("JWKS requests after a flood inside the interval = %d, want 1", n)
	}
	clk.Advance(cognito.DefaultMinRefreshInterval)
	flood(200)
	if n := srv.requests.Load(); n != 2 {
		t.Fatalf("JWKS requests after a flood in the next interval = %d, want 2", n)
	}

	// Rotation: the pool publishes a new key; after the interval its first
	// token triggers the one refresh and is accepted.
	srv.setKeys(jwksKey{kid: testKid, pub: &key.PublicKey, alg: "RS256"}, jwksKey{kid: "rotated", pub: &other.PublicKey, alg: "RS256"})
	clk.Advance(cognito.DefaultMinRefreshInterval)
	if _, err := v.Verify(context.Background(), signRS256(t, other, rs256Header("rotated"), accessClaims())); err != nil {
		t.Fatalf("token of the rotated-in key: %v", err)
	}
	if n := srv.requests.Load(); n != 3 {
		t.Fatalf("JWKS requests = %d, want 3", n)
	}
}

// TestJWKSUnavailable: no key set means every token is refused; fetches are
// retried, rate-limited, and the first success lets tokens through.
func TestJWKSUnavailable(t *testing.T) {
	key, _ := keys(t)
	srv := newKeyServer(t, jwksKey{kid: testKid, pub: &key.PublicKey, alg: "RS256", use: "sig"})
	srv.failing.Store(true)
	clk := fakeclock.New(t0)
	v := newVerifier(t, srv, clk, nil)
	token := signRS256(t, key, rs256Header(testKid), accessClaims())

	for i := range 3 {
		if _, err := v.Verify(context.Background(), token); !errors.Is(err, cognito.ErrJWKSUnavailable) {
			t.Fatalf("attempt %d: error = %v, want ErrJWKSUnavailable", i, err)
		}
	}
	// New's fetch, then one retry by the first request; the others wait.
	if n := srv.requests.Load(); n != 2 {
		t.Fatalf("JWKS requests = %d, want 2", n)
	}
	srv.failing.Store(false)
	if _, err := v.Verify(context.Background(), token); !errors.Is(err, cognito.ErrJWKSUnavailable) {
		t.Fatalf("inside the interval: error = %v, want ErrJWKSUnavailable", err)
	}
	clk.Advance(cognito.DefaultMinRefreshInterval)
	if _, err := v.Verify(context.Background(), token); err != nil {
		t.Fatalf("after the key server recovered: %v", err)
	}

	// An outage after a successful fetch keeps the known keys working.
	srv.failing.Store(true)
	clk.Advance(cognito.DefaultMinRefreshInterval)
	other := signRS256(t, key, rs256Header(testKid), with(accessClaims(), map[string]any{"jti": "another"}))
	if _, err := v.Verify(context.Background(), other); err != nil {
		t.Fatalf("known key during an outage: %v", err)
	}
	if _, err := v.Verify(context.Background(), signRS256(t, key, rs256Header("new-kid"), accessClaims())); !errors.Is(err, cognito.ErrUnknownKey) {
		t.Fatalf("unknown kid during an outage: error = %v, want ErrUnknownKey", err)
	}
}

// TestVerifiedTokenCache: a cached token still expires, and the cache does
// not outlive exp.
func TestVerifiedTokenCache(t *testing.T) {
	key, _ := keys(t)
	srv := newKeyServer(t, jwksKey{kid: testKid, pub: &key.PublicKey, alg: "RS256", use: "sig"})
	clk := fakeclock.New(t0)
	v := newVerifier(t, srv, clk, func(c *cognito.Config) { c.Leeway = 0 })
	token := signRS256(t, key, rs256Header(testKid), with(accessClaims(), map[string]any{"exp": t0.Add(10 * time.Minute).Unix()}))
	first, err := v.Verify(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	second, err := v.Verify(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	if first != second {
		t.Fatal("the repeated token was verified again instead of served from the cache")
	}
	clk.Advance(cognito.DefaultCacheTTL)
	third, err := v.Verify(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	if third == first {
		t.Fatal("the cache served a token past its TTL")
	}
	clk.Set(t0.Add(10 * time.Minute))
	if _, err := v.Verify(context.Background(), token); !errors.Is(err, cognito.ErrExpired) {
		t.Fatalf("past exp: error = %v, want ErrExpired", err)
	}
}

// TestVerifiedTokenCacheEndsAtExp: a token whose exp comes well before the
// cache TTL is refused from exp + leeway on, though it was cached minutes
// earlier: the cache entry ends at exp, not at the TTL.
func TestVerifiedTokenCacheEndsAtExp(t *testing.T) {
	key, _ := keys(t)
	srv := newKeyServer(t, jwksKey{kid: testKid, pub: &key.PublicKey, alg: "RS256", use: "sig"})
	exp := t0.Add(time.Minute) // the cache TTL is DefaultCacheTTL, 5 minutes
	for _, leeway := range []time.Duration{0, cognito.DefaultLeeway} {
		t.Run(fmt.Sprintf("leeway %s", leeway), func(t *testing.T) {
			clk := fakeclock.New(t0)
			v := newVerifier(t, srv, clk, func(c *cognito.Config) { c.Leeway = leeway })
			token := signRS256(t, key, rs256Header(testKid), with(accessClaims(), map[string]any{"exp": exp.Unix()}))
			first, err := v.Verify(context.Background(), token)
			if err != nil {
				t.Fatal(err)
			}
			if again, err := v.Verify(context.Background(), token); err != nil || again != first {
				t.Fatalf("repeated token: %v, %v; want the cached claims", again, err)
			}
			clk.Set(exp.Add(leeway - time.Millisecond))
			if _, err := v.Verify(context.Background(), token); err != nil {
				t.Fatalf("just inside exp + leeway: %v", err)
			}
			for _, at := range []time.Time{exp.Add(leeway), exp.Add(leeway + time.Second), t0.Add(cognito.DefaultCacheTTL - time.Second)} {
				clk.Set(at)
				if c, err := v.Verify(context.Background(), token); !errors.Is(err, cognito.ErrExpired) {
					t.Fatalf("at exp + %s: claims %v, error %v; want ErrExpired", at.Sub(exp), c, err)
				}
			}
		})
	}
}

func TestClaimsRequire(t *testing.T) {
	c := &cognito.Claims{Scope: "sqsgate/read sqsgate/write", Groups: []string{"writers"}}
	tests := []struct {
		name           string
		scopes, groups []string
		want           error
	}{
		{"missing scope", []string{"sqsgate/admin"}, nil, cognito.ErrScope},
		{"scope prefix is not the scope", []string{"sqsgate/re"}, nil, cognito.ErrScope},
		{"missing group", nil, []string{"admins"}, cognito.ErrGroup},
		{"no rules", nil, nil, nil},
		{"one of the scopes", []string{"sqsgate/admin", "sqsgate/write"}, nil, nil},
		{"scope and group", []string{"sqsgate/read"}, []string{"readers", "writers"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := c.Require(tt.scopes, tt.groups); !errors.Is(err, tt.want) {
				t.Fatalf("Require = %v, want %v", err, tt.want)
			}
		})
	}
}

// TestUnknownKidFloodConcurrent: concurrent callers with unknown kids share
// one refetch per interval.
func TestUnknownKidFloodConcurrent(t *testing.T) {
	key, other := keys(t)
	srv := newKeyServer(t, jwksKey{kid: testKid, pub: &key.PublicKey, alg: "RS256"})
	clk := fakeclock.New(t0)
	v := newVerifier(t, srv, clk, nil)
	clk.Advance(cognito.DefaultMinRefreshInterval)
	tokens := make([]string, 64)
	for i := range tokens {
		tokens[i] = signRS256(t, other, rs256Header(fmt.Sprintf("kid-%d", i)), accessClaims())
	}
	var wg sync.WaitGroup
	for _, tok := range tokens {
		wg.Go(func() {
			if _, err := v.Verify(context.Background(), tok); !errors.Is(err, cognito.ErrUnknownKey) {
				t.Errorf("error = %v, want ErrUnknownKey", err)
			}
		})
	}
	wg.Wait()
	if n := srv.requests.Load(); n != 2 {
		t.Fatalf("JWKS requests = %d, want 2 (New and one refetch)", n)
	}
}

// TestJWKSClient: the default client refuses redirects and key sets over
// MaxJWKSBytes, either of which leaves the verifier without keys (fail
// closed), and takes a key set of exactly MaxJWKSBytes.
func TestJWKSClient(t *testing.T) {
	key, _ := keys(t)
	good := newKeyServer(t, jwksKey{kid: testKid, pub: &key.PublicKey, alg: "RS256"})
	// sized is the key set padded to exactly n bytes; cut anywhere, it is
	// no longer JSON.
	sized := func(n int) []byte {
		body := jwksJSON(t, []jwksKey{{kid: testKid, pub: &key.PublicKey, alg: "RS256"}})
		head := append(body[:len(body)-1:len(body)-1], `,"pad":"`...)
		return append(append(head, strings.Repeat("a", n-len(head)-2)...), `"}`...)
	}
	tests := []struct {
		name    string
		handler http.HandlerFunc
		wantErr error
	}{
		{"redirect to another key server", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, good.URL, http.StatusFound)
		}, cognito.ErrJWKSUnavailable},
		{"key set one byte over the size cap", func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write(sized(cognito.MaxJWKSBytes + 1))
		}, cognito.ErrJWKSUnavailable},
		{"key set at the size cap", func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write(sized(cognito.MaxJWKSBytes))
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			v, err := cognito.New(context.Background(), cognito.Config{
				Issuer: testIssuer, ClientIDs: []string{testClient}, JWKSURL: srv.URL, Now: fakeclock.New(t0).Now,
			})
			if err != nil {
				t.Fatal(err)
			}
			defer v.Close()
			token := signRS256(t, key, rs256Header(testKid), accessClaims())
			if _, err := v.Verify(context.Background(), token); !errors.Is(err, tt.wantErr) {
				t.Fatalf("error = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

// TestNewDerivesIssuerAndJWKSURL: without an issuer, New builds it from the
// pool id and region; without a JWKS URL, it fetches the key set from the
// issuer's /.well-known/jwks.json.
func TestNewDerivesIssuerAndJWKSURL(t *testing.T) {
	srv := newKeyServer(t)
	v, err := cognito.New(context.Background(), cognito.Config{
		UserPoolID: "us-east-1_TestPool1", Region: "us-east-1", ClientIDs: []string{testClient}, JWKSURL: srv.URL,
	})
	if err != nil {
		t.Fatalf("New with a pool id and region: %v", err)
	}
	v.Close()
	if v.Issuer() != testIssuer {
		t.Fatalf("issuer = %q, want %q", v.Issuer(), testIssuer)
	}

	key, _ := keys(t)
	var paths []string
	var mu sync.Mutex
	pool := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.Path)
		mu.Unlock()
		_, _ = w.Write(jwksJSON(t, []jwksKey{{kid: testKid, pub: &key.PublicKey, alg: "RS256"}}))
	}))
	defer pool.Close()
	issuer := pool.URL + "/us-east-1_Local"
	v, err = cognito.New(context.Background(), cognito.Config{Issuer: issuer, ClientIDs: []string{testClient}, Now: fakeclock.New(t0).Now})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if _, err := v.Verify(context.Background(), signRS256(t, key, rs256Header(testKid), with(accessClaims(), map[string]any{"iss": issuer}))); err != nil {
		t.Fatalf("token of the issuer whose key set was derived: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(paths) != 1 || paths[0] != "/us-east-1_Local/.well-known/jwks.json" {
		t.Fatalf("key set requests = %v", paths)
	}
}

func TestNewAcceptsLeewayBounds(t *testing.T) {
	srv := newKeyServer(t)
	for _, leeway := range []time.Duration{0, cognito.MaxLeeway} {
		v, err := cognito.New(context.Background(), cognito.Config{Issuer: testIssuer, ClientIDs: []string{testClient}, JWKSURL: srv.URL, Leeway: leeway})
		if err != nil {
			t.Fatalf("leeway %s: %v", leeway, err)
		}
		v.Close()
	}
}

// TestVerifiedTokenCacheSize: the cache holds at most CacheSize tokens.
func TestVerifiedTokenCacheSize(t *testing.T) {
	key, _ := keys(t)
	srv := newKeyServer(t, jwksKey{kid: testKid, pub: &key.PublicKey, alg: "RS256", use: "sig"})
	v := newVerifier(t, srv, fakeclock.New(t0), func(c *cognito.Config) { c.CacheSize = 1 })
	a := signRS256(t, key, rs256Header(testKid), accessClaims())
	b := signRS256(t, key, rs256Header(testKid), with(accessClaims(), map[string]any{"jti": "b"}))
	verify := func(token string) *cognito.Claims {
		t.Helper()
		c, err := v.Verify(context.Background(), token)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	first := verify(a)
	if verify(a) != first {
		t.Fatal("a was not cached")
	}
	verify(b) // the cache holds one token: b takes a's place
	if verify(a) == first {
		t.Fatal("a was still cached beside b in a cache of one")
	}
}

// TestClaimsTimes: NumericDates keep their fractions, as RFC 7519 allows.
func TestClaimsTimes(t *testing.T) {
	key, _ := keys(t)
	srv := newKeyServer(t, jwksKey{kid: testKid, pub: &key.PublicKey, alg: "RS256", use: "sig"})
	v := newVerifier(t, srv, fakeclock.New(t0), nil)
	exp := t0.Add(time.Hour + 250*time.Millisecond)
	iat := t0.Add(-time.Minute - 500*time.Millisecond)
	c, err := v.Verify(context.Background(), signRS256(t, key, rs256Header(testKid), with(accessClaims(), map[string]any{
		"exp": float64(exp.UnixMilli()) / 1000, "iat": float64(iat.UnixMilli()) / 1000,
	})))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Expires.Equal(exp) || !c.IssuedAt.Equal(iat) {
		t.Fatalf("exp, iat = %s, %s; want %s, %s", c.Expires, c.IssuedAt, exp, iat)
	}
}
