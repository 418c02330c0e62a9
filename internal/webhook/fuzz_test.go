package webhook

import (
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	gogithub "github.com/google/go-github/v84/github"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
	stripewebhook "github.com/stripe/stripe-go/v82/webhook"

	"github.com/sqsgate/sqsgate/internal/webhook/github"
	"github.com/sqsgate/sqsgate/internal/webhook/paddle"
	"github.com/sqsgate/sqsgate/internal/webhook/shopify"
	"github.com/sqsgate/sqsgate/internal/webhook/slack"
	"github.com/sqsgate/sqsgate/internal/webhook/standard"
	"github.com/sqsgate/sqsgate/internal/webhook/stripe"
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
		h.fifo = b64 // exercise both queue kinds
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

// FuzzHandleProviders feeds arbitrary bodies and signature headers to the
// Stripe, Standard Webhooks, Shopify and Slack routes, with the other
// headers those schemes sign fixed at the handler's clock. As in
// FuzzHandle, every request is answered, and a 202 must mean a genuine
// signature, decided by the providers' own libraries (stripe-go, the
// Standard Webhooks reference library) or by their documented rule written
// out with crypto/hmac (Shopify, Slack), and exactly one message with the
// body unaltered.
func FuzzHandleProviders(f *testing.F) {
	cases := providerCases(f)
	for i, pc := range cases {
		if i < 2 {
			continue // GitHub and Paddle: FuzzHandle
		}
		f.Add(uint8(i), pc.body, pc.sign(pc.body, testNow)[pc.sigHeader], false)
	}
	f.Add(uint8(2), []byte(`{"id":"evt_1","type":"a"}`), "t=1,v1=00", true)
	f.Add(uint8(3), []byte(`{"type":"a"}`), "v1,AAAA v1a,BBBB", false)
	f.Fuzz(func(t *testing.T, which uint8, body []byte, sig string, b64 bool) {
		pc := cases[2+int(which)%4]
		headers := with(pc.sign(body, testNow), pc.sigHeader, sig)
		if sig == "" {
			delete(headers, pc.sigHeader)
		}
		rec := &recorder{}
		h := newTestHandler(t, rec, nil)
		h.fifo = b64
		resp, err := h.Handle(context.Background(), request(pathOf(pc.provider), headers, body, b64))
		if err != nil {
			t.Fatalf("Handle returned an error: %v", err)
		}
		if resp.StatusCode != http.StatusAccepted {
			if len(rec.inputs) != 0 {
				t.Fatalf("status %d but a message was sent", resp.StatusCode)
			}
			return
		}
		if !providerGenuine(pc.provider, headers, body) {
			t.Fatalf("202 from %s for a delivery without a genuine signature: sig=%q", pc.provider, sig)
		}
		if len(rec.inputs) != 1 || aws.ToString(rec.inputs[0].MessageBody) != string(body) {
			t.Fatalf("202 with %d messages sent, or the body altered", len(rec.inputs))
		}
	})
}

func providerGenuine(provider string, headers map[string]string, body []byte) bool {
	switch provider {
	case ProviderStripe:
		sig := headers[stripe.SignatureHeader]
		if stripewebhook.ValidatePayloadIgnoringTolerance(body, sig, stripeSecret) != nil {
			return false
		}
		// stripe-go's window reads the wall clock; ours is testNow.
		var last int64
		for _, part := range strings.Split(sig, ",") {
			if v, ok := strings.CutPrefix(part, "t="); ok {
				if n, err := strconv.ParseInt(v, 10, 64); err == nil {
					last = n
				}
			}
		}
		d := testNow.Unix() - last
		return d <= 300 && d >= -300
	case ProviderStandard:
		wh, err := standardwebhooks.NewWebhook(standardSecret)
		if err != nil {
			return false
		}
		hh := http.Header{}
		for k, v := range headers {
			hh.Set(k, v)
		}
		// The timestamp is the handler's clock; the library's window reads
		// the wall clock, so it is left out here.
		return wh.VerifyIgnoringTimestamp(body, hh) == nil ||
			standardV1aGenuine(headers, body)
	case ProviderShopify:
		mac := hmac.New(sha256.New, []byte(shopifySecret))
		mac.Write(body)
		return hmac.Equal([]byte(base64.StdEncoding.EncodeToString(mac.Sum(nil))), []byte(headers[shopify.SignatureHeader]))
	case ProviderSlack:
		mac := hmac.New(sha256.New, []byte(slackSecret))
		mac.Write([]byte("v0:" + headers[slack.TimestampHeader] + ":"))
		mac.Write(body)
		return strings.EqualFold("v0="+hex.EncodeToString(mac.Sum(nil)), headers[slack.SignatureHeader])
	}
	return false
}

// standardV1aGenuine checks each v1a entry with crypto/ed25519 directly:
// no library verifies v1a.
func standardV1aGenuine(headers map[string]string, body []byte) bool {
	msg := []byte(headers[standard.IDHeader] + "." + headers[standard.TimestampHeader] + ".")
	msg = append(msg, body...)
	pub := standardKey().Public().(ed25519.PublicKey)
	for _, entry := range strings.Split(headers[standard.SignatureHeader], " ") {
		if v, ok := strings.CutPrefix(entry, "v1a,"); ok {
			if sig, err := base64.StdEncoding.DecodeString(v); err == nil && ed25519.Verify(pub, msg, sig) {
				return true
			}
		}
	}
	return false
}
