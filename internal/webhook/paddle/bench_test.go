package paddle

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	paddlesdk "github.com/PaddleHQ/paddle-go-sdk/v4"

	"github.com/sqsgate/sqsgate/internal/benchcmp"
)

// BenchmarkVerify compares Verify with a bare HMAC-SHA256 over ts:body
// (x-hmac) and with paddle-go-sdk's verifier on the same notification
// (x-paddle-go-sdk; it reads the body from an *http.Request and copies it).
func BenchmarkVerify(b *testing.B) {
	const secret = "pdl_ntfset_sqsgatedev_localonly" // the dev secret
	ts := time.Unix(1710929255, 0)
	for _, size := range []int{1 << 10, 64 << 10, 1 << 20} {
		body := bytes.Repeat([]byte("x"), size)
		header := Sign(secret, ts, body)
		v := Verifier{Secrets: []string{secret}}
		sdk := paddlesdk.NewWebhookVerifier(secret)
		req := httptest.NewRequest(http.MethodPost, "/", nil)
		req.Header.Set(SignatureHeader, header)
		unix := strconv.FormatInt(ts.Unix(), 10)
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
					mac.Write([]byte(":"))
					mac.Write(body)
					mac.Sum(nil)
				},
				"paddle-go-sdk": func() {
					req.Body = io.NopCloser(bytes.NewReader(body))
					if ok, err := sdk.Verify(req); !ok || err != nil {
						b.Fatal("paddle-go-sdk rejected the notification", err)
					}
				},
			})
		})
	}
}
