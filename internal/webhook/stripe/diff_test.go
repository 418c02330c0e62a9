package stripe

import (
	"encoding/hex"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	stripego "github.com/stripe/stripe-go/v82"
	stripewebhook "github.com/stripe/stripe-go/v82/webhook"

	"github.com/sqsgate/sqsgate/internal/webhook/internal/vectors"
)

// The rules where this verifier is deliberately stricter than stripe-go's
// webhook package. Every case where stripe-go accepts and we reject must be
// one of them; we never accept what stripe-go rejects (at the same clock).
const (
	ruleTwoSidedWindow = "the window is two-sided: stripe-go accepts a t any distance in the future"
	ruleEmptySecret    = "an empty secret is no secret: stripe-go computes an HMAC with an empty key"
	ruleOneT           = "exactly one t, of plain decimal digits: stripe-go takes the last t, reads a missing t as the zero time, and accepts a sign or leading zeros (then signs the re-formatted number)"
	ruleWellFormedV1   = "every v1 is 64 hex digits, at most 8 of them: stripe-go skips a v1 it cannot decode and takes any number"
)

// stricterRule returns the rule explaining why we reject a header stripe-go
// accepts, or "".
func stricterRule(secret, header string) string {
	if secret == "" {
		return ruleEmptySecret
	}
	var ts []string
	v1 := 0
	for _, part := range strings.Split(header, ",") {
		key, value, _ := strings.Cut(part, "=")
		switch key {
		case "t":
			ts = append(ts, value)
		case "v1":
			v1++
			if _, err := hex.DecodeString(value); err != nil || len(value) != 64 {
				return ruleWellFormedV1
			}
		}
	}
	if v1 > maxSignatures {
		return ruleWellFormedV1
	}
	if len(ts) != 1 {
		return ruleOneT
	}
	if _, ok := parseCanonical(ts[0]); !ok {
		return ruleOneT
	}
	return ""
}

func parseCanonical(s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && strconv.FormatInt(n, 10) == s && n >= 0
}

// lastT is the timestamp stripe-go would read from header (the last t that
// parses), so both sides are compared at that clock.
func lastT(header string) int64 {
	var unix int64
	for _, part := range strings.Split(header, ",") {
		if v, ok := strings.CutPrefix(part, "t="); ok {
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				unix = n
			}
		}
	}
	return unix
}

// checkAgainstStripeGo compares verdicts with the clock at the header's own
// t, so stripe-go's time.Now-based window is not what is compared (it is
// covered by TestDiffersFromStripeGo).
func checkAgainstStripeGo(t *testing.T, secret, header string, body []byte) {
	t.Helper()
	ours := Verifier{Secrets: []string{secret}}.Verify(header, body, time.Unix(lastT(header), 0))
	theirs := stripewebhook.ValidatePayloadIgnoringTolerance(body, header, secret)
	switch {
	case (ours == nil) == (theirs == nil):
	case ours == nil:
		t.Fatalf("we accept what stripe-go rejects (%v): secret=%q header=%q body=%q", theirs, secret, header, body)
	case stricterRule(secret, header) == "":
		t.Fatalf("stripe-go accepts what we reject (%v), and no rule explains it: secret=%q header=%q body=%q", ours, secret, header, body)
	}
}

// header derives a Stripe-Signature from a correct one: mode picks the
// mutation, pos where it applies. Mode 0 keeps it intact.
func header(secret string, ts int64, body []byte, mode, pos uint8) string {
	good := Sign(secret, time.Unix(ts, 0), body)
	tPart, v1Part, _ := strings.Cut(good, ",")
	digits := strings.TrimPrefix(v1Part, "v1=")
	i := int(pos) % len(digits)
	switch mode % 12 {
	case 1:
		c := byte('0')
		if digits[i] == '0' {
			c = '1'
		}
		return tPart + ",v1=" + digits[:i] + string(c) + digits[i+1:]
	case 2:
		return tPart + ",v1=" + strings.ToUpper(digits)
	case 3:
		return tPart + ",v1=" + digits[:i]
	case 4:
		return "t=" + strconv.FormatInt(ts+1, 10) + "," + v1Part
	case 5:
		return v1Part + "," + tPart
	case 6:
		return good + ",v0=" + digits + ",v2=zz"
	case 7:
		return tPart + ",v1=" + strings.Repeat("0", 64) + "," + v1Part
	case 8:
		return "t=0" + strconv.FormatInt(ts, 10) + "," + v1Part
	case 9:
		return v1Part
	case 10:
		return tPart + "," + tPart + "," + v1Part
	case 11:
		return good + ",v1=" + digits[:i]
	}
	return good
}

func TestAgreesWithStripeGo(t *testing.T) {
	bodies := [][]byte{{}, []byte("\x00\xff"), []byte(`{"id":"evt_1","type":"charge.succeeded"}`)}
	secrets := []string{"whsec_test_secret", "k", ""}
	for _, ex := range vectors.Examples(t) {
		bodies = append(bodies, []byte(ex.Body))
		checkAgainstStripeGo(t, ex.Secrets[0], ex.Headers[SignatureHeader], []byte(ex.Body))
	}
	for _, secret := range secrets {
		for _, body := range bodies {
			for mode := range uint8(12) {
				for _, pos := range []uint8{0, 33, 63} {
					checkAgainstStripeGo(t, secret, header(secret, 1756252800, body, mode, pos), body)
				}
			}
		}
	}
}

// TestConstructEvent: a genuine event signed now is accepted by both
// stripe-go's ConstructEvent (signature, its window, JSON and API version)
// and by Verify and ParseEvent, which read the same id and type.
func TestConstructEvent(t *testing.T) {
	body := []byte(`{"id":"evt_1NG8Du2eZvKYlo2CUI79vXWy","object":"event","api_version":"` + stripego.APIVersion + `","type":"payment_intent.succeeded","data":{"object":{"id":"pi_1"}}}`)
	now := time.Now()
	hdr := Sign("whsec_test_secret", now, body)
	evt, err := stripewebhook.ConstructEvent(body, hdr, "whsec_test_secret")
	require.NoError(t, err)
	require.NoError(t, Verifier{Secrets: []string{"whsec_test_secret"}}.Verify(hdr, body, now))
	ours, err := ParseEvent(body)
	require.NoError(t, err)
	assert.Equal(t, Event{ID: evt.ID, Type: string(evt.Type)}, ours)

	// And stripe-go's own signer produces headers we accept.
	signed := stripewebhook.GenerateTestSignedPayload(&stripewebhook.UnsignedPayload{Payload: body, Secret: "whsec_test_secret", Timestamp: now})
	assert.NoError(t, Verifier{Secrets: []string{"whsec_test_secret"}}.Verify(signed.Header, body, now))
	assert.Equal(t, signed.Header, hdr)
}

// TestDiffersFromStripeGo names each rule with a case stripe-go accepts and
// we reject, so a change on either side shows up here.
func TestDiffersFromStripeGo(t *testing.T) {
	body := []byte(`{"id":"evt_1","type":"charge.succeeded"}`)
	now := time.Now().Truncate(time.Second)
	good := Sign("k", now, body)
	tPart, v1Part, _ := strings.Cut(good, ",")
	future := Sign("k", now.Add(time.Hour), body)
	tests := []struct {
		rule    string
		secret  string
		header  string
		wantErr error
	}{
		{ruleTwoSidedWindow, "k", future, ErrStaleTimestamp},
		{ruleEmptySecret, "", Sign("", now, body), ErrNoSecret},
		{ruleOneT, "k", "t=1," + tPart + "," + v1Part, ErrMalformedSignature},
		{ruleOneT, "k", "t=0" + strings.TrimPrefix(tPart, "t=") + "," + v1Part, ErrMalformedSignature},
		{ruleOneT, "k", "t=+" + strings.TrimPrefix(tPart, "t=") + "," + v1Part, ErrMalformedSignature},
		{ruleWellFormedV1, "k", good + ",v1=zz", ErrMalformedSignature},
		{ruleWellFormedV1, "k", good + strings.Repeat(",v1="+strings.Repeat("0", 64), 8), ErrMalformedSignature},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			require.NoError(t, stripewebhook.ValidatePayload(body, tt.header, tt.secret), "stripe-go accepts it (its own clock and window)")
			assert.ErrorIs(t, Verifier{Secrets: []string{tt.secret}}.Verify(tt.header, body, now), tt.wantErr)
			assert.Equal(t, tt.rule, stricterRuleAt(tt.secret, tt.header, now))
		})
	}
	t.Run("a missing t is the zero time.Time to stripe-go (unix -62135596800): refused by its window as by our parser", func(t *testing.T) {
		missing := "v1=" + hexMAC("k", "-62135596800.", body)
		assert.ErrorIs(t, stripewebhook.ValidatePayload(body, missing, "k"), stripewebhook.ErrTooOld)
		assert.NoError(t, stripewebhook.ValidatePayloadIgnoringTolerance(body, missing, "k"))
		assert.ErrorIs(t, Verifier{Secrets: []string{"k"}}.Verify(missing, body, now), ErrMalformedSignature)
	})
}

// stricterRuleAt is stricterRule plus the window, which the differential
// comparison keeps out of play by setting the clock to t.
func stricterRuleAt(secret, header string, now time.Time) string {
	if rule := stricterRule(secret, header); rule != "" {
		return rule
	}
	if lastT(header) > now.Unix()+int64(DefaultTolerance/time.Second) {
		return ruleTwoSidedWindow
	}
	return ""
}

func FuzzAgreesWithStripeGo(f *testing.F) {
	for _, ex := range vectors.Examples(f) {
		f.Add(ex.Secrets[0], []byte(ex.Body), ex.Now, uint8(0), uint8(0), ex.Headers[SignatureHeader])
	}
	f.Add("k", []byte("{}"), int64(0), uint8(1), uint8(5), "")
	f.Add("", []byte{}, int64(1), uint8(6), uint8(0), "")
	f.Add("k", []byte("x"), int64(1), uint8(0), uint8(0), "t=1,v1=00")
	f.Add("k", []byte("x"), int64(1), uint8(0), uint8(0), "t=1,v1=0,v1=1,t=2")
	f.Fuzz(func(t *testing.T, secret string, body []byte, ts int64, mode, pos uint8, raw string) {
		ts = max(ts, 0) // Sign formats time.Unix; negative times are not Stripe's
		hdr := header(secret, ts, body, mode, pos)
		if raw != "" {
			hdr = raw // a header the fuzzer made up entirely
		}
		checkAgainstStripeGo(t, secret, hdr, body)
	})
}
