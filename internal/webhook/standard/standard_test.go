package standard

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sqsgate/sqsgate/internal/webhook/internal/sigcheck"
	"github.com/sqsgate/sqsgate/internal/webhook/internal/vectors"
)

// headerSet picks the three values from an example's headers: webhook-*
// when present, else svix-*.
func headerSet(h map[string]string) (id, ts, sig string) {
	if _, ok := h[IDHeader]; ok || h[SvixIDHeader] == "" {
		return h[IDHeader], h[TimestampHeader], h[SignatureHeader]
	}
	return h[SvixIDHeader], h[SvixTimestampHeader], h[SvixSignatureHeader]
}

// TestExamples runs the published examples in testdata/examples.json.
func TestExamples(t *testing.T) {
	for _, ex := range vectors.Examples(t) {
		t.Run(ex.Source, func(t *testing.T) {
			id, ts, sig := headerSet(ex.Headers)
			scheme, err := Verifier{Secrets: ex.Secrets}.Verify(id, ts, sig, []byte(ex.Body), time.Unix(ex.Now, 0))
			assert.Equal(t, ex.Want, vectors.Verdict(err))
			assert.Equal(t, ex.Scheme, scheme)
		})
	}
}

// TestSharedVectors runs the Standard Webhooks vectors in the shared file.
func TestSharedVectors(t *testing.T) {
	for _, vec := range vectors.Load(t).StandardWebhooks {
		t.Run(vec.Source, func(t *testing.T) {
			scheme, err := Verifier{Secrets: []string{vec.Secret}}.Verify(vec.ID, strconv.FormatInt(vec.Timestamp, 10), vec.Signature, []byte(vec.Body), time.Unix(vec.Now, 0))
			if vec.Valid {
				assert.NoError(t, err)
				assert.Equal(t, V1, scheme)
				return
			}
			assert.ErrorIs(t, err, ErrSignatureMismatch)
		})
	}
}

// testKeys are a fixed whsec_ secret and Ed25519 key pair.
func testKeys() (secret string, priv ed25519.PrivateKey, pub string) {
	seed := sha256.Sum256([]byte("sqsgate standard test key"))
	priv = ed25519.NewKeyFromSeed(seed[:])
	return "whsec_" + base64.StdEncoding.EncodeToString([]byte("0123456789abcdef01234567")), priv, PublicKey(priv.Public().(ed25519.PublicKey))
}

func TestVerify(t *testing.T) {
	secret, priv, pub := testKeys()
	_, otherPriv, otherPub := func() (string, ed25519.PrivateKey, string) {
		seed := sha256.Sum256([]byte("another key"))
		p := ed25519.NewKeyFromSeed(seed[:])
		return "", p, PublicKey(p.Public().(ed25519.PublicKey))
	}()
	const id = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"
	body := []byte(`{"type":"contact.created","data":{}}`)
	at := time.Unix(1674087231, 0)
	ts := "1674087231"
	v1, err := Sign(secret, id, at, body)
	require.NoError(t, err)
	v1a := SignEd25519(priv, id, at, body)
	otherV1, _ := Sign("whsec_"+base64.StdEncoding.EncodeToString([]byte("other")), id, at, body)
	otherV1a := SignEd25519(otherPriv, id, at, body)
	require.True(t, strings.ContainsAny(v1, "+/"), "the URL-safe case needs a signature that differs in that alphabet")
	tests := []struct {
		name       string
		secrets    []string
		tolerance  time.Duration
		id, ts     string
		sig        string
		body       []byte
		now        time.Time
		wantScheme string
		wantErr    error
	}{
		{"no secret configured", nil, 0, id, ts, v1, body, at, "", ErrNoSecret},
		{"a whsec_ secret that is not base64", []string{"whsec_!!"}, 0, id, ts, v1, body, at, "", ErrNoSecret},
		{"an empty whsec_ key", []string{"whsec_"}, 0, id, ts, v1, body, at, "", ErrNoSecret},
		{"a secret without its prefix", []string{strings.TrimPrefix(secret, "whsec_")}, 0, id, ts, v1, body, at, "", ErrNoSecret},
		{"a whpk_ key of 31 bytes", []string{"whpk_" + base64.StdEncoding.EncodeToString(make([]byte, 31))}, 0, id, ts, v1a, body, at, "", ErrNoSecret},
		{"a whsk_ private key", []string{"whsk_" + base64.StdEncoding.EncodeToString(priv)}, 0, id, ts, v1a, body, at, "", ErrNoSecret},
		{"missing id", []string{secret}, 0, "", ts, v1, body, at, "", ErrMissingSignature},
		{"missing timestamp", []string{secret}, 0, id, "", v1, body, at, "", ErrMissingSignature},
		{"missing signature", []string{secret}, 0, id, ts, "", body, at, "", ErrMissingSignature},
		{"id with a full stop", []string{secret}, 0, "msg.1", ts, v1, body, at, "", ErrMalformedSignature},
		{"timestamp with a sign", []string{secret}, 0, id, "+" + ts, v1, body, at, "", ErrMalformedSignature},
		{"timestamp with a leading zero", []string{secret}, 0, id, "0" + ts, v1, body, at, "", ErrMalformedSignature},
		{"timestamp in milliseconds with a fraction", []string{secret}, 0, id, ts + ".5", v1, body, at, "", ErrMalformedSignature},
		{"no well-formed entry", []string{secret}, 0, id, ts, "v1,abc v1a,abc v2," + strings.TrimPrefix(v1, "v1,"), body, at, "", ErrMalformedSignature},
		{"v1 without padding", []string{secret}, 0, id, ts, strings.TrimSuffix(v1, "="), body, at, "", ErrMalformedSignature},
		{"v1 in URL-safe base64", []string{secret}, 0, id, ts, strings.NewReplacer("+", "-", "/", "_").Replace(v1) + " v1,bad", body, at, "", ErrMalformedSignature},
		{"nine entries", []string{secret}, 0, id, ts, strings.Repeat(otherV1+" ", 8) + v1, body, at, "", ErrMalformedSignature},
		{"stale: one second past the window", []string{secret}, 0, id, ts, v1, body, at.Add(301 * time.Second), "", ErrStaleTimestamp},
		{"future: one second past the window", []string{secret}, 0, id, ts, v1, body, at.Add(-301 * time.Second), "", ErrStaleTimestamp},
		{"stale by a nanosecond", []string{secret}, 0, id, ts, v1, body, at.Add(300*time.Second + 1), "", ErrStaleTimestamp},
		{"stale under a custom tolerance", []string{secret}, time.Minute, id, ts, v1, body, at.Add(61 * time.Second), "", ErrStaleTimestamp},
		{"wrong secret", []string{"whsec_" + base64.StdEncoding.EncodeToString([]byte("other"))}, 0, id, ts, otherV1a, body, at, "", ErrSignatureMismatch},
		{"v1 signature, only a public key", []string{pub}, 0, id, ts, v1, body, at, "", ErrSignatureMismatch},
		{"v1a signature, only a shared secret", []string{secret}, 0, id, ts, v1a, body, at, "", ErrSignatureMismatch},
		{"v1a by another key", []string{pub}, 0, id, ts, otherV1a, body, at, "", ErrSignatureMismatch},
		{"v1a over another id", []string{pub}, 0, "msg_other", ts, v1a, body, at, "", ErrSignatureMismatch},
		{"v1 over another timestamp", []string{secret}, 0, id, "1674087232", v1, body, at, "", ErrSignatureMismatch},
		{"tampered body", []string{secret, pub}, 0, id, ts, v1 + " " + v1a, append(body, ' '), at, "", ErrSignatureMismatch},
		{"the v1a bytes labelled v1", []string{secret, pub}, 0, id, ts, "v1," + strings.TrimPrefix(v1a, "v1a,"), body, at, "", ErrMalformedSignature},

		{"v1", []string{secret}, 0, id, ts, v1, body, at, V1, nil},
		{"v1a", []string{pub}, 0, id, ts, v1a, body, at, V1a, nil},
		{"both, both keys: v1 is checked first", []string{pub, secret}, 0, id, ts, v1a + " " + v1, body, at, V1, nil},
		{"both, only the public key", []string{pub}, 0, id, ts, v1 + " " + v1a, body, at, V1a, nil},
		{"rotation: the second public key", []string{otherPub, pub}, 0, id, ts, v1a, body, at, V1a, nil},
		{"rotation: the second entry", []string{secret}, 0, id, ts, otherV1 + " " + v1, body, at, V1, nil},
		{"unusable secrets beside a good one are skipped", []string{"", "whsec_!!", "plain", secret}, 0, id, ts, v1, body, at, V1, nil},
		{"malformed and unknown entries skipped", []string{secret}, 0, id, ts, "  v2,xyz v1 v1,not,base64 " + v1 + " ", body, at, V1, nil},
		{"eight entries", []string{secret}, 0, id, ts, strings.Repeat(otherV1+" ", 7) + v1, body, at, V1, nil},
		{"at the edge of the window, past", []string{secret}, 0, id, ts, v1, body, at.Add(300 * time.Second), V1, nil},
		{"at the edge of the window, future", []string{pub}, 0, id, ts, v1a, body, at.Add(-300 * time.Second), V1a, nil},
		{"empty body", []string{pub}, 0, id, ts, SignEd25519(priv, id, at, nil), nil, at, V1a, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			scheme, err := Verifier{Secrets: tt.secrets, Tolerance: tt.tolerance}.Verify(tt.id, tt.ts, tt.sig, tt.body, tt.now)
			assert.Equal(t, tt.wantScheme, scheme)
			if tt.wantErr == nil {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, tt.wantErr)
		})
	}
}

// TestLargeBodyReusesBuffer: v1a assembles the message in a pooled buffer;
// a smaller message after a larger one must still verify exactly.
func TestLargeBodyReusesBuffer(t *testing.T) {
	_, priv, pub := testKeys()
	at := time.Unix(1674087231, 0)
	big := []byte(strings.Repeat("x", 1<<20))
	small := []byte(`{"type":"a"}`)
	v := Verifier{Secrets: []string{pub}}
	for _, body := range [][]byte{big, small, big[:100], small} {
		scheme, err := v.Verify("msg_1", "1674087231", SignEd25519(priv, "msg_1", at, body), body, at)
		require.NoError(t, err)
		assert.Equal(t, V1a, scheme)
		_, err = v.Verify("msg_1", "1674087231", SignEd25519(priv, "msg_1", at, body), append(body[:len(body):len(body)], 'y'), at)
		assert.ErrorIs(t, err, ErrSignatureMismatch)
	}
}

func TestSign(t *testing.T) {
	_, err := Sign("not-a-secret", "msg_1", time.Unix(1, 0), nil)
	assert.ErrorIs(t, err, ErrNoSecret)
	vec := vectors.Load(t).StandardWebhooks[0]
	got, err := Sign(vec.Secret, vec.ID, time.Unix(vec.Timestamp, 0), []byte(vec.Body))
	require.NoError(t, err)
	assert.Equal(t, vec.Signature, got, vec.Source)
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
		assert.True(t, strings.HasPrefix(err.Error(), "standard: "), err.Error())
	}
}

func TestParseEvent(t *testing.T) {
	for _, body := range []string{`not json`, `{}`, `{"type":""}`, `{"type":7}`, `["type"]`} {
		_, err := ParseEvent([]byte(body))
		assert.ErrorIs(t, err, ErrMalformedEvent, body)
	}
	e, err := ParseEvent([]byte(`{"type":"contact.created","timestamp":"2022-11-03T20:26:10.344522Z","data":{"id":"1"}}`))
	require.NoError(t, err)
	assert.Equal(t, "contact.created", e.Type)
}

func hmacSum(key []byte, prefix string, body []byte) []byte {
	mac := sigcheck.Compute(key, []byte(prefix), body)
	return mac[:]
}
