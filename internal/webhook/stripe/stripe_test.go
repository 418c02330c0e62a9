package stripe

import (
	"errors"
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
			err := Verifier{Secrets: ex.Secrets}.Verify(ex.Headers[SignatureHeader], []byte(ex.Body), time.Unix(ex.Now, 0))
			assert.Equal(t, ex.Want, vectors.Verdict(err))
		})
	}
}

// TestOtherSchemesVectorsDoNotApply: the shared GitHub, Paddle and Standard
// Webhooks signatures are not Stripe-Signature values; each must be refused
// as malformed, never mistaken for one.
func TestOtherSchemesVectorsDoNotApply(t *testing.T) {
	f := vectors.Load(t)
	for _, vec := range f.StandardWebhooks {
		err := Verifier{Secrets: []string{vec.Secret}}.Verify(vec.Signature, []byte(vec.Body), time.Unix(vec.Now, 0))
		assert.ErrorIs(t, err, ErrMalformedSignature, vec.Source)
	}
	for _, vec := range f.Paddle {
		err := Verifier{Secrets: vec.Secrets}.Verify(vec.Signature, []byte(vec.Body), time.Unix(vec.Now, 0))
		assert.ErrorIs(t, err, ErrMalformedSignature, vec.Source)
	}
	for _, vec := range f.GitHub {
		err := Verifier{Secrets: []string{vec.Secret}}.Verify(vec.Signature, []byte(vec.Body), time.Unix(0, 0))
		assert.ErrorIs(t, err, ErrMalformedSignature, vec.Source)
	}
}

func TestVerify(t *testing.T) {
	body := []byte(`{"id":"evt_1","type":"payment_intent.succeeded"}`)
	ts := time.Unix(1756252800, 0)
	good := Sign("whsec_k1", ts, body)
	goodV1 := strings.TrimPrefix(good, "t=1756252800,")
	otherV1 := strings.TrimPrefix(Sign("whsec_k2", ts, body), "t=1756252800,")
	digits := strings.TrimPrefix(goodV1, "v1=")
	tests := []struct {
		name      string
		secrets   []string
		tolerance time.Duration
		header    string
		body      []byte
		now       time.Time
		wantErr   error
	}{
		{"no secret configured", nil, 0, good, body, ts, ErrNoSecret},
		{"only empty secrets", []string{""}, 0, Sign("", ts, body), body, ts, ErrNoSecret},
		{"missing", []string{"whsec_k1"}, 0, "", body, ts, ErrMissingSignature},
		{"no t", []string{"whsec_k1"}, 0, goodV1, body, ts, ErrMalformedSignature},
		{"no v1", []string{"whsec_k1"}, 0, "t=1756252800,v0=" + digits, body, ts, ErrMalformedSignature},
		{"two t", []string{"whsec_k1"}, 0, "t=1756252800," + good, body, ts, ErrMalformedSignature},
		{"t with a sign", []string{"whsec_k1"}, 0, "t=+1756252800," + goodV1, body, ts, ErrMalformedSignature},
		{"t with a leading zero", []string{"whsec_k1"}, 0, "t=01756252800," + goodV1, body, ts, ErrMalformedSignature},
		{"t negative", []string{"whsec_k1"}, 0, "t=-1," + goodV1, body, ts, ErrMalformedSignature},
		{"t of 20 digits", []string{"whsec_k1"}, 0, "t=17562528000000000000," + goodV1, body, ts, ErrMalformedSignature},
		{"t empty", []string{"whsec_k1"}, 0, "t=," + goodV1, body, ts, ErrMalformedSignature},
		{"a part without =", []string{"whsec_k1"}, 0, good + ",v1", body, ts, ErrMalformedSignature},
		{"a part with two =", []string{"whsec_k1"}, 0, good + "=", body, ts, ErrMalformedSignature},
		{"an empty part", []string{"whsec_k1"}, 0, good + ",", body, ts, ErrMalformedSignature},
		{"space after a comma", []string{"whsec_k1"}, 0, "t=1756252800, " + goodV1, body, ts, ErrMalformedSignature},
		{"v1 short", []string{"whsec_k1"}, 0, "t=1756252800,v1=" + digits[:63], body, ts, ErrMalformedSignature},
		{"v1 not hex", []string{"whsec_k1"}, 0, "t=1756252800,v1=" + digits[:62] + "zz", body, ts, ErrMalformedSignature},
		{"an invalid v1 beside a valid one", []string{"whsec_k1"}, 0, good + ",v1=zz", body, ts, ErrMalformedSignature},
		{"nine v1", []string{"whsec_k1"}, 0, good + strings.Repeat(","+otherV1, 8), body, ts, ErrMalformedSignature},
		{"stale: one second past the default window", []string{"whsec_k1"}, 0, good, body, ts.Add(301 * time.Second), ErrStaleTimestamp},
		{"future: one second past the default window", []string{"whsec_k1"}, 0, good, body, ts.Add(-301 * time.Second), ErrStaleTimestamp},
		{"stale under a custom tolerance", []string{"whsec_k1"}, 10 * time.Second, good, body, ts.Add(11 * time.Second), ErrStaleTimestamp},
		{"wrong secret", []string{"whsec_k2"}, 0, good, body, ts, ErrSignatureMismatch},
		{"tampered body", []string{"whsec_k1"}, 0, good, append([]byte(" "), body...), ts, ErrSignatureMismatch},
		{"t changed", []string{"whsec_k1"}, 0, "t=1756252801," + goodV1, body, ts, ErrSignatureMismatch},
		{"signature over t:body (Paddle's form)", []string{"whsec_k1"}, 0, "t=1756252800,v1=" + hexMAC("whsec_k1", "1756252800:", body), body, ts, ErrSignatureMismatch},
		{"v0 only matches nothing", []string{"whsec_k1"}, 0, "t=1756252800,v1=" + strings.Repeat("0", 64) + ",v0=" + digits, body, ts, ErrSignatureMismatch},

		{"valid", []string{"whsec_k1"}, 0, good, body, ts, nil},
		{"valid at the edge of the window, past", []string{"whsec_k1"}, 0, good, body, ts.Add(300 * time.Second), nil},
		{"valid at the edge of the window, future", []string{"whsec_k1"}, 0, good, body, ts.Add(-300 * time.Second), nil},
		{"valid under a custom tolerance", []string{"whsec_k1"}, 10 * time.Second, good, body, ts.Add(10 * time.Second), nil},
		{"valid, uppercase hex (stripe-go decodes either case)", []string{"whsec_k1"}, 0, "t=1756252800,v1=" + strings.ToUpper(digits), body, ts, nil},
		{"rotation: the second secret", []string{"", "whsec_k2", "whsec_k1"}, 0, good, body, ts, nil},
		{"roll: the second v1", []string{"whsec_k1"}, 0, "t=1756252800," + otherV1 + "," + goodV1, body, ts, nil},
		{"v1 before t, v0 and unknown keys ignored", []string{"whsec_k1"}, 0, goodV1 + ",v0=" + digits + ",t=1756252800,v9=x", body, ts, nil},
		{"eight v1", []string{"whsec_k1"}, 0, "t=1756252800" + strings.Repeat(","+otherV1, 7) + "," + goodV1, body, ts, nil},
		{"empty body", []string{"whsec_k1"}, 0, Sign("whsec_k1", ts, nil), nil, ts, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Verifier{Secrets: tt.secrets, Tolerance: tt.tolerance}.Verify(tt.header, tt.body, tt.now)
			if tt.wantErr == nil {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, tt.wantErr)
		})
	}
}

func hexMAC(secret, prefix string, body []byte) string {
	mac := sigcheck.Compute([]byte(secret), []byte(prefix), body)
	const digits = "0123456789abcdef"
	var b strings.Builder
	for _, c := range mac {
		b.WriteByte(digits[c>>4])
		b.WriteByte(digits[c&15])
	}
	return b.String()
}

// TestSentinelsHaveKinds: the handler maps every provider's failures by
// kind, so each sentinel must carry its own.
func TestSentinelsHaveKinds(t *testing.T) {
	for err, kind := range map[error]error{
		ErrNoSecret:           sigcheck.ErrNoSecret,
		ErrMissingSignature:   sigcheck.ErrMissingSignature,
		ErrMalformedSignature: sigcheck.ErrMalformedSignature,
		ErrStaleTimestamp:     sigcheck.ErrStaleTimestamp,
		ErrSignatureMismatch:  sigcheck.ErrSignatureMismatch,
	} {
		assert.ErrorIs(t, err, kind)
		assert.True(t, strings.HasPrefix(err.Error(), "stripe: "), err.Error())
	}
}

func TestSignMatchesPublishedExample(t *testing.T) {
	for _, ex := range vectors.Examples(t) {
		if ex.Want == "ok" && ex.Now == 1756252800 && !strings.Contains(ex.Headers[SignatureHeader], ",v1=0000") {
			assert.Equal(t, ex.Headers[SignatureHeader], Sign(ex.Secrets[0], time.Unix(ex.Now, 0), []byte(ex.Body)))
			return
		}
	}
	t.Fatal("no signed example to compare with")
}

func TestParseEvent(t *testing.T) {
	tests := []struct {
		name string
		body string
		want Event
	}{
		{"not JSON", `id=evt_1`, Event{}},
		{"no id", `{"type":"charge.succeeded"}`, Event{}},
		{"no type", `{"id":"evt_1"}`, Event{}},
		{"id not a string", `{"id":1,"type":"charge.succeeded"}`, Event{}},
		{"event", `{"id":"evt_1","object":"event","type":"charge.succeeded","data":{"object":{"id":"ch_1"}}}`, Event{ID: "evt_1", Type: "charge.succeeded"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseEvent([]byte(tt.body))
			if tt.want == (Event{}) {
				require.ErrorIs(t, err, ErrMalformedEvent)
				assert.Equal(t, Event{}, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	assert.False(t, errors.Is(ErrMalformedEvent, sigcheck.ErrMalformedSignature), "a bad body after a good signature is not a signature failure")
}
