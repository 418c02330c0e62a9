package standard

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sqsgate/sqsgate/internal/webhook/internal/sigcheck"
)

// Header names: the Standard Webhooks spelling, and Svix's older one for
// the same three values.
const (
	IDHeader            = "webhook-id"
	TimestampHeader     = "webhook-timestamp"
	SignatureHeader     = "webhook-signature"
	SvixIDHeader        = "svix-id"
	SvixTimestampHeader = "svix-timestamp"
	SvixSignatureHeader = "svix-signature"
)

// Signature versions, as they prefix each entry of webhook-signature.
const (
	// V1 is HMAC-SHA256 with a shared whsec_ secret.
	V1 = "v1"
	// V1a is Ed25519, verified with a whpk_ public key.
	V1a = "v1a"
)

// Secret prefixes, from the spec's "secret serialization".
const (
	SecretPrefix    = "whsec_"
	PublicKeyPrefix = "whpk_"
)

// DefaultTolerance is the replay window used when Verifier.Tolerance is
// zero: the reference libraries' 5 minutes.
const DefaultTolerance = 300 * time.Second

// maxSignatures bounds the well-formed entries one header may carry: two
// per rotation is the norm, and each v1a costs a hash of the whole body.
const maxSignatures = 8

// Sentinel errors, one for each way a delivery can fail verification. Each
// also matches its kind in package sigcheck under errors.Is.
var (
	// ErrNoSecret means no usable whsec_ or whpk_ key is configured; every
	// delivery is rejected rather than accepted unverified.
	ErrNoSecret = sigcheck.New("standard: no webhook secret configured", sigcheck.ErrNoSecret)
	// ErrMissingSignature means webhook-id, webhook-timestamp or
	// webhook-signature is absent or empty: without all three nothing can
	// be verified.
	ErrMissingSignature = sigcheck.New("standard: missing webhook-id, webhook-timestamp or webhook-signature", sigcheck.ErrMissingSignature)
	// ErrMalformedSignature means the id holds a ".", the timestamp is not
	// plain decimal digits, or the signature header has no well-formed v1
	// or v1a entry (or more than 8).
	ErrMalformedSignature = sigcheck.New("standard: malformed webhook signature headers", sigcheck.ErrMalformedSignature)
	// ErrStaleTimestamp means the timestamp is outside the tolerance
	// around now, too old or too far in the future: a possible replay.
	ErrStaleTimestamp = sigcheck.New("standard: timestamp outside the replay window", sigcheck.ErrStaleTimestamp)
	// ErrSignatureMismatch means no entry is verified by any configured key.
	ErrSignatureMismatch = sigcheck.New("standard: signature does not match", sigcheck.ErrSignatureMismatch)
	// ErrMalformedEvent means a verified body is not a JSON object with a
	// type.
	ErrMalformedEvent = errors.New("standard: payload without a type")
)

// Verifier checks Standard Webhooks signatures against one or more keys
// within a replay window.
type Verifier struct {
	// Secrets are the keys currently valid: "whsec_<base64>" shared
	// secrets (v1) and "whpk_<base64>" Ed25519 public keys (v1a), in any
	// mix. A value with neither prefix, or that does not decode, is
	// ignored; a whsk_ private key is refused too, since it belongs to the
	// sender alone.
	Secrets []string
	// Tolerance is how far the timestamp may be from now in either
	// direction; zero or less means DefaultTolerance.
	Tolerance time.Duration
}

// keys are a Verifier's secrets, decoded.
type keys struct {
	hmac [][]byte
	ed   []ed25519.PublicKey
}

func decodeKeys(secrets []string) keys {
	var k keys
	for _, s := range secrets {
		switch {
		case strings.HasPrefix(s, SecretPrefix):
			key, err := base64.StdEncoding.DecodeString(s[len(SecretPrefix):])
			if err == nil && len(key) > 0 {
				k.hmac = append(k.hmac, key)
			}
		case strings.HasPrefix(s, PublicKeyPrefix):
			key, err := base64.StdEncoding.DecodeString(s[len(PublicKeyPrefix):])
			if err == nil && len(key) == ed25519.PublicKeySize {
				k.ed = append(k.ed, key)
			}
		}
	}
	return k
}

// signatures are the well-formed entries of one webhook-signature header.
type signatures struct {
	v1  []sigcheck.MAC
	v1a [][ed25519.SignatureSize]byte
}

// Verify checks the three header values against the raw body at time now.
// It returns the version of the entry that verified (V1 or V1a), or an
// error: nil only when the timestamp is within the tolerance of now and
// some entry is a valid signature of id.timestamp.body under one of
// v.Secrets.
func (v Verifier) Verify(id, timestamp, signature string, body []byte, now time.Time) (string, error) {
	k := decodeKeys(v.Secrets)
	if len(k.hmac) == 0 && len(k.ed) == 0 {
		return "", ErrNoSecret
	}
	if id == "" || timestamp == "" || signature == "" {
		return "", ErrMissingSignature
	}
	unix, ok := sigcheck.ParseUnix(timestamp, true)
	if !ok || strings.Contains(id, ".") {
		return "", ErrMalformedSignature
	}
	sigs, err := parseSignatures(signature)
	if err != nil {
		return "", err
	}
	tolerance := v.Tolerance
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	if !sigcheck.Within(unix, now, tolerance) {
		return "", ErrStaleTimestamp
	}
	prefix := make([]byte, 0, len(id)+len(timestamp)+2)
	prefix = append(append(append(append(prefix, id...), '.'), timestamp...), '.')
	// v1 first: an HMAC streams the body and costs far less than Ed25519.
	if len(sigs.v1) > 0 && sigcheck.MatchKeys(k.hmac, prefix, body, sigs.v1) {
		return V1, nil
	}
	if len(sigs.v1a) > 0 && len(k.ed) > 0 && verifyEd25519(k.ed, prefix, body, sigs.v1a) {
		return V1a, nil
	}
	return "", ErrSignatureMismatch
}

// parseSignatures reads the space-separated entries, keeping the
// well-formed v1 (32 bytes) and v1a (64 bytes) ones in canonical padded
// base64 and skipping everything else, as the reference library does.
func parseSignatures(header string) (signatures, error) {
	var sigs signatures
	n := 0
	for _, entry := range strings.Split(header, " ") {
		version, value, ok := strings.Cut(entry, ",")
		if !ok {
			continue
		}
		switch version {
		case V1:
			mac, ok := sigcheck.DecodeBase64(value)
			if !ok {
				continue
			}
			sigs.v1 = append(sigs.v1, mac)
		case V1a:
			var sig [ed25519.SignatureSize]byte
			if !sigcheck.DecodeBase64To(sig[:], value) {
				continue
			}
			sigs.v1a = append(sigs.v1a, sig)
		default:
			continue
		}
		if n++; n > maxSignatures {
			return signatures{}, ErrMalformedSignature
		}
	}
	if n == 0 {
		return signatures{}, ErrMalformedSignature
	}
	return sigs, nil
}

// messages pools the buffers v1a assembles the signed message in, so a
// 1 MiB delivery does not allocate 1 MiB each time.
var messages sync.Pool

// verifyEd25519 reports whether some signature verifies prefix || body
// under some key. Ed25519 hashes the whole message with its signature's R
// and the key, so the message is assembled once, in a pooled buffer.
func verifyEd25519(pubs []ed25519.PublicKey, prefix, body []byte, sigs [][ed25519.SignatureSize]byte) bool {
	size := len(prefix) + len(body)
	bufp, _ := messages.Get().(*[]byte)
	if bufp == nil || cap(*bufp) < size {
		b := make([]byte, 0, size)
		bufp = &b
	}
	msg := append(append((*bufp)[:0], prefix...), body...)
	defer func() {
		*bufp = msg[:0]
		messages.Put(bufp)
	}()
	for _, pub := range pubs {
		for i := range sigs {
			if ed25519.Verify(pub, msg, sigs[i][:]) {
				return true
			}
		}
	}
	return false
}

// Sign returns the "v1,<base64>" entry a sender would put in
// webhook-signature for body under a whsec_ secret. It fails when secret is
// not a whsec_ value with a non-empty base64 key.
func Sign(secret, id string, ts time.Time, body []byte) (string, error) {
	k := decodeKeys([]string{secret})
	if len(k.hmac) != 1 {
		return "", ErrNoSecret
	}
	mac := sigcheck.Compute(k.hmac[0], []byte(id+"."+strconv.FormatInt(ts.Unix(), 10)+"."), body)
	return V1 + "," + base64.StdEncoding.EncodeToString(mac[:]), nil
}

// SignEd25519 returns the "v1a,<base64>" entry a sender holding priv would
// put in webhook-signature for body.
func SignEd25519(priv ed25519.PrivateKey, id string, ts time.Time, body []byte) string {
	msg := append([]byte(id+"."+strconv.FormatInt(ts.Unix(), 10)+"."), body...)
	return V1a + "," + base64.StdEncoding.EncodeToString(ed25519.Sign(priv, msg))
}

// PublicKey returns pub as a receiver configures it: "whpk_<base64>".
func PublicKey(pub ed25519.PublicKey) string {
	return PublicKeyPrefix + base64.StdEncoding.EncodeToString(pub)
}

// Event is what the handler reads from a verified payload: its type (the
// spec's payload structure has "type", "timestamp" and "data").
type Event struct {
	Type string `json:"type"`
}

// ParseEvent reads type from a payload. Call it after Verify.
func ParseEvent(body []byte) (Event, error) {
	var e Event
	if err := json.Unmarshal(body, &e); err != nil || e.Type == "" {
		return Event{}, ErrMalformedEvent
	}
	return e, nil
}
