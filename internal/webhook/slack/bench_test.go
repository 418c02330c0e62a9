package slack

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"net/http"
	"testing"
	"time"

	slackgo "github.com/slack-go/slack"

	"github.com/sqsgate/sqsgate/internal/benchcmp"
)

// BenchmarkVerify compares Verify with a bare HMAC-SHA256 over
// v0:ts:body (x-hmac) and with slack-go's SecretsVerifier on the same
// request (x-slack-go; it reads the wall clock, so the request is signed
// now).
func BenchmarkVerify(b *testing.B) {
	const secret = "sqsgatedev_slack_localonly" // the dev secret
	now := time.Now()
	for _, size := range []int{1 << 10, 1 << 20} {
		body := bytes.Repeat([]byte("x"), size)
		sig, ts := Sign(secret, now, body)
		v := Verifier{Secrets: []string{secret}}
		h := http.Header{}
		h.Set(SignatureHeader, sig)
		h.Set(TimestampHeader, ts)
		b.Run(fmt.Sprintf("size=%dKiB", size>>10), func(b *testing.B) {
			b.SetBytes(int64(size))
			benchcmp.Ratio(b, func() {
				if err := v.Verify(sig, ts, body, now); err != nil {
					b.Fatal(err)
				}
			}, map[string]func(){
				"hmac": func() {
					mac := hmac.New(sha256.New, []byte(secret))
					mac.Write([]byte("v0:" + ts + ":"))
					mac.Write(body)
					mac.Sum(nil)
				},
				"slack-go": func() {
					sv, err := slackgo.NewSecretsVerifier(h, secret)
					if err != nil {
						b.Fatal(err)
					}
					sv.Write(body)
					if err := sv.Ensure(); err != nil {
						b.Fatal(err)
					}
				},
			})
		})
	}
}
