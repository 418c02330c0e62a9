package webhook

import (
	"context"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/sqsgate/sqsgate/internal/webhook/github"
	"github.com/sqsgate/sqsgate/internal/webhook/paddle"
)

// FuzzHandle feeds arbitrary bodies and signature headers to both routes.
// Whatever arrives, the handler must answer (never panic or return an
// error), and a 202 must mean the delivery carried a genuine signature and
// exactly one message was sent with the body unaltered.
func FuzzHandle(f *testing.F) {
	push := []byte(`{"repository":{"full_name":"o/r"}}`)
	txn := []byte(`{"event_id":"evt_1","event_type":"a.b"}`)
	f.Add(false, push, github.Sign(githubSecret, push), true, false)
	f.Add(false, []byte("payload=%7B%7D"), github.Sign(githubSecret, []byte("payload=%7B%7D")), false, true)
	f.Add(true, txn, paddle.Sign(paddleSecret, testNow, txn), false, false)
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
		genuine := !isPaddle && github.Verifier{Secrets: []string{githubSecret}}.Verify(sig, body) == nil ||
			isPaddle && paddle.Verifier{Secrets: []string{paddleSecret}}.Verify(sig, body, testNow) == nil
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
