package github

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha512"
	"encoding/hex"
	"hash"
	"strings"
	"testing"

	gogithub "github.com/google/go-github/v84/github"
	"github.com/stretchr/testify/assert"

	"github.com/sqsgate/sqsgate/internal/webhook/internal/vectors"
)

// The rules where this verifier is deliberately stricter than go-github's
// ValidateSignature. Every disagreement the differential tests find must be
// one of these, named.
const (
	ruleSHA256Required = "sha256 required: go-github also accepts sha1= and sha512= signatures"
	ruleEmptySecret    = "an empty secret is no secret: go-github computes an HMAC with an empty key"
	ruleExactLength    = "exactly 64 hex digits: go-github reports any other length as a mismatch, we as malformed"
)

// stricterRule returns the rule that explains why we reject what go-github
// accepts, or "" when no rule applies.
func stricterRule(secret, sig string) string {
	switch {
	case secret == "":
		return ruleEmptySecret
	case !strings.HasPrefix(sig, signaturePrefix):
		return ruleSHA256Required
	}
	return ""
}

// mutate derives a header from a correct signature: mode picks the mutation,
// pos where it applies. Mode 0 keeps it intact so the fuzzer always has
// accepting cases to compare.
func mutate(secret string, body []byte, mode, pos uint8) string {
	good := Sign(secret, body)
	digits := strings.TrimPrefix(good, signaturePrefix)
	i := int(pos) % len(digits)
	switch mode % 10 {
	case 1: // flip one hex digit
		c := byte('0')
		if digits[i] == '0' {
			c = '1'
		}
		return signaturePrefix + digits[:i] + string(c) + digits[i+1:]
	case 2:
		return signaturePrefix + strings.ToUpper(digits)
	case 3:
		return signaturePrefix + digits[:i]
	case 4:
		return "sha1=" + hexMAC(sha1.New, secret, body)
	case 5:
		return "sha512=" + hexMAC(sha512.New, secret, body)
	case 6:
		return "SHA256=" + digits
	case 7:
		return signaturePrefix + digits[:i] + "zz" + digits[min(i+2, len(digits)):]
	case 8:
		return ""
	case 9:
		return good + "00"
	}
	return good
}

func hexMAC(h func() hash.Hash, secret string, body []byte) string {
	mac := hmac.New(h, []byte(secret))
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

// checkAgainstGoGitHub asserts that our verdict equals go-github's, except
// where a named stricter rule explains the difference.
func checkAgainstGoGitHub(t *testing.T, secret string, body []byte, sig string) {
	t.Helper()
	ours := Verifier{Secrets: []string{secret}}.Verify(sig, body) == nil
	theirs := gogithub.ValidateSignature(sig, body, []byte(secret)) == nil
	if ours == theirs {
		return
	}
	if ours && !theirs {
		t.Fatalf("we accept what go-github rejects: secret=%q sig=%q body=%q", secret, sig, body)
	}
	if rule := stricterRule(secret, sig); rule == "" {
		t.Fatalf("go-github accepts what we reject, and no rule explains it: secret=%q sig=%q body=%q", secret, sig, body)
	}
}

func TestAgreesWithGoGitHub(t *testing.T) {
	// The public vectors' secrets and bodies, plus edge cases of our own.
	bodies := [][]byte{{}, []byte("\x00\xff binary")}
	secrets := []string{"s"}
	for _, vec := range vectors.Load(t).GitHub {
		bodies = append(bodies, []byte(vec.Body))
		secrets = append(secrets, vec.Secret)
	}
	for _, secret := range secrets {
		for _, body := range bodies {
			for mode := range uint8(10) {
				for _, pos := range []uint8{0, 31, 63} {
					checkAgainstGoGitHub(t, secret, body, mutate(secret, body, mode, pos))
				}
			}
		}
	}
}

// TestStricterThanGoGitHub names each rule with a case go-github accepts and
// we reject, so a change in either side shows up here.
func TestStricterThanGoGitHub(t *testing.T) {
	body := []byte(`{"yo":true}`)
	tests := []struct {
		rule    string
		secret  string
		sig     string
		wantErr error
	}{
		{ruleSHA256Required, "s", "sha1=" + hexMAC(sha1.New, "s", body), ErrSHA1Only},
		{ruleSHA256Required, "s", "sha512=" + hexMAC(sha512.New, "s", body), ErrMalformedSignature},
		{ruleEmptySecret, "", Sign("", body), ErrNoSecret},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			assert.NoError(t, gogithub.ValidateSignature(tt.sig, body, []byte(tt.secret)), "go-github accepts it")
			assert.ErrorIs(t, Verifier{Secrets: []string{tt.secret}}.Verify(tt.sig, body), tt.wantErr)
		})
	}
	t.Run(ruleExactLength, func(t *testing.T) {
		sig := Sign("s", body) + "00"
		assert.Error(t, gogithub.ValidateSignature(sig, body, []byte("s")))
		assert.ErrorIs(t, Verifier{Secrets: []string{"s"}}.Verify(sig, body), ErrMalformedSignature)
	})
}

func FuzzAgreesWithGoGitHub(f *testing.F) {
	for _, vec := range vectors.Load(f).GitHub {
		f.Add(vec.Secret, []byte(vec.Body), uint8(0), uint8(0), vec.Signature)
	}
	f.Add("s", []byte("payload=%7B%7D"), uint8(1), uint8(7), "")
	f.Add("", []byte{}, uint8(4), uint8(0), "")
	f.Add("k", []byte("x"), uint8(0), uint8(0), "sha256=00")
	f.Fuzz(func(t *testing.T, secret string, body []byte, mode, pos uint8, raw string) {
		sig := mutate(secret, body, mode, pos)
		if raw != "" {
			sig = raw // a header the fuzzer made up entirely
		}
		checkAgainstGoGitHub(t, secret, body, sig)
	})
}
