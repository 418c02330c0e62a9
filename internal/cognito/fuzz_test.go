package cognito_test

import (
	"context"
	"strings"
	"testing"

	"github.com/sqsgate/sqsgate/internal/fakeclock"

	"github.com/sqsgate/sqsgate/internal/cognito"
)

// FuzzVerify feeds arbitrary tokens to the parser and verifier. Whatever the
// input, Verify must not panic, every refusal must carry a rule code, and
// the only tokens accepted are the validly signed seeds themselves.
//
//	go test -run '^$' -fuzz FuzzVerify -fuzztime 15s ./internal/cognito/
func FuzzVerify(f *testing.F) {
	key, other := keys(f)
	srv := newKeyServer(f, jwksKey{kid: testKid, pub: &key.PublicKey, alg: "RS256", use: "sig"})
	v := newVerifier(f, srv, fakeclock.New(t0), func(c *cognito.Config) { c.CacheSize = -1 })
	valid := map[string]bool{}
	for _, claims := range []map[string]any{accessClaims(), with(accessClaims(), map[string]any{"cognito:groups": nil, "scope": nil})} {
		tok := signRS256(f, key, rs256Header(testKid), claims)
		valid[tok] = true
		f.Add(tok)
	}
	f.Add(signRS256(f, other, rs256Header(testKid), accessClaims()))
	f.Add(signRS256(f, key, rs256Header(testKid), idClaims()))
	f.Add(b64JSON(f, map[string]any{"alg": "none", "kid": testKid}) + "." + b64JSON(f, accessClaims()) + ".")
	f.Add("eyJhbGciOiJSUzI1NiJ9.e30.")
	f.Add("..")
	f.Add(strings.Repeat("a", 100))
	f.Fuzz(func(t *testing.T, token string) {
		c, err := v.Verify(context.Background(), token)
		if err != nil {
			if code := cognito.Code(err); code == "internal" {
				t.Fatalf("error without a rule code: %v", err)
			}
			return
		}
		if !valid[token] {
			t.Fatalf("accepted a token that was not signed: %q → %+v", token, c)
		}
	})
}
