package shopify

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"testing"

	"github.com/sqsgate/sqsgate/internal/benchcmp"
)

// BenchmarkVerify compares Verify with a bare HMAC-SHA256 of the same body
// (x-hmac) and with Shopify's own rule as its libraries write it, the
// base64 text of the HMAC compared with hmac.Equal (x-shopify-rule); Shopify
// publishes no Go library.
func BenchmarkVerify(b *testing.B) {
	const secret = "shpss_sqsgatedev_localonly" // the dev secret
	for _, size := range []int{1 << 10, 1 << 20} {
		body := bytes.Repeat([]byte("x"), size)
		sig := Sign(secret, body)
		v := Verifier{Secrets: []string{secret}}
		b.Run(fmt.Sprintf("size=%dKiB", size>>10), func(b *testing.B) {
			b.SetBytes(int64(size))
			benchcmp.Ratio(b, func() {
				if err := v.Verify(sig, body); err != nil {
					b.Fatal(err)
				}
			}, map[string]func(){
				"hmac": func() {
					mac := hmac.New(sha256.New, []byte(secret))
					mac.Write(body)
					mac.Sum(nil)
				},
				"shopify-rule": func() {
					if !shopifyAccepts(secret, sig, body) {
						b.Fatal("rejected")
					}
				},
			})
		})
	}
}
