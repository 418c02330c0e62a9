package stripe

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"strconv"
	"testing"
	"time"

	stripewebhook "github.com/stripe/stripe-go/v82/webhook"

	"github.com/sqsgate/sqsgate/internal/benchcmp"
)

// BenchmarkVerify compares Verify with a bare HMAC-SHA256 over t.body
// (x-hmac) and with stripe-go's ValidatePayloadIgnoringTolerance on the same
// event (x-stripe-go; its window reads the wall clock, which a benchmark
// with a fixed t cannot pass).
func BenchmarkVerify(b *testing.B) {
	const secret = "whsec_sqsgatedev_localonly" // the dev secret
	ts := time.Unix(1767225600, 0)
	unix := strconv.FormatInt(ts.Unix(), 10)
	for _, size := range []int{1 << 10, 1 << 20} {
		body := bytes.Repeat([]byte("x"), size)
		header := Sign(secret, ts, body)
		v := Verifier{Secrets: []string{secret}}
		b.Run(fmt.Sprintf("size=%dKiB", size>>10), func(b *testing.B) {
			b.SetBytes(int64(size))
			benchcmp.Ratio(b, func() {
				if err := v.Verify(header, body, ts); err != nil {
					b.Fatal(err)
				}
			}, map[string]func(){
				"hmac": func() {
					mac := hmac.New(sha256.New, []byte(secret))
					mac.Write([]byte(unix))
					mac.Write([]byte("."))
					mac.Write(body)
					mac.Sum(nil)
				},
				"stripe-go": func() {
					if err := stripewebhook.ValidatePayloadIgnoringTolerance(body, header, secret); err != nil {
						b.Fatal(err)
					}
				},
			})
		})
	}
}
