package standard

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	svix "github.com/svix/svix-webhooks/go"

	"github.com/sqsgate/sqsgate/internal/webhook/internal/vectors"
)

// The rules where this verifier is deliberately stricter than the reference
// library (standard-webhooks/libraries/go) or Svix's (svix-webhooks/go).
// Neither library knows v1a, so the comparison is of v1 with whsec_
// secrets; every case where a library accepts and we reject must be one of
// these, and we never accept what the reference library rejects.
const (
	ruleTimestampDigits = "the timestamp is plain decimal digits: both libraries accept a sign or leading zeros, then sign the re-formatted number"
	ruleIDFullStop      = "the id holds no '.': the spec asks senders for that since '.' separates the signed fields; both libraries sign any id"
	ruleMaxSignatures   = "at most 8 well-formed entries are checked: both libraries check any number"
	ruleEmptyKey        = "an empty key is no secret: svix-webhooks computes an HMAC with the empty key of a bare \"whsec_\""
	ruleExactEntry      = "an entry is exactly \"<version>,<base64>\": svix-webhooks reads \"v1,<sig>,extra\" as v1,<sig> (the reference library refuses it too)"
)

// stricterRule returns the rule explaining why we reject a delivery a
// library accepts, or "".
func stricterRule(secret, id, ts, sig string) string {
	switch {
	case secret == SecretPrefix:
		return ruleEmptyKey
	case strings.Contains(id, "."):
		return ruleIDFullStop
	}
	if _, err := strconv.ParseInt(ts, 10, 64); err == nil {
		if n, _ := strconv.ParseInt(ts, 10, 64); strconv.FormatInt(n, 10) != ts || n < 0 {
			return ruleTimestampDigits
		}
	}
	wellFormed := 0
	for _, entry := range strings.Split(sig, " ") {
		version, value, ok := strings.Cut(entry, ",")
		if !ok {
			continue
		}
		if v, _, extra := strings.Cut(value, ","); extra && version == V1 {
			if b, err := base64.StdEncoding.DecodeString(v); err == nil && len(b) == 32 {
				return ruleExactEntry
			}
		}
		if b, err := base64.StdEncoding.Strict().DecodeString(value); err == nil && (version == V1 && len(b) == 32 || version == V1a && len(b) == 64) {
			wellFormed++
		}
	}
	if wellFormed > maxSignatures {
		return ruleMaxSignatures
	}
	return ""
}

func libHeaders(id, ts, sig string) http.Header {
	h := http.Header{}
	for k, v := range map[string]string{IDHeader: id, TimestampHeader: ts, SignatureHeader: sig} {
		if v != "" {
			h.Set(k, v)
		}
	}
	return h
}

// checkAgainstLibraries compares verdicts with our clock at the signed
// timestamp and the libraries ignoring theirs (they read time.Now).
func checkAgainstLibraries(t *testing.T, secret, id, ts, sig string, body []byte) {
	t.Helper()
	now := time.Unix(0, 0)
	if n, err := strconv.ParseInt(ts, 10, 64); err == nil {
		now = time.Unix(n, 0)
	}
	_, err := Verifier{Secrets: []string{secret}}.Verify(id, ts, sig, body, now)
	ours := err == nil
	ref := false
	if wh, err := standardwebhooks.NewWebhook(secret); err == nil {
		ref = wh.VerifyIgnoringTimestamp(body, libHeaders(id, ts, sig)) == nil
	}
	sv := false
	if wh, err := svix.NewWebhook(secret); err == nil {
		sv = wh.VerifyIgnoringTimestamp(body, libHeaders(id, ts, sig)) == nil
	}
	if ours && !ref {
		t.Fatalf("we accept what the reference library rejects: secret=%q id=%q ts=%q sig=%q body=%q", secret, id, ts, sig, body)
	}
	if ours && !sv {
		t.Fatalf("we accept what svix-webhooks rejects: secret=%q id=%q ts=%q sig=%q body=%q", secret, id, ts, sig, body)
	}
	if !ours && (ref || sv) && stricterRule(secret, id, ts, sig) == "" {
		t.Fatalf("a library accepts (reference %t, svix %t) what we reject (%v), and no rule explains it: secret=%q id=%q ts=%q sig=%q body=%q", ref, sv, err, secret, id, ts, sig, body)
	}
}

// mutate derives a webhook-signature and the values it covers from a
// correct v1: mode picks the mutation, pos where it applies. Mode 0 keeps
// it intact.
func mutate(secret, id string, ts int64, body []byte, mode, pos uint8) (string, string, string) {
	tsText := strconv.FormatInt(ts, 10)
	good, err := Sign(secret, id, time.Unix(ts, 0), body)
	if err != nil {
		good = "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	}
	value := strings.TrimPrefix(good, "v1,")
	i := int(pos) % len(value)
	switch mode % 13 {
	case 1:
		c := byte('A')
		if value[i] == 'A' {
			c = 'B'
		}
		return id, tsText, "v1," + value[:i] + string(c) + value[i+1:]
	case 2:
		return id, tsText, strings.TrimRight(good, "=")
	case 3:
		return id, tsText, "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= " + good
	case 4:
		return id, tsText, "v2," + value
	case 5:
		return id, tsText, good + ",extra"
	case 6:
		return id, strconv.FormatInt(ts+1, 10), good
	case 7:
		return id, "0" + tsText, good
	case 8:
		sig, _ := Sign(secret, id+".x", time.Unix(ts, 0), body)
		return id + ".x", tsText, sig
	case 9:
		return id, tsText, strings.Repeat(good+" ", 9)
	case 10:
		return id, tsText, "v1a," + value
	case 11:
		return id, tsText, ",,, v1,not,base64  v1 " + good
	case 12:
		return id, tsText, ""
	}
	return id, tsText, good
}

func TestAgreesWithLibraries(t *testing.T) {
	secrets := []string{"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_" + base64.StdEncoding.EncodeToString([]byte{0}), "whsec_"}
	bodies := [][]byte{{}, []byte("\x00\xff"), []byte(`{"type":"a.b"}`)}
	ids := []string{"msg_p5jXN8AQM9LWM0D4loKWxJek", "x"}
	for _, ex := range vectors.Examples(t) {
		bodies = append(bodies, []byte(ex.Body))
		id, ts, sig := headerSet(ex.Headers)
		for _, secret := range ex.Secrets {
			if strings.HasPrefix(secret, SecretPrefix) {
				checkAgainstLibraries(t, secret, id, ts, sig, []byte(ex.Body))
			}
		}
	}
	for _, secret := range secrets {
		for _, id := range ids {
			for _, body := range bodies {
				for mode := range uint8(13) {
					for _, pos := range []uint8{0, 20, 43} {
						id, ts, sig := mutate(secret, id, 1614265330, body, mode, pos)
						checkAgainstLibraries(t, secret, id, ts, sig, body)
					}
				}
			}
		}
	}
}

// TestDiffersFromLibraries names each rule with a case a library accepts and
// we reject, so a change on either side shows up here.
func TestDiffersFromLibraries(t *testing.T) {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	body := []byte(`{"type":"contact.created"}`)
	now := time.Now().Truncate(time.Second)
	ts := strconv.FormatInt(now.Unix(), 10)
	good, err := Sign(secret, "msg_1", now, body)
	require.NoError(t, err)
	dotted, _ := Sign(secret, "msg.1", now, body)
	tests := []struct {
		rule        string
		secret      string
		id, ts, sig string
		ref, svix   bool // which library accepts it
		wantErr     error
	}{
		{ruleTimestampDigits, secret, "msg_1", "0" + ts, good, true, true, ErrMalformedSignature},
		{ruleTimestampDigits, secret, "msg_1", "+" + ts, good, true, true, ErrMalformedSignature},
		{ruleIDFullStop, secret, "msg.1", ts, dotted, true, true, ErrMalformedSignature},
		{ruleMaxSignatures, secret, "msg_1", ts, strings.Repeat(good+" ", 9), true, true, ErrMalformedSignature},
		{ruleExactEntry, secret, "msg_1", ts, good + ",extra", false, true, ErrMalformedSignature},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			ref, err := standardwebhooks.NewWebhook(tt.secret)
			require.NoError(t, err)
			assert.Equal(t, tt.ref, ref.Verify(body, libHeaders(tt.id, tt.ts, tt.sig)) == nil, "reference library")
			sv, err := svix.NewWebhook(tt.secret)
			require.NoError(t, err)
			assert.Equal(t, tt.svix, sv.Verify(body, libHeaders(tt.id, tt.ts, tt.sig)) == nil, "svix-webhooks")
			_, err = Verifier{Secrets: []string{tt.secret}}.Verify(tt.id, tt.ts, tt.sig, body, now)
			assert.ErrorIs(t, err, tt.wantErr)
			assert.Equal(t, tt.rule, stricterRule(tt.secret, tt.id, tt.ts, tt.sig))
		})
	}
	t.Run(ruleEmptyKey, func(t *testing.T) {
		sv, err := svix.NewWebhook(SecretPrefix)
		require.NoError(t, err)
		sig := "v1," + base64.StdEncoding.EncodeToString(hmacSum(nil, "msg_1."+ts+".", body))
		assert.NoError(t, sv.Verify(body, libHeaders("msg_1", ts, sig)), "svix-webhooks accepts an HMAC under the empty key")
		_, err = standardwebhooks.NewWebhook(SecretPrefix)
		assert.ErrorIs(t, err, standardwebhooks.ErrEmptySecret)
		_, err = Verifier{Secrets: []string{SecretPrefix}}.Verify("msg_1", ts, sig, body, now)
		assert.ErrorIs(t, err, ErrNoSecret)
	})
	t.Run("svix-* headers: svix-webhooks reads them, with the same verdict", func(t *testing.T) {
		sv, _ := svix.NewWebhook(secret)
		h := http.Header{}
		h.Set(SvixIDHeader, "msg_1")
		h.Set(SvixTimestampHeader, ts)
		h.Set(SvixSignatureHeader, good)
		assert.NoError(t, sv.Verify(body, h))
		_, err := Verifier{Secrets: []string{secret}}.Verify(h.Get(SvixIDHeader), h.Get(SvixTimestampHeader), h.Get(SvixSignatureHeader), body, now)
		assert.NoError(t, err)
	})
	t.Run("the libraries' own signatures verify here", func(t *testing.T) {
		ref, _ := standardwebhooks.NewWebhook(secret)
		refSig, err := ref.Sign("msg_1", now, body)
		require.NoError(t, err)
		sv, _ := svix.NewWebhook(secret)
		svSig, err := sv.Sign("msg_1", now, body)
		require.NoError(t, err)
		for _, sig := range []string{refSig, svSig} {
			scheme, err := Verifier{Secrets: []string{secret}}.Verify("msg_1", ts, sig, body, now)
			assert.NoError(t, err)
			assert.Equal(t, V1, scheme)
			assert.Equal(t, good, sig)
		}
	})
	t.Run("the window agrees with the reference library at its bounds", func(t *testing.T) {
		ref, _ := standardwebhooks.NewWebhook(secret)
		for _, d := range []time.Duration{-10 * time.Minute, 10 * time.Minute} {
			at := time.Now().Add(d)
			sig, _ := Sign(secret, "msg_1", at, body)
			h := libHeaders("msg_1", strconv.FormatInt(at.Unix(), 10), sig)
			assert.Error(t, ref.Verify(body, h))
			_, err := Verifier{Secrets: []string{secret}}.Verify("msg_1", h.Get(TimestampHeader), sig, body, time.Now())
			assert.ErrorIs(t, err, ErrStaleTimestamp)
		}
	})
}

func FuzzAgreesWithLibraries(f *testing.F) {
	for _, vec := range vectors.Load(f).StandardWebhooks {
		f.Add([]byte("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), vec.ID, vec.Timestamp, []byte(vec.Body), uint8(0), uint8(0), vec.Signature)
	}
	f.Add([]byte{}, "msg_1", int64(1), []byte("{}"), uint8(5), uint8(3), "")
	f.Add([]byte{1, 2, 3}, "a.b", int64(1614265330), []byte("x"), uint8(8), uint8(0), "")
	f.Add([]byte{1}, "m", int64(5), []byte("x"), uint8(0), uint8(0), "v1,AAAA v1a,BBBB")
	f.Fuzz(func(t *testing.T, key []byte, id string, ts int64, body []byte, mode, pos uint8, raw string) {
		ts = max(ts, 0)
		secret := SecretPrefix + base64.StdEncoding.EncodeToString(key)
		id, tsText, sig := mutate(secret, id, ts, body, mode, pos)
		if raw != "" {
			sig = raw // a header the fuzzer made up entirely
		}
		checkAgainstLibraries(t, secret, id, tsText, sig, body)
	})
}
