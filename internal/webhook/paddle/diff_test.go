package paddle

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	paddlesdk "github.com/PaddleHQ/paddle-go-sdk/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sqsgate/sqsgate/internal/webhook/internal/vectors"
)

// The rules where this verifier is deliberately stricter than
// paddle-go-sdk's WebhookVerifier. Every case where the SDK accepts and we
// reject must be explained by one of them.
const (
	ruleReplayWindow   = "a replay window always applies: paddle-go-sdk checks none unless VerifierWithTimestampTolerance is set"
	ruleEmptySecret    = "an empty secret is no secret: paddle-go-sdk computes an HMAC with an empty key"
	ruleTimestampFits  = "ts must be a unix time that fits an int64 (19 digits at most): paddle-go-sdk hashes any digit string"
	ruleSeveralH1      = "several h1, unknown keys and any field order are accepted (Paddle's rotation format): paddle-go-sdk accepts exactly ts=…;h1=…"
	sdkSingleH1Grammar = `^ts=(\d+);h1=([a-f0-9]{64})$`
)

var sdkGrammar = regexp.MustCompile(sdkSingleH1Grammar)

func sdkVerify(t testing.TB, secret, header string, body []byte) bool {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	if header != "" {
		r.Header.Set(SignatureHeader, header)
	}
	ok, err := paddlesdk.NewWebhookVerifier(secret).Verify(r)
	return ok && err == nil
}

// checkAgainstSDK compares verdicts with the clock at the header's own ts,
// so the SDK's missing replay window is not what the comparison measures.
// The ts is found in any header, not only the SDK's single-h1 form, so
// headers with several h1 reach the MAC check instead of being refused as
// stale.
func checkAgainstSDK(t *testing.T, secret, header string, body []byte) {
	t.Helper()
	now := time.Unix(0, 0)
	if unix, ok := tsOf(header); ok {
		now = time.Unix(unix, 0)
	}
	m := sdkGrammar.FindStringSubmatch(strings.TrimSpace(header))
	ours := Verifier{Secrets: []string{secret}}.Verify(header, body, now) == nil
	theirs := sdkVerify(t, secret, header, body)
	switch {
	case ours == theirs:
	case ours && m == nil:
		// More complete, not looser: an h1 in the header must really be
		// the MAC of this ts and body.
		if !strings.Contains(header, "h1="+macHex(secret, header, body)) {
			t.Fatalf("we accept a header with no valid h1: secret=%q header=%q body=%q", secret, header, body)
		}
	case ours:
		t.Fatalf("we accept a single-h1 header paddle-go-sdk rejects: secret=%q header=%q body=%q", secret, header, body)
	case secret == "": // ruleEmptySecret
	case m != nil && len(m[1]) > 19 || m != nil && !fitsInt64(m[1]): // ruleTimestampFits
	default:
		t.Fatalf("paddle-go-sdk accepts what we reject, and no rule explains it: secret=%q header=%q body=%q", secret, header, body)
	}
}

// tsOf returns the first "ts=<digits>" field of a header, read without the
// verifier's parser.
func tsOf(header string) (int64, bool) {
	for _, field := range strings.Split(strings.TrimSpace(header), ";") {
		if digits, ok := strings.CutPrefix(field, "ts="); ok {
			unix, err := strconv.ParseInt(digits, 10, 64)
			return unix, err == nil
		}
	}
	return 0, false
}

func fitsInt64(digits string) bool {
	_, err := strconv.ParseInt(digits, 10, 64)
	return err == nil
}

// macHex is the h1 this header's own ts should carry for body under secret.
func macHex(secret, header string, body []byte) string {
	var sig signature
	if parseHeader(strings.TrimSpace(header), &sig) != nil {
		return "unparseable"
	}
	return hmacHex(secret, sig.ts, body)
}

func hmacHex(secret, ts string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + ":"))
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

// header derives a Paddle-Signature from a correct one: mode picks the
// mutation, pos where it applies. Mode 0 keeps it intact.
func header(secret string, ts int64, body []byte, mode, pos uint8) string {
	good := Sign(secret, time.Unix(ts, 0), body)
	tsPart, h1Part, _ := strings.Cut(good, ";")
	digits := strings.TrimPrefix(h1Part, "h1=")
	i := int(pos) % len(digits)
	switch mode % 11 {
	case 1:
		c := byte('0')
		if digits[i] == '0' {
			c = '1'
		}
		return tsPart + ";h1=" + digits[:i] + string(c) + digits[i+1:]
	case 2:
		return tsPart + ";h1=" + strings.ToUpper(digits)
	case 3:
		return tsPart + ";h1=" + digits[:i]
	case 4:
		return "ts=" + strconv.FormatInt(ts+1, 10) + ";" + h1Part
	case 5:
		return h1Part + ";" + tsPart
	case 6:
		return good + ";h2=" + digits
	case 7:
		return tsPart + ";h1=" + strings.Repeat("0", 64) + ";" + h1Part
	case 8:
		return " " + good + " "
	case 9:
		return ""
	case 10:
		// Several h1, none valid: a rotation header whose every MAC is
		// wrong (the right digits with one changed, and zeros).
		c := byte('0')
		if digits[i] == '0' {
			c = '1'
		}
		return tsPart + ";h1=" + digits[:i] + string(c) + digits[i+1:] + ";h1=" + strings.Repeat("0", 64)
	}
	return good
}

func TestAgreesWithPaddleSDK(t *testing.T) {
	// The public vectors' secrets and bodies, plus edge cases of our own.
	bodies := [][]byte{{}, []byte("\x00\xff")}
	secrets := []string{"k"}
	for _, vec := range vectors.Load(t).Paddle {
		bodies = append(bodies, []byte(vec.Body))
		secrets = append(secrets, vec.Secrets...)
	}
	for _, secret := range secrets {
		for _, body := range bodies {
			for mode := range uint8(11) {
				for _, pos := range []uint8{0, 33, 63} {
					checkAgainstSDK(t, secret, header(secret, 1710929255, body, mode, pos), body)
				}
			}
		}
	}
}

// TestDiffersFromPaddleSDK names each rule with a case on which the two
// verifiers differ, so a change on either side shows up here.
func TestDiffersFromPaddleSDK(t *testing.T) {
	body := []byte(`{"event_id":"evt_1","event_type":"price.created"}`)
	ts := time.Unix(1710929255, 0)
	good := Sign("k", ts, body)
	_, h1, _ := strings.Cut(good, ";")
	stricter := []struct {
		rule    string
		secret  string
		header  string
		now     time.Time
		wantErr error
	}{
		{ruleReplayWindow, "k", good, ts.Add(time.Hour), ErrStaleTimestamp},
		{ruleReplayWindow, "k", good, ts.Add(-time.Hour), ErrStaleTimestamp},
		{ruleEmptySecret, "", Sign("", ts, body), ts, ErrNoSecret},
		{ruleTimestampFits, "k", "ts=99999999999999999999;h1=" + hmacHex("k", "99999999999999999999", body), ts, ErrMalformedSignature},
	}
	for _, tt := range stricter {
		t.Run(tt.rule, func(t *testing.T) {
			require.True(t, sdkVerify(t, tt.secret, tt.header, body), "paddle-go-sdk accepts it")
			assert.ErrorIs(t, Verifier{Secrets: []string{tt.secret}}.Verify(tt.header, body, tt.now), tt.wantErr)
		})
	}
	for _, hdr := range []string{
		"ts=1710929255;h1=" + strings.Repeat("0", 64) + ";" + h1,
		good + ";h2=future",
		h1 + ";ts=1710929255",
	} {
		t.Run(ruleSeveralH1, func(t *testing.T) {
			assert.False(t, sdkVerify(t, "k", hdr, body), "paddle-go-sdk rejects it")
			assert.NoError(t, Verifier{Secrets: []string{"k"}}.Verify(hdr, body, ts))
		})
	}
}

func FuzzAgreesWithPaddleSDK(f *testing.F) {
	for _, vec := range vectors.Load(f).Paddle {
		for _, secret := range vec.Secrets {
			f.Add(secret, []byte(vec.Body), vec.Now, uint8(0), uint8(0), vec.Signature)
		}
	}
	f.Add("k", []byte("{}"), int64(0), uint8(1), uint8(5), "")
	f.Add("", []byte{}, int64(1), uint8(6), uint8(0), "")
	f.Add("k", []byte("x"), int64(1), uint8(0), uint8(0), "ts=1;h1=00")
	f.Fuzz(func(t *testing.T, secret string, body []byte, ts int64, mode, pos uint8, raw string) {
		ts = max(ts, 0) // Sign formats time.Unix; negative times are not Paddle's
		hdr := header(secret, ts, body, mode, pos)
		if raw != "" {
			hdr = raw // a header the fuzzer made up entirely
		}
		checkAgainstSDK(t, secret, hdr, body)
	})
}
