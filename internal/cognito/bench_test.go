package cognito_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/sqsgate/sqsgate/internal/fakeclock"

	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/sqsgate/sqsgate/internal/cognito"
)

// BenchmarkVerify compares, in one run, the fresh-token path with the raw
// primitive over the same token (base64 of the signature, SHA-256 of the
// signing input, rsa.VerifyPKCS1v15) and with jwx's jwt.Parse, and measures
// the repeated-token (cached) path. The fresh and jwt.Parse rows report
// x_raw, their time over the raw primitive's (see ratio).
//
//	go test -run '^$' -bench BenchmarkVerify -benchtime 2000x ./internal/cognito/
func BenchmarkVerify(b *testing.B) {
	key, _ := keys(b)
	srv := newKeyServer(b, jwksKey{kid: testKid, pub: &key.PublicKey, alg: "RS256", use: "sig"})
	clk := fakeclock.New(t0)
	token := signRS256(b, key, rs256Header(testKid), accessClaims())
	ctx := context.Background()

	raw := func() error {
		i := strings.LastIndexByte(token, '.')
		sig, err := base64.RawURLEncoding.DecodeString(token[i+1:])
		if err != nil {
			return err
		}
		digest := sha256.Sum256([]byte(token[:i]))
		return rsa.VerifyPKCS1v15(&key.PublicKey, crypto.SHA256, digest[:], sig)
	}
	noCache := newVerifier(b, srv, clk, func(c *cognito.Config) { c.CacheSize = -1 })
	cached := newVerifier(b, srv, clk, nil)
	set, err := jwk.Parse(jwksJSON(b, []jwksKey{{kid: testKid, pub: &key.PublicKey, alg: "RS256", use: "sig"}}))
	if err != nil {
		b.Fatal(err)
	}
	jwxParse := func() error {
		_, err := jwt.ParseString(token, jwt.WithKeySet(set), jwt.WithIssuer(testIssuer),
			jwt.WithClaimValue("token_use", "access"), jwt.WithClaimValue("client_id", testClient),
			jwt.WithClock(jwt.ClockFunc(clk.Now)), jwt.WithAcceptableSkew(cognito.DefaultLeeway))
		return err
	}

	// ratio measures f and raw alternately in small batches and compares
	// their fastest batches: on a shared machine the minimum is the figure
	// least disturbed by other processes, and alternation exposes both to
	// the same conditions.
	ratio := func(f func() error) float64 {
		const rounds, batch = 25, 20
		best := func(g func() error) time.Duration {
			start := time.Now()
			for range batch {
				if err := g(); err != nil {
					b.Fatal(err)
				}
			}
			return time.Since(start)
		}
		minF, minRaw := time.Duration(1<<62), time.Duration(1<<62)
		for range rounds {
			minRaw = min(minRaw, best(raw))
			minF = min(minF, best(f))
		}
		return float64(minF) / float64(minRaw)
	}

	run := func(name string, f func() error, withRatio bool) {
		b.Run(name, func(b *testing.B) {
			if err := f(); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if err := f(); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			if withRatio {
				b.ReportMetric(ratio(f), "x_raw")
			}
		})
	}
	run("raw_rsa_VerifyPKCS1v15", raw, false)
	run("fresh", func() error { _, err := noCache.Verify(ctx, token); return err }, true)
	run("jwx_jwt_Parse", jwxParse, true)
	run("cached", func() error { _, err := cached.Verify(ctx, token); return err }, false)
}
