package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	gogithub "github.com/google/go-github/v84/github"

	"github.com/sqsgate/sqsgate/internal/webhook/github"
	"github.com/sqsgate/sqsgate/internal/webhook/paddle"
)

// FuzzHandle feeds arbitrary bodies and signature headers to both routes.
// Whatever arrives, the handler must answer (never panic or return an
// error), and a 202 must mean the delivery carried a genuine signature and
// exactly one message was sent with the body unaltered. "Genuine" is decided
// by code that is not under test: go-github for GitHub, a plain HMAC here
// for Paddle.
func FuzzHandle(f *testing.F) {
	push := []byte(`{"repository":{"full_name":"o/r"}}`)
	txn := []byte(`{"event_id":"evt_1","event_type":"a.b"}`)
	f.Add(false, push, github.Sign(githubSecret, push), true, false)
	f.Add(false, []byte("payload=%7B%7D"), github.Sign(githubSecret, []byte("payload=%7B%7D")), false, true)
	f.Add(true, txn, paddle.Sign(paddleSecret, testNow, txn), false, false)
	f.Add(true, txn, paddle.Sign(paddleSecret, testNow, txn)+";h1="+strings.Repeat("0", 64), false, false)
	f.Add(true, txn, paddle.Sign("pdl_guess", testNow, txn)+";h1="+strings.Repeat("0", 64), false, false)
	f.Add(true, txn, "ts=1;h1=00", true, false)
	f.Fuzz(func(t *testing.T, isPaddle bool, body []byte, sig string, b64, form bool) {
		rec := &recorder{}
		h := newTestHandler(t, rec, nil)
		h.FIFO = b64 // exercise both queue kinds
		path, headers := GitHubPath, map[string]string{github.SignatureHeader: sig, github.EventHeader: "push", github.DeliveryHeader: "d-1"}
		if form {
			headers["Content-Type"] = "application/x-www-form-urlencoded"
		}
		if isPaddle {
			path, headers = PaddlePath, map[string]string{paddle.SignatureHeader: sig}
		}
		resp, err := h.Handle(context.Background(), request(path, headers, body, b64))
		if err != nil {
			t.Fatalf("Handle returned an error: %v", err)
		}
		if resp.StatusCode != http.StatusAccepted {
			if len(rec.inputs) != 0 {
				t.Fatalf("status %d but a message was sent", resp.StatusCode)
			}
			return
		}
		genuine := !isPaddle && githubGenuine(sig, body) || isPaddle && paddleGenuine(sig, body)
		if !genuine {
			t.Fatalf("202 for a delivery without a genuine signature: sig=%q", sig)
		}
		if len(rec.inputs) != 1 {
			t.Fatalf("202 with %d messages sent", len(rec.inputs))
		}
		if got := aws.ToString(rec.inputs[0].MessageBody); !form && got != string(body) {
			t.Fatalf("body altered: sent %q, delivered %q", got, body)
		}
	})
}

// githubGenuine asks go-github whether sig is an HMAC of body under the
// secret, and insists on sha256: go-github also takes sha1 and sha512.
func githubGenuine(sig string, body []byte) bool {
	return strings.HasPrefix(sig, "sha256=") && gogithub.ValidateSignature(sig, body, []byte(githubSecret)) == nil
}

// paddleGenuine decides with crypto/hmac alone: some h1 of the header is
// the HMAC-SHA256 of its first ts, ":" and the body under the secret, and
// that ts names a second within the default 5 s of the handler's clock
// (testNow, a whole second).
func paddleGenuine(sig string, body []byte) bool {
	var ts string
	var h1s []string
	for _, field := range strings.Split(strings.TrimSpace(sig), ";") {
		key, value, _ := strings.Cut(field, "=")
		switch {
		case key == "ts" && ts == "":
			ts = value
		case key == "h1":
			h1s = append(h1s, value)
		}
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || unix < testNow.Unix()-5 || unix > testNow.Unix()+5 {
		return false
	}
	mac := hmac.New(sha256.New, []byte(paddleSecret))
	mac.Write([]byte(ts + ":"))
	mac.Write(body)
	return slices.Contains(h1s, hex.EncodeToString(mac.Sum(nil)))
}
