package sigcheck

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strconv"
	"time"
)

// Kinds of verification failure. Each provider's sentinel errors wrap one
// of them (see New), so errors.Is(err, sigcheck.ErrStaleTimestamp) holds for
// a stale Paddle, Stripe, Standard Webhooks or Slack delivery alike.
var (
	// ErrNoSecret: no usable secret is configured, so nothing can be
	// verified and everything is refused.
	ErrNoSecret = errors.New("no webhook secret configured")
	// ErrMissingSignature: the signature (or a header it covers) is absent.
	ErrMissingSignature = errors.New("missing signature")
	// ErrMalformedSignature: the signature headers do not follow the scheme.
	ErrMalformedSignature = errors.New("malformed signature")
	// ErrStaleTimestamp: the signed timestamp is outside the replay window,
	// in either direction.
	ErrStaleTimestamp = errors.New("timestamp outside the replay window")
	// ErrSignatureMismatch: well-formed, but no signature matches any secret.
	ErrSignatureMismatch = errors.New("signature does not match")
)

// kindError is a provider's sentinel: its own text, and its kind for
// errors.Is.
type kindError struct {
	text string
	kind error
}

func (e *kindError) Error() string { return e.text }
func (e *kindError) Unwrap() error { return e.kind }

// New returns a sentinel error with text that also matches kind under
// errors.Is. Each call returns a distinct error.
func New(text string, kind error) error { return &kindError{text: text, kind: kind} }

// Size is the length of an HMAC-SHA256.
const Size = sha256.Size

// MAC is one HMAC-SHA256 value.
type MAC = [Size]byte

// AnySecret reports whether secrets holds a non-empty one; an empty HMAC
// key is no secret at all.
func AnySecret(secrets []string) bool {
	for _, s := range secrets {
		if s != "" {
			return true
		}
	}
	return false
}

// Compute returns HMAC-SHA256(key, prefix || body).
func Compute(key, prefix, body []byte) MAC {
	var sum MAC
	mac := hmac.New(sha256.New, key)
	mac.Write(prefix)
	mac.Write(body)
	mac.Sum(sum[:0])
	return sum
}

// Match reports whether HMAC-SHA256(secret, prefix || body) equals one of
// want under some non-empty secret, each secret's bytes being the key.
func Match(secrets []string, prefix, body []byte, want []MAC) bool {
	for _, secret := range secrets {
		if secret != "" && Equal(Compute([]byte(secret), prefix, body), want) {
			return true
		}
	}
	return false
}

// MatchKeys is Match for keys that are not the secret's text (Standard
// Webhooks decodes its whsec_ secrets). Empty keys are skipped.
func MatchKeys(keys [][]byte, prefix, body []byte, want []MAC) bool {
	for _, key := range keys {
		if len(key) != 0 && Equal(Compute(key, prefix, body), want) {
			return true
		}
	}
	return false
}

// Equal reports whether got is one of want, comparing each in constant
// time. One MAC is computed per secret however many signatures are offered.
func Equal(got MAC, want []MAC) bool {
	for i := range want {
		if hmac.Equal(got[:], want[i][:]) {
			return true
		}
	}
	return false
}

// DecodeHex decodes exactly 64 hex digits. lowerOnly refuses A-F, for
// schemes whose own libraries compare the lowercase text.
func DecodeHex(s string, lowerOnly bool) (MAC, bool) {
	var mac MAC
	if len(s) != 2*Size {
		return mac, false
	}
	// Staged in a stack array, so decoding allocates nothing.
	var src [2 * Size]byte
	copy(src[:], s)
	if lowerOnly {
		for _, c := range src {
			if 'A' <= c && c <= 'F' {
				return mac, false
			}
		}
	}
	if _, err := hex.Decode(mac[:], src[:]); err != nil {
		return mac, false
	}
	return mac, true
}

// Base64Len is the length of a MAC in padded standard base64.
const Base64Len = 44

// DecodeBase64 decodes a MAC in its one canonical padded standard base64
// form (44 characters, zero padding bits), so two different strings never
// decode to the same MAC.
func DecodeBase64(s string) (MAC, bool) {
	var mac MAC
	ok := DecodeBase64To(mac[:], s)
	return mac, ok
}

// maxDecoded is the largest value DecodeBase64To takes: a 64-byte Ed25519
// signature.
const maxDecoded = 64

// DecodeBase64To decodes s, the canonical padded standard base64 of exactly
// len(dst) bytes, into dst. It refuses other lengths, line breaks (which
// encoding/base64 would skip) and non-zero padding bits.
func DecodeBase64To(dst []byte, s string) bool {
	if len(s) != base64.StdEncoding.EncodedLen(len(dst)) {
		return false
	}
	if len(dst) > maxDecoded {
		return false
	}
	// Decode wants room for DecodedLen, two bytes more than the value.
	var buf [maxDecoded + 2]byte
	n, err := base64.StdEncoding.Strict().Decode(buf[:], []byte(s))
	if err != nil || n != len(dst) {
		return false
	}
	copy(dst, buf[:n])
	return true
}

// maxUnixDigits is the most digits an int64 unix time can have.
const maxUnixDigits = 19

// ParseUnix parses unix seconds written as decimal digits only: no sign, no
// spaces, at most 19 digits, and fitting an int64. canonical also refuses
// leading zeros, for schemes whose libraries re-format the number before
// hashing it (so "0123" and "123" would sign the same text there).
func ParseUnix(s string, canonical bool) (int64, bool) {
	if s == "" || len(s) > maxUnixDigits || canonical && len(s) > 1 && s[0] == '0' {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	unix, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, false
	}
	return unix, true
}

// Within reports whether the signed time unix lies within tolerance of now
// in either direction (the bounds included), as the providers' libraries
// compare it: with now to the nanosecond. A scheme that compares whole
// seconds passes now.Truncate(time.Second). It counts whole seconds and
// nanoseconds apart, so no timestamp, however far, can overflow it.
func Within(unix int64, now time.Time, tolerance time.Duration) bool {
	tolSec, tolNs := int64(tolerance/time.Second), int64(tolerance%time.Second)
	// now - unix is d seconds and ns nanoseconds, 0 <= ns < 1 s. unix is
	// never negative (ParseUnix) and now is a real clock: d cannot overflow.
	d, ns := now.Unix()-unix, int64(now.Nanosecond())
	if d > tolSec || d < -tolSec-1 {
		return false
	}
	if d == tolSec { // past: d s + ns <= tolerance
		return ns <= tolNs
	}
	if d == -tolSec-1 { // future: -(tolSec+1) s + ns >= -tolerance
		return ns >= int64(time.Second)-tolNs
	}
	return true
}
