package slack

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sqsgate/sqsgate/internal/webhook/internal/sigcheck"
	"github.com/sqsgate/sqsgate/internal/webhook/internal/vectors"
)

// TestExamples runs the published examples in testdata/examples.json.
func TestExamples(t *testing.T) {
	for _, ex := range vectors.Examples(t) {
		t.Run(ex.Source, func(t *testing.T) {
			err := Verifier{Secrets: ex.Secrets}.Verify(ex.Headers[SignatureHeader], ex.Headers[TimestampHeader], []byte(ex.Body), time.Unix(ex.Now, 0))
			assert.Equal(t, ex.Want, vectors.Verdict(err))
		})
	}
}

func TestVerify(t *testing.T) {
	body := []byte(`{"type":"event_callback","event_id":"Ev1","event":{"type":"app_mention"}}`)
	at := time.Unix(1531420618, 0)
	sig, ts := Sign("s1", at, body)
	digits := strings.TrimPrefix(sig, "v0=")
	tests := []struct {
		name      string
		secrets   []string
		tolerance time.Duration
		sig, ts   string
		body      []byte
		now       time.Time
		wantErr   error
	}{
		{"no secret configured", nil, 0, sig, ts, body, at, ErrNoSecret},
		{"only empty secrets", []string{""}, 0, sig, ts, body, at, ErrNoSecret},
		{"missing signature", []string{"s1"}, 0, "", ts, body, at, ErrMissingSignature},
		{"missing timestamp", []string{"s1"}, 0, sig, "", body, at, ErrMissingSignature},
		{"no v0= prefix", []string{"s1"}, 0, digits, ts, body, at, ErrMalformedSignature},
		{"V0= in capitals", []string{"s1"}, 0, "V0=" + digits, ts, body, at, ErrMalformedSignature},
		{"63 digits", []string{"s1"}, 0, "v0=" + digits[:63], ts, body, at, ErrMalformedSignature},
		{"not hex", []string{"s1"}, 0, "v0=" + digits[:62] + "zz", ts, body, at, ErrMalformedSignature},
		{"timestamp with a sign", []string{"s1"}, 0, sig, "+" + ts, body, at, ErrMalformedSignature},
		{"timestamp in milliseconds with a fraction", []string{"s1"}, 0, sig, ts + ".0", body, at, ErrMalformedSignature},
		{"timestamp of 20 digits", []string{"s1"}, 0, sig, "15314206180000000000", body, at, ErrMalformedSignature},
		{"stale", []string{"s1"}, 0, sig, ts, body, at.Add(301 * time.Second), ErrStaleTimestamp},
		{"future", []string{"s1"}, 0, sig, ts, body, at.Add(-301 * time.Second), ErrStaleTimestamp},
		{"stale by a nanosecond", []string{"s1"}, 0, sig, ts, body, at.Add(300*time.Second + 1), ErrStaleTimestamp},
		{"stale under a custom tolerance", []string{"s1"}, 30 * time.Second, sig, ts, body, at.Add(31 * time.Second), ErrStaleTimestamp},
		{"wrong secret", []string{"s2"}, 0, sig, ts, body, at, ErrSignatureMismatch},
		{"tampered body", []string{"s1"}, 0, sig, ts, append(body, ' '), at, ErrSignatureMismatch},
		{"another timestamp", []string{"s1"}, 0, sig, "1531420619", body, at, ErrSignatureMismatch},
		{"the same timestamp with a leading zero is another signed text", []string{"s1"}, 0, sig, "0" + ts, body, at, ErrSignatureMismatch},

		{"valid", []string{"s1"}, 0, sig, ts, body, at, nil},
		{"valid, uppercase hex (slack-go decodes either case)", []string{"s1"}, 0, "v0=" + strings.ToUpper(digits), ts, body, at, nil},
		{"rotation: the second secret", []string{"", "s2", "s1"}, 0, sig, ts, body, at, nil},
		{"at the edge of the window, past", []string{"s1"}, 0, sig, ts, body, at.Add(300 * time.Second), nil},
		{"at the edge of the window, future", []string{"s1"}, 0, sig, ts, body, at.Add(-300 * time.Second), nil},
		{"valid under a custom tolerance", []string{"s1"}, 30 * time.Second, sig, ts, body, at.Add(30 * time.Second), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Verifier{Secrets: tt.secrets, Tolerance: tt.tolerance}.Verify(tt.sig, tt.ts, tt.body, tt.now)
			if tt.wantErr == nil {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, tt.wantErr)
		})
	}
}

func TestSentinelsHaveKinds(t *testing.T) {
	for err, kind := range map[error]error{
		ErrNoSecret:           sigcheck.ErrNoSecret,
		ErrMissingSignature:   sigcheck.ErrMissingSignature,
		ErrMalformedSignature: sigcheck.ErrMalformedSignature,
		ErrStaleTimestamp:     sigcheck.ErrStaleTimestamp,
		ErrSignatureMismatch:  sigcheck.ErrSignatureMismatch,
	} {
		assert.ErrorIs(t, err, kind)
		assert.True(t, strings.HasPrefix(err.Error(), "slack: "), err.Error())
	}
}

func TestSignMatchesPublishedExample(t *testing.T) {
	ex := vectors.Examples(t)[0]
	require.Equal(t, "ok", ex.Want)
	sig, ts := Sign(ex.Secrets[0], time.Unix(ex.Now, 0), []byte(ex.Body))
	assert.Equal(t, ex.Headers[SignatureHeader], sig)
	assert.Equal(t, ex.Headers[TimestampHeader], ts)
}

func TestParseEnvelope(t *testing.T) {
	tests := []struct {
		name string
		body string
		want *Envelope
	}{
		{"form-encoded (a slash command)", "token=x&command=%2Fdo", nil},
		{"not an object", `["event_callback"]`, nil},
		{"no type", `{"event_id":"Ev1","event":{"type":"app_mention"}}`, nil},
		{"url_verification without a challenge", `{"type":"url_verification","token":"t"}`, nil},
		{"event_callback without event_id", `{"type":"event_callback","event":{"type":"app_mention"}}`, nil},
		{"event_callback without event.type", `{"type":"event_callback","event_id":"Ev1","event":{}}`, nil},
		{"url_verification", `{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`,
			&Envelope{Type: "url_verification", Challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}},
		{"event_callback", `{"token":"XXYYZZ","team_id":"T123ABC456","api_app_id":"A123ABC456","event":{"type":"app_mention","user":"U123ABC456","text":"hi"},"type":"event_callback","event_id":"Ev123ABC456","event_time":1515449522}`,
			&Envelope{Type: "event_callback", EventID: "Ev123ABC456", Event: struct {
				Type string `json:"type"`
			}{"app_mention"}}},
		{"app_rate_limited: another envelope type, read as it is", `{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","type":"app_rate_limited","team_id":"T123456","minute_rate_limited":1518467820,"api_app_id":"A123456"}`,
			&Envelope{Type: "app_rate_limited"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseEnvelope([]byte(tt.body))
			if tt.want == nil {
				assert.ErrorIs(t, err, ErrMalformedEvent)
				assert.Equal(t, Envelope{}, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, *tt.want, got)
		})
	}
}

// signWithPrefix is the hex HMAC of prefix + body, for signed texts Sign
// would not produce.
func signWithPrefix(secret, prefix string, body []byte) (string, error) {
	mac := sigcheck.Compute([]byte(secret), []byte(prefix), body)
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 64)
	for _, c := range mac {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out), nil
}
