package github

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"testing"

	gogithub "github.com/google/go-github/v84/github"

	"github.com/sqsgate/sqsgate/internal/benchcmp"
)

// BenchmarkVerify compares Verify with a bare hmac.New(sha256.New) over the
// same bytes (x-hmac) and with go-github's ValidateSignature (x-go-github).
func BenchmarkVerify(b *testing.B) {
	const secret = "sqsgate-dev-github-secret" // the dev secret
	for _, size := range []int{1 << 10, 64 << 10, 1 << 20} {
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
				"go-github": func() {
					if err := gogithub.ValidateSignature(sig, body, []byte(secret)); err != nil {
						b.Fatal(err)
					}
				},
			})
		})
	}
}
