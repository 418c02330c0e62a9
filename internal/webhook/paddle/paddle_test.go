package paddle

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sqsgate/sqsgate/internal/webhook/internal/vectors"
)

// TestVectors runs every Paddle vector in the shared file with the clock at
// the vector's now and the default tolerance.
func TestVectors(t *testing.T) {
	for _, vec := range vectors.Load(t).Paddle {
		t.Run(vec.Source, func(t *testing.T) {
			require.Equal(t, SignatureHeader, vec.Header)
			err := Verifier{Secrets: vec.Secrets}.Verify(vec.Signature, []byte(vec.Body), time.Unix(vec.Now, 0))
			if vec.Valid {
				assert.NoError(t, err)
			} else {
				assert.Error(t, err)
			}
		})
	}
}

// TestStandardWebhooksVectorsDoNotApply: Paddle Billing does not use the
// Standard Webhooks scheme ("v1,<base64>" over id.timestamp.body with a
// base64 whsec_ key), so those vectors cannot verify here. What must hold is
// that such a signature is refused as malformed, never mistaken for ours.
func TestStandardWebhooksVectorsDoNotApply(t *testing.T) {
	for _, vec := range vectors.Load(t).StandardWebhooks {
		err := Verifier{Secrets: []string{vec.Secret}}.Verify(vec.Signature, []byte(vec.Body), time.Unix(vec.Now, 0))
		assert.ErrorIs(t, err, ErrMalformedSignature, vec.Source)
	}
}

func TestVerify(t *testing.T) {
	body := []byte(`{"event_id":"evt_1","event_type":"transaction.completed"}`)
	ts := time.Unix(1710929255, 0)
	good := Sign("k1", ts, body)
	goodH1 := strings.TrimPrefix(good, "ts=1710929255;")
	other := Sign("k2", ts, body)
	otherH1 := strings.TrimPrefix(other, "ts=1710929255;")
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
		{"missing", []string{"k1"}, 0, "", body, ts, ErrMissingSignature},
		{"blank", []string{"k1"}, 0, "  ", body, ts, ErrMissingSignature},
		{"no ts", []string{"k1"}, 0, goodH1, body, ts, ErrMalformedSignature},
		{"no h1", []string{"k1"}, 0, "ts=1710929255", body, ts, ErrMalformedSignature},
		{"only unknown h2", []string{"k1"}, 0, "ts=1710929255;h2=abc", body, ts, ErrMalformedSignature},
		{"two ts", []string{"k1"}, 0, "ts=1710929255;" + good, body, ts, ErrMalformedSignature},
		{"ts not digits", []string{"k1"}, 0, "ts=-1;" + goodH1, body, ts, ErrMalformedSignature},
		{"ts beyond int64", []string{"k1"}, 0, "ts=99999999999999999999;" + goodH1, body, ts, ErrMalformedSignature},
		{"h1 uppercase", []string{"k1"}, 0, strings.ToUpper(good), body, ts, ErrMalformedSignature},
		{"h1 short", []string{"k1"}, 0, good[:len(good)-2], body, ts, ErrMalformedSignature},
		{"h1 not hex", []string{"k1"}, 0, good[:len(good)-1] + "g", body, ts, ErrMalformedSignature},
		{"part without =", []string{"k1"}, 0, good + ";junk", body, ts, ErrMalformedSignature},
		{"too many h1", []string{"k1"}, 0, "ts=1710929255" + strings.Repeat(";"+otherH1, maxSignatures) + ";" + goodH1, body, ts, ErrMalformedSignature},
		{"6 s old", []string{"k1"}, 0, good, body, ts.Add(6 * time.Second), ErrStaleTimestamp},
		{"6 s in the future", []string{"k1"}, 0, good, body, ts.Add(-6 * time.Second), ErrStaleTimestamp},
		{"an hour old", []string{"k1"}, 0, good, body, ts.Add(time.Hour), ErrStaleTimestamp},
		{"outside a custom 1 s window", []string{"k1"}, time.Second, good, body, ts.Add(2 * time.Second), ErrStaleTimestamp},
		// Issue 10, defect 4: a sub-second tolerance is a window, not zero.
		// Paddle signed somewhere in the second ts names, so the window
		// is that second widened by the tolerance on each side.
		{"500 ms: 1.5 s after ts is past the signed second plus 500 ms", []string{"k1"}, 500 * time.Millisecond, good, body, ts.Add(1500 * time.Millisecond), ErrStaleTimestamp},
		{"500 ms: 0.6 s before ts", []string{"k1"}, 500 * time.Millisecond, good, body, ts.Add(-600 * time.Millisecond), ErrStaleTimestamp},
		{"1 s window: exactly 2 s after ts", []string{"k1"}, time.Second, good, body, ts.Add(2 * time.Second), ErrStaleTimestamp},
		{"ts at int64's limit is stale", []string{"k1"}, time.Hour, "ts=9223372036854775807;h1=" + hmacHex("k1", "9223372036854775807", body), body, ts, ErrStaleTimestamp},
		{"ts zero is stale", []string{"k1"}, time.Hour, "ts=0;h1=" + hmacHex("k1", "0", body), body, ts, ErrStaleTimestamp},
		{"stale is checked before the MAC", []string{"k1"}, 0, Sign("forged", ts, body), body, ts.Add(time.Minute), ErrStaleTimestamp},
		{"wrong secret", []string{"k2"}, 0, good, body, ts, ErrSignatureMismatch},
		{"several h1, none valid", []string{"k1"}, 0, other + ";h1=" + strings.Repeat("0", 64), body, ts, ErrSignatureMismatch},
		{"several h1, each from another secret", []string{"k3"}, 0, other + ";" + goodH1, body, ts, ErrSignatureMismatch},
		{"several h1, valid for another body", []string{"k1"}, 0, other + ";" + goodH1, []byte(`{}`), ts, ErrSignatureMismatch},
		{"body altered", []string{"k1"}, 0, good, []byte(`{}`), ts, ErrSignatureMismatch},
		{"ts altered", []string{"k1"}, 0, "ts=1710929256;" + goodH1, body, ts, ErrSignatureMismatch},
		{"ts with a leading zero is signed as sent", []string{"k1"}, 0, "ts=01710929255;" + goodH1, body, ts, ErrSignatureMismatch},
		{"valid", []string{"k1"}, 0, good, body, ts, nil},
		{"valid 5 s old", []string{"k1"}, 0, good, body, ts.Add(5 * time.Second), nil},
		{"valid 5 s in the future", []string{"k1"}, 0, good, body, ts.Add(-5 * time.Second), nil},
		{"valid sub-second clock", []string{"k1"}, 0, good, body, ts.Add(5*time.Second + 900*time.Millisecond), nil},
		{"valid 500 ms: 1.4 s after ts", []string{"k1"}, 500 * time.Millisecond, good, body, ts.Add(1400 * time.Millisecond), nil},
		{"valid 500 ms: 0.5 s before ts", []string{"k1"}, 500 * time.Millisecond, good, body, ts.Add(-500 * time.Millisecond), nil},
		{"valid 1 s window: 1.999 s after ts", []string{"k1"}, time.Second, good, body, ts.Add(1999 * time.Millisecond), nil},
		{"valid inside a custom 1 h window", []string{"k1"}, time.Hour, good, body, ts.Add(59 * time.Minute), nil},
		{"valid with surrounding space", []string{"k1"}, 0, " " + good + " ", body, ts, nil},
		{"valid fields reversed", []string{"k1"}, 0, goodH1 + ";ts=1710929255", body, ts, nil},
		{"rotation: second h1 matches", []string{"k1"}, 0, other + ";" + goodH1, body, ts, nil},
		{"rotation: second secret matches", []string{"k2", "k1"}, 0, good, body, ts, nil},
		{"rotation: unknown h2 ignored", []string{"k1"}, 0, good + ";h2=whatever", body, ts, nil},
		{"trailing separator", []string{"k1"}, 0, good + ";", body, ts, nil},
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

func TestParseEvent(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    Event
		wantErr error
	}{
		{"not JSON", `nope`, Event{}, ErrMalformedEvent},
		{"no event_id", `{"event_type":"a"}`, Event{}, ErrMalformedEvent},
		{"no event_type", `{"event_id":"evt_1"}`, Event{}, ErrMalformedEvent},
		{"event", `{"data":{},"event_id":"evt_1","event_type":"price.created"}`, Event{ID: "evt_1", Type: "price.created"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseEvent([]byte(tt.body))
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}
