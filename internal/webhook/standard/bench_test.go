package standard

import (
	"bytes"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
	svix "github.com/svix/svix-webhooks/go"

	"github.com/sqsgate/sqsgate/internal/benchcmp"
)

// BenchmarkVerify compares Verify with its raw primitive over the same
// signed message (x-hmac for v1: HMAC-SHA256 of id.ts.body; x-ed25519 for
// v1a: ed25519.Verify of the assembled message) and, for v1, with the
// reference library and svix-webhooks (x-standard-webhooks, x-svix; they
// have no v1a).
func BenchmarkVerify(b *testing.B) {
	const id, ts = "msg_p5jXN8AQM9LWM0D4loKWxJek", "1767225600"
	at := time.Unix(1767225600, 0)
	key := []byte("sqsgate-dev-standard-key")
	secret := SecretPrefix + base64.StdEncoding.EncodeToString(key)
	seed := sha256.Sum256([]byte("sqsgate bench"))
	priv := ed25519.NewKeyFromSeed(seed[:])
	pub := priv.Public().(ed25519.PublicKey)
	for _, size := range []int{1 << 10, 1 << 20} {
		body := bytes.Repeat([]byte("x"), size)
		msg := append([]byte(id+"."+ts+"."), body...)
		b.Run(fmt.Sprintf("scheme=v1/size=%dKiB", size>>10), func(b *testing.B) {
			sig, _ := Sign(secret, id, at, body)
			v := Verifier{Secrets: []string{secret}}
			h := http.Header{}
			h.Set(IDHeader, id)
			h.Set(TimestampHeader, ts)
			h.Set(SignatureHeader, sig)
			ref, _ := standardwebhooks.NewWebhook(secret)
			sv, _ := svix.NewWebhook(secret)
			b.SetBytes(int64(size))
			benchcmp.Ratio(b, func() {
				if _, err := v.Verify(id, ts, sig, body, at); err != nil {
					b.Fatal(err)
				}
			}, map[string]func(){
				"hmac": func() {
					mac := hmac.New(sha256.New, key)
					mac.Write(msg)
					mac.Sum(nil)
				},
				"standard-webhooks": func() {
					if err := ref.VerifyIgnoringTimestamp(body, h); err != nil {
						b.Fatal(err)
					}
				},
				"svix": func() {
					if err := sv.VerifyIgnoringTimestamp(body, h); err != nil {
						b.Fatal(err)
					}
				},
			})
		})
		b.Run(fmt.Sprintf("scheme=v1a/size=%dKiB", size>>10), func(b *testing.B) {
			sig := SignEd25519(priv, id, at, body)
			raw := ed25519.Sign(priv, msg)
			v := Verifier{Secrets: []string{PublicKey(pub)}}
			b.SetBytes(int64(size))
			benchcmp.Ratio(b, func() {
				if _, err := v.Verify(id, ts, sig, body, at); err != nil {
					b.Fatal(err)
				}
			}, map[string]func(){
				"ed25519": func() {
					if !ed25519.Verify(pub, msg, raw) {
						b.Fatal("ed25519.Verify failed")
					}
				},
			})
		})
	}
}
