package shopify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sqsgate/sqsgate/internal/webhook/internal/sigcheck"
	"github.com/sqsgate/sqsgate/internal/webhook/internal/vectors"
)

// TestExamples runs the published examples in testdata/examples.json.
func TestExamples(t *testing.T) {
	for _, ex := range vectors.Examples(t) {
		t.Run(ex.Source, func(t *testing.T) {
			err := Verifier{Secrets: ex.Secrets}.Verify(ex.Headers[SignatureHeader], []byte(ex.Body))
			assert.Equal(t, ex.Want, vectors.Verdict(err))
		})
	}
}

// TestOtherSchemesVectorsDoNotApply: GitHub's hex signatures and Standard
// Webhooks' "v1,<base64>" entries are not Shopify values; each is refused
// as malformed.
func TestOtherSchemesVectorsDoNotApply(t *testing.T) {
	f := vectors.Load(t)
	for _, vec := range f.GitHub {
		assert.ErrorIs(t, Verifier{Secrets: []string{vec.Secret}}.Verify(vec.Signature, []byte(vec.Body)), ErrMalformedSignature, vec.Source)
	}
	for _, vec := range f.StandardWebhooks {
		assert.ErrorIs(t, Verifier{Secrets: []string{vec.Secret}}.Verify(vec.Signature, []byte(vec.Body)), ErrMalformedSignature, vec.Source)
	}
}

func TestVerify(t *testing.T) {
	body := []byte(`{"id":820982911946154508,"email":"jon@example.com"}`)
	good := Sign("s1", body)
	raw, _ := base64.StdEncoding.DecodeString(good)
	tests := []struct {
		name    string
		secrets []string
		sig     string
		body    []byte
		wantErr error
	}{
		{"no secret configured", nil, good, body, ErrNoSecret},
		{"only empty secrets", []string{""}, Sign("", body), body, ErrNoSecret},
		{"missing", []string{"s1"}, "", body, ErrMissingSignature},
		{"hex instead of base64", []string{"s1"}, hexOf(raw), body, ErrMalformedSignature},
		{"unpadded", []string{"s1"}, strings.TrimRight(good, "="), body, ErrMalformedSignature},
		{"URL-safe alphabet", []string{"s1"}, base64.URLEncoding.EncodeToString(raw), body, urlSafe(good)},
		{"31 bytes", []string{"s1"}, base64.StdEncoding.EncodeToString(raw[:31]), body, ErrMalformedSignature},
		{"33 bytes", []string{"s1"}, base64.StdEncoding.EncodeToString(append(raw, 0)), body, ErrMalformedSignature},
		{"with a line break", []string{"s1"}, good[:20] + "\n" + good[20:43], body, ErrMalformedSignature},
		{"non-zero padding bits", []string{"s1"}, flipPadding(good), body, ErrMalformedSignature},
		{"a sha256= prefix", []string{"s1"}, "sha256=" + good, body, ErrMalformedSignature},
		{"wrong secret", []string{"s2"}, good, body, ErrSignatureMismatch},
		{"tampered body", []string{"s1"}, good, append(body, ' '), ErrSignatureMismatch},

		{"valid", []string{"s1"}, good, body, nil},
		{"rotation: the second secret", []string{"", "s2", "s1"}, good, body, nil},
		{"empty body", []string{"s1"}, Sign("s1", nil), nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Verifier{Secrets: tt.secrets}.Verify(tt.sig, tt.body)
			if tt.wantErr == nil {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, tt.wantErr)
		})
	}
}

func hexOf(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

// urlSafe is the verdict for the URL-safe form of good: the same text when
// good has neither '+' nor '/', else not base64 at all here.
func urlSafe(good string) error {
	if strings.ContainsAny(good, "+/") {
		return ErrMalformedSignature
	}
	return nil
}

// flipPadding changes the last data character of a 32-byte value so that
// the two unused bits are set: lenient decoders read the same bytes.
func flipPadding(good string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	i := strings.IndexByte(alphabet, good[42])
	return good[:42] + string(alphabet[i|1]) + "="
}

func TestSentinelsHaveKinds(t *testing.T) {
	for err, kind := range map[error]error{
		ErrNoSecret:           sigcheck.ErrNoSecret,
		ErrMissingSignature:   sigcheck.ErrMissingSignature,
		ErrMalformedSignature: sigcheck.ErrMalformedSignature,
		ErrSignatureMismatch:  sigcheck.ErrSignatureMismatch,
	} {
		assert.ErrorIs(t, err, kind)
		assert.True(t, strings.HasPrefix(err.Error(), "shopify: "), err.Error())
	}
}

// shopifyAccepts is the rule Shopify's own libraries apply
// (shopify-app-js validate: the base64 HMAC of the raw body compared as
// text, in constant time).
func shopifyAccepts(secret, sig string, body []byte) bool {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	return hmac.Equal([]byte(want), []byte(sig))
}

// FuzzAgreesWithShopifyRule: our verdict equals the text comparison
// Shopify's libraries make, except that an empty secret is no secret.
func FuzzAgreesWithShopifyRule(f *testing.F) {
	for _, ex := range vectors.Examples(f) {
		f.Add(ex.Secrets[0], []byte(ex.Body), ex.Headers[SignatureHeader], uint8(0))
	}
	f.Add("k", []byte("x"), "", uint8(1))
	f.Add("", []byte{}, "", uint8(2))
	f.Fuzz(func(t *testing.T, secret string, body []byte, raw string, mode uint8) {
		sig := raw
		if raw == "" {
			good := Sign(secret, body)
			switch mode % 4 {
			case 0:
				sig = good
			case 1:
				sig = flipPadding(good)
			case 2:
				sig = strings.TrimRight(good, "=")
			case 3:
				sig = good[:10] + "A" + good[11:]
			}
		}
		ours := Verifier{Secrets: []string{secret}}.Verify(sig, body) == nil
		theirs := shopifyAccepts(secret, sig, body)
		if ours != theirs && !(secret == "" && theirs) {
			t.Fatalf("ours %t, Shopify's rule %t: secret=%q sig=%q body=%q", ours, theirs, secret, sig, body)
		}
	})
}
