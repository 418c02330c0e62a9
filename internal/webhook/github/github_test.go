package github

import (
	"bytes"
	"crypto/sha1"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sqsgate/sqsgate/internal/webhook/internal/vectors"
)

// TestVectors runs every GitHub vector in the shared file. Vectors carried in
// the legacy X-Hub-Signature header go in as the sha1 header, so they prove
// that sha1 alone is rejected (ErrSHA1Only), not merely that it mismatches.
func TestVectors(t *testing.T) {
	for _, vec := range vectors.Load(t).GitHub {
		t.Run(vec.Source, func(t *testing.T) {
			v := Verifier{Secrets: []string{vec.Secret}}
			var sig256, sig1 string
			switch vec.Header {
			case SignatureHeader:
				sig256 = vec.Signature
			case SHA1SignatureHeader:
				sig1 = vec.Signature
			default:
				t.Fatalf("unknown header %q", vec.Header)
			}
			err := v.VerifyHeaders(sig256, sig1, []byte(vec.Body))
			if !vec.Valid {
				require.Error(t, err)
				if sig1 != "" {
					assert.ErrorIs(t, err, ErrSHA1Only)
				}
				return
			}
			require.NoError(t, err)

			payload, err := Payload(vec.ContentType, []byte(vec.Body))
			require.NoError(t, err)
			if vec.DecodedPayload != "" {
				assert.Equal(t, vec.DecodedPayload, string(payload))
			}
		})
	}
}

// TestFormVector signs the form-encoded vector's raw bytes with sha256 (the
// file carries only its sha1 signature) and checks that the signature covers
// the raw form while the payload is the decoded JSON.
func TestFormVector(t *testing.T) {
	var found bool
	for _, vec := range vectors.Load(t).GitHub {
		if vec.DecodedPayload == "" {
			continue
		}
		found = true
		v := Verifier{Secrets: []string{vec.Secret}}
		body := []byte(vec.Body)
		require.NoError(t, v.Verify(Sign(vec.Secret, body), body))
		assert.ErrorIs(t, v.Verify(Sign(vec.Secret, []byte(vec.DecodedPayload)), body), ErrSignatureMismatch,
			"a signature over the decoded payload must not verify the raw form")
		payload, err := Payload(vec.ContentType, body)
		require.NoError(t, err)
		assert.Equal(t, vec.DecodedPayload, string(payload))
	}
	assert.True(t, found, "the vectors file should hold a form-encoded vector")
}

// TestStandardWebhooksVectorsDoNotApply: GitHub does not use the Standard
// Webhooks scheme (webhook-id/webhook-timestamp headers, "v1,<base64>"
// signatures over id.timestamp.body), so those vectors cannot verify here.
// What must hold is that such a signature is refused as malformed.
func TestStandardWebhooksVectorsDoNotApply(t *testing.T) {
	for _, vec := range vectors.Load(t).StandardWebhooks {
		v := Verifier{Secrets: []string{vec.Secret}}
		assert.ErrorIs(t, v.Verify(vec.Signature, []byte(vec.Body)), ErrMalformedSignature, vec.Source)
	}
}

func TestVerify(t *testing.T) {
	body := []byte(`{"zen":"Design for failure."}`)
	good := Sign("s1", body)
	tests := []struct {
		name    string
		secrets []string
		sig256  string
		sig1    string
		body    []byte
		wantErr error
	}{
		{"no secret configured", nil, good, "", body, ErrNoSecret},
		{"only empty secrets", []string{"", ""}, Sign("", body), "", body, ErrNoSecret},
		{"missing", []string{"s1"}, "", "", body, ErrMissingSignature},
		{"sha1 header only", []string{"s1"}, "", "sha1=" + hexMAC(sha1.New, "s1", body), body, ErrSHA1Only},
		{"sha1 value in the sha256 header", []string{"s1"}, "sha1=" + hexMAC(sha1.New, "s1", body), "", body, ErrSHA1Only},
		{"sha512 prefix", []string{"s1"}, "sha512=" + strings.Repeat("ab", 64), "", body, ErrMalformedSignature},
		{"no prefix", []string{"s1"}, strings.TrimPrefix(good, "sha256="), "", body, ErrMalformedSignature},
		{"short", []string{"s1"}, good[:len(good)-2], "", body, ErrMalformedSignature},
		{"long", []string{"s1"}, good + "00", "", body, ErrMalformedSignature},
		{"not hex", []string{"s1"}, good[:len(good)-1] + "g", "", body, ErrMalformedSignature},
		{"surrounding space", []string{"s1"}, " " + good, "", body, ErrMalformedSignature},
		{"wrong secret", []string{"s2"}, good, "", body, ErrSignatureMismatch},
		{"body altered", []string{"s1"}, good, "", append(bytes.Clone(body), ' '), ErrSignatureMismatch},
		{"valid", []string{"s1"}, good, "", body, nil},
		{"valid uppercase hex", []string{"s1"}, "sha256=" + strings.ToUpper(strings.TrimPrefix(good, "sha256=")), "", body, nil},
		{"valid with both headers", []string{"s1"}, good, "sha1=0000", body, nil},
		{"rotation: old secret", []string{"s2", "s1"}, good, "", body, nil},
		{"rotation: empty entry skipped", []string{"", "s1"}, good, "", body, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Verifier{Secrets: tt.secrets}.VerifyHeaders(tt.sig256, tt.sig1, tt.body)
			if tt.wantErr == nil {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, tt.wantErr)
		})
	}
}

func TestPayload(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
		body        string
		want        string
		wantErr     error
	}{
		{"form without payload", "application/x-www-form-urlencoded", "other=1", "", ErrMalformedPayload},
		{"form with empty payload", "application/x-www-form-urlencoded", "payload=", "", ErrMalformedPayload},
		{"form with two payloads", "application/x-www-form-urlencoded", "payload=1&payload=2", "", ErrMalformedPayload},
		{"form with a bad escape", "application/x-www-form-urlencoded", "payload=%zz", "", ErrMalformedPayload},
		{"JSON", "application/json", `{"a":1}`, `{"a":1}`, nil},
		{"no content type", "", `{"a":1}`, `{"a":1}`, nil},
		{"form", "application/x-www-form-urlencoded", "payload=%7B%22a%22%3A1%7D", `{"a":1}`, nil},
		{"form with charset", "application/x-www-form-urlencoded; charset=utf-8", "payload=%7B%7D", `{}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Payload(tt.contentType, []byte(tt.body))
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(got))
		})
	}
}

func TestValidateRequest(t *testing.T) {
	v := Verifier{Secrets: []string{"s"}}
	form := "payload=%7B%22a%22%3A1%7D"
	tests := []struct {
		name        string
		body        string
		contentType string
		sig         string
		max         int64
		want        string
		wantErr     error
	}{
		{"over the cap", form, "application/x-www-form-urlencoded", Sign("s", []byte(form)), 5, "", ErrBodyTooLarge},
		{"unsigned", form, "application/x-www-form-urlencoded", "", 1 << 20, "", ErrMissingSignature},
		{"form", form, "application/x-www-form-urlencoded", Sign("s", []byte(form)), 1 << 20, `{"a":1}`, nil},
		{"at the cap", `{}`, "application/json", Sign("s", []byte(`{}`)), 2, `{}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tt.body))
			r.Header.Set("Content-Type", tt.contentType)
			if tt.sig != "" {
				r.Header.Set(SignatureHeader, tt.sig)
			}
			got, err := v.ValidateRequest(r, tt.max)
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(got))
		})
	}
}

func TestRepositoryFullName(t *testing.T) {
	assert.Equal(t, "", RepositoryFullName([]byte(`not json`)))
	assert.Equal(t, "", RepositoryFullName([]byte(`{"zen":"x"}`)))
	assert.Equal(t, "octo/hello", RepositoryFullName([]byte(`{"repository":{"full_name":"octo/hello"}}`)))
}

func TestVerifyDoesNotCopyTheBody(t *testing.T) {
	body := bytes.Repeat([]byte("a"), 256<<10)
	v := Verifier{Secrets: []string{"s"}}
	sig := Sign("s", body)
	res := testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := v.Verify(sig, body); err != nil {
				b.Fatal(err)
			}
		}
	})
	// hmac.New allocates two hash states and a key copy (well under 2 KiB);
	// a copy of the body would add 256 KiB per call.
	assert.Less(t, res.AllocedBytesPerOp(), int64(4<<10))
}
