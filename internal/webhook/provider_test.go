package webhook

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sqsgate/sqsgate/internal/apigw"
	"github.com/sqsgate/sqsgate/internal/webhook/github"
	"github.com/sqsgate/sqsgate/internal/webhook/internal/sigcheck"
	"github.com/sqsgate/sqsgate/internal/webhook/paddle"
	"github.com/sqsgate/sqsgate/internal/webhook/shopify"
	"github.com/sqsgate/sqsgate/internal/webhook/slack"
	"github.com/sqsgate/sqsgate/internal/webhook/standard"
	"github.com/sqsgate/sqsgate/internal/webhook/stripe"
)

// Test secrets of the providers added after GitHub and Paddle.
const (
	stripeSecret   = "whsec_sqsgatedev_localonly"
	standardSecret = "whsec_c3FzZ2F0ZS1kZXYtc3RhbmRhcmQta2V5" // the key is "sqsgate-dev-standard-key", 24 bytes
	shopifySecret  = "shpss_sqsgatedev_localonly"
	slackSecret    = "sqsgatedev_slack_localonly"
)

// standardKey is the Ed25519 key the tests sign v1a with; its public half
// is configured beside standardSecret.
func standardKey() ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("sqsgate webhook test v1a key"))
	return ed25519.NewKeyFromSeed(seed[:])
}

func standardPublicKey() string {
	return standard.PublicKey(standardKey().Public().(ed25519.PublicKey))
}

// providerCase is one provider's genuine delivery and what it becomes.
type providerCase struct {
	provider string
	body     []byte
	// sign returns the headers the provider sends for body at at.
	sign func(body []byte, at time.Time) map[string]string
	// sigHeader is the header that carries the signature.
	sigHeader string
	// signsTime: the scheme signs a timestamp, so a window applies.
	signsTime              bool
	event, id, verifiedBy  string
	contentType, fifoGroup string
}

func providerCases(t testing.TB) []providerCase {
	push := fixture(t, "github-push.json")
	stripeEvent := fixture(t, "stripe-payment-intent-succeeded.json")
	return []providerCase{
		{ProviderGitHub, push, func(b []byte, _ time.Time) map[string]string { return githubHeaders(b) }, github.SignatureHeader, false,
			"push", deliveryID, VerifiedByGitHub, "application/json", "github:octocat/Hello-World"},
		{ProviderPaddle, fixture(t, "paddle-transaction-completed.json"), paddleHeaders, paddle.SignatureHeader, true,
			"transaction.completed", "evt_01hv8x2acma3ctdxsd5hyh9bn5", VerifiedByPaddle, "application/json", "paddle"},
		{ProviderStripe, stripeEvent, func(b []byte, at time.Time) map[string]string {
			return map[string]string{"Content-Type": "application/json; charset=utf-8", stripe.SignatureHeader: stripe.Sign(stripeSecret, at, b)}
		}, stripe.SignatureHeader, true, "payment_intent.succeeded", "evt_3QwWbD2eZvKYlo2C1nT0aBcD", VerifiedByStripe, "application/json; charset=utf-8", "stripe"},
		{ProviderStandard, fixture(t, "standard-contact-created.json"), func(b []byte, at time.Time) map[string]string {
			sig, err := standard.Sign(standardSecret, "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", at, b)
			if err != nil {
				panic(err) // the test secret is a constant
			}
			return map[string]string{"Content-Type": "application/json", standard.IDHeader: "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W",
				standard.TimestampHeader: unixText(at), standard.SignatureHeader: sig}
		}, standard.SignatureHeader, true, "contact.created", "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", VerifiedByStandardV1, "application/json", "standard"},
		{ProviderShopify, fixture(t, "shopify-orders-create.json"), func(b []byte, _ time.Time) map[string]string {
			return map[string]string{"Content-Type": "application/json", shopify.SignatureHeader: shopify.Sign(shopifySecret, b),
				shopify.TopicHeader: "orders/create", shopify.WebhookIDHeader: "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043", shopify.ShopDomainHeader: "example.myshopify.com"}
		}, shopify.SignatureHeader, false, "orders/create", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043", VerifiedByShopify, "application/json", "shopify"},
		{ProviderSlack, fixture(t, "slack-app-mention.json"), slackHeaders, slack.SignatureHeader, true,
			"app_mention", "Ev123ABC456", VerifiedBySlack, "application/json", "slack"},
	}
}

func slackHeaders(b []byte, at time.Time) map[string]string {
	sig, ts := slack.Sign(slackSecret, at, b)
	return map[string]string{"Content-Type": "application/json", slack.SignatureHeader: sig, slack.TimestampHeader: ts}
}

func unixText(at time.Time) string { return strconv.FormatInt(at.Unix(), 10) }

// inputAttr is a message attribute's string value.
func inputAttr(in *sqs.SendMessageInput, name string) string {
	return aws.ToString(in.MessageAttributes[name].StringValue)
}

func pathOf(provider string) string { return "/webhooks/" + provider }

// TestProvidersAccept: a genuine delivery of every provider becomes one
// message with the body exactly as delivered and the six attributes, on a
// standard and on a FIFO queue.
func TestProvidersAccept(t *testing.T) {
	for _, pc := range providerCases(t) {
		for _, fifo := range []bool{false, true} {
			t.Run(pc.provider+map[bool]string{false: "", true: " FIFO"}[fifo], func(t *testing.T) {
				rec := &recorder{}
				var logs bytes.Buffer
				h := newTestHandler(t, rec, &logs)
				h.fifo = fifo
				resp, err := h.Handle(context.Background(), request(pathOf(pc.provider), pc.sign(pc.body, testNow), pc.body, false))
				require.NoError(t, err)
				require.Equal(t, http.StatusAccepted, resp.StatusCode, resp.Body)
				require.Len(t, rec.inputs, 1)
				in := rec.inputs[0]
				assert.Equal(t, string(pc.body), aws.ToString(in.MessageBody))
				got := map[string]string{}
				for name := range in.MessageAttributes {
					got[name] = inputAttr(in, name)
				}
				assert.Equal(t, map[string]string{
					"provider": pc.provider, "event": pc.event, "delivery_id": pc.id, "received_at": "2026-11-22T01:02:03Z",
					"content_type": pc.contentType, "verified_by": pc.verifiedBy,
				}, got)
				if fifo {
					assert.Equal(t, pc.fifoGroup, aws.ToString(in.MessageGroupId))
					assert.Equal(t, pc.id, aws.ToString(in.MessageDeduplicationId))
				}
				line := lastLogLine(t, logs.String())
				assert.Equal(t, "accepted", line["outcome"])
				assert.Equal(t, pc.id, line["delivery_id"])
			})
		}
	}
}

type providerRejection struct {
	name    string
	headers map[string]string
	body    []byte
	handler func(*Handler)
	status  int
	code    string
}

// TestProvidersReject: the ways every provider's delivery is refused, each
// answered with its code and nothing sent.
func TestProvidersReject(t *testing.T) {
	for _, pc := range providerCases(t) {
		good := pc.sign(pc.body, testNow)
		sig := good[pc.sigHeader]
		tests := []providerRejection{
			{"missing signature", with(good, pc.sigHeader, ""), pc.body, nil, 401, "missing_signature"},
			{"malformed signature", with(good, pc.sigHeader, "garbage"), pc.body, nil, 401, "malformed_signature"},
			{"repeated signature", with(good, pc.sigHeader, sig+","+sig), pc.body, nil, repeatedStatus(pc.provider), repeatedCode(pc.provider)},
			{"wrong secret", pc.sign(pc.body, testNow), pc.body, func(h *Handler) { h.secrets[pc.provider] = literal(t, "whsec_d3Jvbmc=,wrong") }, 401, "invalid_signature"},
			{"body changed", good, append(bytes.Clone(pc.body), ' '), nil, 401, "invalid_signature"},
			{"no secret configured", good, pc.body, func(h *Handler) { h.secrets[pc.provider] = literal(t, "") }, 503, "secret_unavailable"},
			{"over the body cap", good, pc.body, func(h *Handler) { h.maxBodyBytes = len(pc.body) - 1 }, 413, "payload_too_large"},
		}
		if pc.signsTime {
			tests = append(tests,
				providerRejection{"stale", pc.sign(pc.body, testNow.Add(-time.Hour)), pc.body, nil, 401, "stale_timestamp"},
				providerRejection{"from the future", pc.sign(pc.body, testNow.Add(time.Hour)), pc.body, nil, 401, "stale_timestamp"},
			)
		}
		for _, tt := range tests {
			t.Run(pc.provider+" "+tt.name, func(t *testing.T) {
				resp, line := rejection{req: request(pathOf(pc.provider), tt.headers, tt.body, false), handler: tt.handler}.run(t)
				assert.Equal(t, tt.status, resp.StatusCode, resp.Body)
				assert.Equal(t, tt.code, errorCode(t, resp))
				assert.Equal(t, tt.code, line["code"])
				assert.Equal(t, pc.provider, line["provider"])
				if tt.status == http.StatusUnauthorized {
					assert.Equal(t, false, line["verified"])
				}
			})
		}
	}
}

// repeatedStatus: a repeated header arrives comma-joined. Where the value
// never holds a comma that is 400 repeated_header; Stripe-Signature and
// webhook-signature hold commas themselves, and their joined copies are
// refused by the verifier as malformed.
func repeatedStatus(provider string) int {
	if provider == ProviderStripe || provider == ProviderStandard {
		return http.StatusUnauthorized
	}
	return http.StatusBadRequest
}

func repeatedCode(provider string) string {
	if provider == ProviderStripe || provider == ProviderStandard {
		return "malformed_signature"
	}
	return "repeated_header"
}

// TestProvidersRefuseVerifiedBodiesTheyCannotName: a genuine signature
// over a body without the ids a provider's message needs is a 400, not a
// message without a delivery id.
func TestProvidersRefuseVerifiedBodiesTheyCannotName(t *testing.T) {
	cases := map[string]providerCase{}
	for _, pc := range providerCases(t) {
		cases[pc.provider] = pc
	}
	tests := []struct {
		provider string
		body     string
		headers  func(map[string]string) map[string]string
		code     string
	}{
		{ProviderStripe, `{"object":"event","type":"charge.succeeded"}`, nil, "malformed_payload"},
		{ProviderStripe, `not json`, nil, "malformed_payload"},
		{ProviderStandard, `{"data":{}}`, nil, "malformed_payload"},
		{ProviderShopify, `{"id":1}`, func(h map[string]string) map[string]string { return with(h, shopify.TopicHeader, "") }, "missing_header"},
		{ProviderShopify, `{"id":1}`, func(h map[string]string) map[string]string { return with(h, shopify.WebhookIDHeader, "") }, "missing_header"},
		{ProviderShopify, `{"id":1}`, func(h map[string]string) map[string]string { return with(h, shopify.TopicHeader, "a,b") }, "repeated_header"},
		{ProviderSlack, `token=x&command=%2Fdeploy`, nil, "malformed_payload"},
		{ProviderSlack, `{"type":"event_callback","event":{"type":"app_mention"}}`, nil, "malformed_payload"},
		{ProviderSlack, `{"type":"app_rate_limited","team_id":"T1","minute_rate_limited":1518467820}`, nil, "malformed_payload"},
		{ProviderSlack, `{"type":"url_verification"}`, nil, "malformed_payload"},
	}
	for _, tt := range tests {
		t.Run(tt.provider+" "+tt.body, func(t *testing.T) {
			headers := cases[tt.provider].sign([]byte(tt.body), testNow)
			if tt.headers != nil {
				headers = tt.headers(headers)
			}
			resp, line := rejection{req: request(pathOf(tt.provider), headers, []byte(tt.body), false)}.run(t)
			assert.Equal(t, http.StatusBadRequest, resp.StatusCode, resp.Body)
			assert.Equal(t, tt.code, errorCode(t, resp))
			assert.Equal(t, true, line["verified"])
		})
	}
}

// TestSlackURLVerification: Slack's check of the Request URL is answered
// with its challenge once the signature holds, and nothing is queued; a
// forged or stale one is refused like any request.
func TestSlackURLVerification(t *testing.T) {
	body := fixture(t, "slack-url-verification.json")
	tests := []struct {
		name    string
		headers map[string]string
		status  int
		want    string
	}{
		{"forged", with(slackHeaders(body, testNow), slack.SignatureHeader, "v0="+strings.Repeat("0", 64)), 401, ""},
		{"stale", slackHeaders(body, testNow.Add(-10*time.Minute)), 401, ""},
		{"unsigned", with(slackHeaders(body, testNow), slack.SignatureHeader, ""), 401, ""},
		{"genuine", slackHeaders(body, testNow), 200, "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			var logs bytes.Buffer
			h := newTestHandler(t, rec, &logs)
			resp, err := h.Handle(context.Background(), request(pathOf(ProviderSlack), tt.headers, body, false))
			require.NoError(t, err)
			assert.Equal(t, tt.status, resp.StatusCode, resp.Body)
			assert.Empty(t, rec.inputs, "url_verification is never queued")
			if tt.status != http.StatusOK {
				return
			}
			assert.Equal(t, tt.want, resp.Body)
			assert.Equal(t, "text/plain", resp.Headers["content-type"])
			line := lastLogLine(t, logs.String())
			assert.Equal(t, "answered", line["outcome"])
			assert.Equal(t, "url_verification", line["event"])
			assert.Equal(t, true, line["verified"])
		})
	}
}

// TestStandardWebhooksHeaders: the svix-* spelling is read when the
// standard one is absent; both spellings with different values are
// refused; a v1a signature is named in verified_by.
func TestStandardWebhooksHeaders(t *testing.T) {
	body := fixture(t, "standard-contact-created.json")
	const id = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"
	v1, err := standard.Sign(standardSecret, id, testNow, body)
	require.NoError(t, err)
	v1a := standard.SignEd25519(standardKey(), id, testNow, body)
	ts := unixText(testNow)
	svix := map[string]string{"Content-Type": "application/json", standard.SvixIDHeader: id, standard.SvixTimestampHeader: ts, standard.SvixSignatureHeader: v1}
	std := map[string]string{"Content-Type": "application/json", standard.IDHeader: id, standard.TimestampHeader: ts, standard.SignatureHeader: v1}
	both := with(svix, standard.IDHeader, id, standard.TimestampHeader, ts, standard.SignatureHeader, v1)
	tests := []struct {
		name       string
		headers    map[string]string
		status     int
		code       string
		verifiedBy string
	}{
		{"svix-* names", svix, 202, "", VerifiedByStandardV1},
		{"both spellings, the same values", both, 202, "", VerifiedByStandardV1},
		{"v1a", with(std, standard.SignatureHeader, v1a), 202, "", VerifiedByStandardV1a},
		{"v1 and v1a in one header", with(std, standard.SignatureHeader, v1+" "+v1a), 202, "", VerifiedByStandardV1},
		{"both spellings, different ids", with(both, standard.SvixIDHeader, "msg_other"), 400, "conflicting_headers", ""},
		{"both spellings, different timestamps", with(both, standard.SvixTimestampHeader, "1"), 400, "conflicting_headers", ""},
		{"both spellings, different signatures", with(both, standard.SvixSignatureHeader, v1a), 400, "conflicting_headers", ""},
		{"repeated webhook-id", with(std, standard.IDHeader, id+","+id), 400, "repeated_header", ""},
		{"repeated webhook-timestamp", with(std, standard.TimestampHeader, ts+","+ts), 400, "repeated_header", ""},
		{"missing webhook-id", with(std, standard.IDHeader, ""), 401, "missing_signature", ""},
		{"an id with a full stop", with(std, standard.IDHeader, "msg.1"), 401, "malformed_signature", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			h := newTestHandler(t, rec, nil)
			resp, err := h.Handle(context.Background(), request(pathOf(ProviderStandard), tt.headers, body, false))
			require.NoError(t, err)
			require.Equal(t, tt.status, resp.StatusCode, resp.Body)
			if tt.status != http.StatusAccepted {
				assert.Equal(t, tt.code, errorCode(t, resp))
				assert.Empty(t, rec.inputs)
				return
			}
			require.Len(t, rec.inputs, 1)
			assert.Equal(t, tt.verifiedBy, inputAttr(rec.inputs[0], "verified_by"))
			assert.Equal(t, id, inputAttr(rec.inputs[0], "delivery_id"))
		})
	}
}

// TestProvidersWindows: a configured window replaces a provider's default,
// in both directions.
func TestProvidersWindows(t *testing.T) {
	for _, pc := range providerCases(t) {
		if !pc.signsTime {
			continue
		}
		t.Run(pc.provider, func(t *testing.T) {
			for _, tt := range []struct {
				signed time.Time
				status int
			}{{testNow.Add(-20 * time.Second), 401}, {testNow.Add(20 * time.Second), 401}, {testNow.Add(-10 * time.Second), 202}, {testNow.Add(10 * time.Second), 202}} {
				h := newTestHandler(t, &recorder{}, nil)
				h.windows = map[string]time.Duration{pc.provider: 10 * time.Second}
				resp, err := h.Handle(context.Background(), request(pathOf(pc.provider), pc.sign(pc.body, tt.signed), pc.body, false))
				require.NoError(t, err)
				assert.Equal(t, tt.status, resp.StatusCode, "signed %s from now: %s", tt.signed.Sub(testNow), resp.Body)
			}
		})
	}
}

// TestProvidersDefaultWindow: a window of zero in the handler's settings
// is no window set; the provider's default applies.
func TestProvidersDefaultWindow(t *testing.T) {
	for _, pc := range providerCases(t) {
		if !pc.signsTime || pc.provider == ProviderPaddle {
			continue // Paddle's default (5 s) is shorter than the 4 minutes here
		}
		t.Run(pc.provider, func(t *testing.T) {
			h := newTestHandler(t, &recorder{}, nil)
			h.windows = map[string]time.Duration{pc.provider: 0}
			resp, err := h.Handle(context.Background(), request(pathOf(pc.provider), pc.sign(pc.body, testNow.Add(-4*time.Minute)), pc.body, false))
			require.NoError(t, err)
			assert.Equal(t, http.StatusAccepted, resp.StatusCode, resp.Body)
		})
	}
}

// TestProvidersLogWhatARefusedRequestClaims: a refused delivery's log line
// names the event and delivery id it claims, from the headers or the body
// as the provider names them (Standard Webhooks: svix-id when webhook-id
// is absent), marked unverified.
func TestProvidersLogWhatARefusedRequestClaims(t *testing.T) {
	cases := map[string]providerCase{}
	for _, pc := range providerCases(t) {
		cases[pc.provider] = pc
	}
	forge := func(provider string, body []byte, drop ...string) map[string]string {
		h := cases[provider].sign(body, testNow.Add(-time.Hour)) // stale: refused after the body is read
		for _, name := range drop {
			delete(h, name)
		}
		return h
	}
	std := cases[ProviderStandard]
	svix := forge(ProviderStandard, std.body)
	svix[standard.SvixIDHeader], svix[standard.SvixTimestampHeader], svix[standard.SvixSignatureHeader] =
		svix[standard.IDHeader], svix[standard.TimestampHeader], svix[standard.SignatureHeader]
	delete(svix, standard.IDHeader)
	delete(svix, standard.TimestampHeader)
	delete(svix, standard.SignatureHeader)
	tests := []struct {
		name, provider string
		headers        map[string]string
		body           []byte
		event, id      string
	}{
		{"stripe", ProviderStripe, forge(ProviderStripe, cases[ProviderStripe].body), cases[ProviderStripe].body, "payment_intent.succeeded", "evt_3QwWbD2eZvKYlo2C1nT0aBcD"},
		{"standard, webhook-id", ProviderStandard, forge(ProviderStandard, std.body), std.body, "contact.created", "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"},
		{"standard, svix-id", ProviderStandard, svix, std.body, "contact.created", "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"},
		{"slack", ProviderSlack, forge(ProviderSlack, cases[ProviderSlack].body), cases[ProviderSlack].body, "app_mention", "Ev123ABC456"},
		{"paddle, only an event_type", ProviderPaddle, forge(ProviderPaddle, []byte(`{"event_type":"a.b"}`)), []byte(`{"event_type":"a.b"}`), "a.b", ""},
		{"paddle, only an event_id", ProviderPaddle, forge(ProviderPaddle, []byte(`{"event_id":"evt_9"}`)), []byte(`{"event_id":"evt_9"}`), "", "evt_9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, line := rejection{req: request(pathOf(tt.provider), tt.headers, tt.body, false)}.run(t)
			require.Equal(t, http.StatusUnauthorized, resp.StatusCode, resp.Body)
			assert.Equal(t, tt.event, line["event"])
			assert.Equal(t, tt.id, line["delivery_id"])
			assert.Equal(t, false, line["verified"])
		})
	}
}

// TestProvidersRotation: during a rotation two secrets are configured and
// a delivery signed with either is accepted.
func TestProvidersRotation(t *testing.T) {
	for _, pc := range providerCases(t) {
		t.Run(pc.provider, func(t *testing.T) {
			rec := &recorder{}
			h := newTestHandler(t, rec, nil)
			old := h.secrets[pc.provider].Secrets(context.Background())
			h.secrets[pc.provider] = literal(t, "whsec_bmV3LXNlY3JldA==,"+strings.Join(old, ","))
			resp, err := h.Handle(context.Background(), request(pathOf(pc.provider), pc.sign(pc.body, testNow), pc.body, false))
			require.NoError(t, err)
			assert.Equal(t, http.StatusAccepted, resp.StatusCode, resp.Body)
		})
	}
}

func TestVerificationErrorMapsKinds(t *testing.T) {
	answer := ErrRepeatedHeader.Detail("the X header must appear once", nil)
	for _, tt := range []struct {
		err    error
		status int
		code   string
	}{
		{stripe.ErrNoSecret, 503, "secret_unavailable"},
		{github.ErrSHA1Only, 401, "sha256_signature_required"},
		{slack.ErrMissingSignature, 401, "missing_signature"},
		{standard.ErrMalformedSignature, 401, "malformed_signature"},
		{paddle.ErrStaleTimestamp, 401, "stale_timestamp"},
		{shopify.ErrSignatureMismatch, 401, "invalid_signature"},
		{answer, 400, "repeated_header"},
		{errors.New("something else"), 500, "internal_error"},
	} {
		err := verificationError(tt.err)
		status, body := apigw.Answer(err)
		assert.Equal(t, tt.status, status, tt.err.Error())
		assert.Equal(t, tt.code, body.Code, tt.err.Error())
		assert.ErrorIs(t, err, tt.err, "the cause stays in the chain, for the log")
	}
	assert.ErrorIs(t, verificationError(stripe.ErrSignatureMismatch), sigcheck.ErrSignatureMismatch)
}

func TestProvidersTable(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range Providers {
		assert.False(t, seen[p.Name], "provider %s twice", p.Name)
		seen[p.Name] = true
		assert.Equal(t, "/webhooks/"+p.Name, p.Path())
		assert.Same(t, p, providerByPath(p.Path()))
	}
	assert.Nil(t, providerByPath("/webhooks/"))
	assert.Nil(t, providerByPath("/webhooks/github/"))
	assert.Len(t, Providers, 6)
}
