package slack

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	slackgo "github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sqsgate/sqsgate/internal/webhook/internal/vectors"
)

// The rule where this verifier is deliberately stricter than slack-go's
// SecretsVerifier. Every case where slack-go accepts and we reject must be
// it; we never accept what slack-go rejects.
const ruleTimestampDigits = "the timestamp is decimal digits only: slack-go parses a sign (and signs the text as sent, as we do)"

func slackGoVerify(secret, sig, ts string, body []byte) bool {
	h := http.Header{}
	h.Set(SignatureHeader, sig)
	h.Set(TimestampHeader, ts)
	sv, err := slackgo.NewSecretsVerifier(h, secret)
	if err != nil {
		return false
	}
	sv.Write(body)
	return sv.Ensure() == nil
}

// checkAgainstSlackGo compares verdicts at the same clock: slack-go reads
// time.Now, so both sides use it, and the headers carry a current
// timestamp unless the mutation moved it on purpose.
func checkAgainstSlackGo(t *testing.T, secret, sig, ts string, body []byte) {
	t.Helper()
	theirs := slackGoVerify(secret, sig, ts, body)
	ours := Verifier{Secrets: []string{secret}}.Verify(sig, ts, body, time.Now())
	switch {
	case (ours == nil) == theirs:
	case ours == nil:
		t.Fatalf("we accept what slack-go rejects: secret=%q sig=%q ts=%q body=%q", secret, sig, ts, body)
	case strings.HasPrefix(ts, "+") || strings.HasPrefix(ts, "-"): // ruleTimestampDigits
	case windowEdge(ts):
		// The two clock reads straddle the window's edge by nanoseconds.
	default:
		t.Fatalf("slack-go accepts what we reject (%v), and no rule explains it: secret=%q sig=%q ts=%q body=%q", ours, secret, sig, ts, body)
	}
}

func windowEdge(ts string) bool {
	n, err := strconv.ParseInt(ts, 10, 64)
	d := time.Now().Unix() - n
	return err == nil && (d >= 299 && d <= 301 || d >= -301 && d <= -299)
}

// mutate derives the two headers from a correct pair: mode picks the
// mutation, pos where it applies. Mode 0 keeps them intact.
func mutate(secret string, at time.Time, body []byte, mode, pos uint8) (string, string) {
	sig, ts := Sign(secret, at, body)
	digits := strings.TrimPrefix(sig, "v0=")
	i := int(pos) % len(digits)
	switch mode % 10 {
	case 1:
		c := byte('0')
		if digits[i] == '0' {
			c = '1'
		}
		return "v0=" + digits[:i] + string(c) + digits[i+1:], ts
	case 2:
		return "v0=" + strings.ToUpper(digits), ts
	case 3:
		return "v0=" + digits[:i], ts
	case 4:
		return sig, strconv.FormatInt(at.Unix()+1, 10)
	case 5:
		return sig, "0" + ts
	case 6:
		s, ts := Sign(secret, at.Add(-10*time.Minute), body)
		return s, ts
	case 7:
		s, ts := Sign(secret, at.Add(10*time.Minute), body)
		return s, ts
	case 8:
		return digits, ts
	case 9:
		return sig + "00", ts
	}
	return sig, ts
}

func TestAgreesWithSlackGo(t *testing.T) {
	bodies := [][]byte{{}, []byte("\x00\xff"), []byte(`{"type":"event_callback"}`)}
	secrets := []string{"8f742231b10e8888abcd99yyyzzz85a5", "s", ""}
	for _, ex := range vectors.Examples(t) {
		bodies = append(bodies, []byte(ex.Body))
	}
	now := time.Now()
	for _, secret := range secrets {
		for _, body := range bodies {
			for mode := range uint8(10) {
				for _, pos := range []uint8{0, 33, 63} {
					sig, ts := mutate(secret, now, body, mode, pos)
					checkAgainstSlackGo(t, secret, sig, ts, body)
				}
			}
		}
	}
}

// TestDiffersFromSlackGo names the rule with a case slack-go accepts and we
// reject, and shows the cases where the two agree on purpose.
func TestDiffersFromSlackGo(t *testing.T) {
	body := []byte(`{"type":"event_callback","event_id":"Ev1","event":{"type":"app_mention"}}`)
	now := time.Now()
	_, ts := Sign("s", now, body)
	signed := "v0=" + hexMAC("s", "v0:+"+ts+":", body)
	t.Run(ruleTimestampDigits, func(t *testing.T) {
		require.True(t, slackGoVerify("s", signed, "+"+ts, body))
		assert.ErrorIs(t, Verifier{Secrets: []string{"s"}}.Verify(signed, "+"+ts, body, now), ErrMalformedSignature)
	})
	t.Run("both refuse a timestamp ten minutes ahead", func(t *testing.T) {
		sig, ts := Sign("s", now.Add(10*time.Minute), body)
		assert.False(t, slackGoVerify("s", sig, ts, body))
		assert.ErrorIs(t, Verifier{Secrets: []string{"s"}}.Verify(sig, ts, body, now), ErrStaleTimestamp)
	})
	t.Run("both accept leading zeros, signed as sent", func(t *testing.T) {
		signed := "v0=" + hexMAC("s", "v0:0"+ts+":", body)
		assert.True(t, slackGoVerify("s", signed, "0"+ts, body))
		assert.NoError(t, Verifier{Secrets: []string{"s"}}.Verify(signed, "0"+ts, body, now))
	})
}

func hexMAC(secret, prefix string, body []byte) string {
	sig, _ := signWithPrefix(secret, prefix, body)
	return sig
}

func FuzzAgreesWithSlackGo(f *testing.F) {
	for _, ex := range vectors.Examples(f) {
		f.Add(ex.Secrets[0], []byte(ex.Body), uint8(0), uint8(0), "", "")
	}
	f.Add("s", []byte("x"), uint8(5), uint8(1), "", "")
	f.Add("s", []byte("x"), uint8(0), uint8(0), "v0=00", "1")
	f.Fuzz(func(t *testing.T, secret string, body []byte, mode, pos uint8, rawSig, rawTS string) {
		sig, ts := mutate(secret, time.Now(), body, mode, pos)
		if rawSig != "" {
			sig = rawSig // headers the fuzzer made up entirely
		}
		if rawTS != "" {
			ts = rawTS
		}
		checkAgainstSlackGo(t, secret, sig, ts, body)
	})
}
