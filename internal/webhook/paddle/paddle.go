package paddle

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/sqsgate/sqsgate/internal/webhook/internal/sigcheck"
)

// SignatureHeader is the header Paddle signs notifications in.
const SignatureHeader = "Paddle-Signature"

// DefaultTolerance is the replay window used when Verifier.Tolerance is
// zero; Paddle's SDKs use the same 5 seconds.
const DefaultTolerance = 5 * time.Second

// maxSignatures bounds the h1 values one header may carry; Paddle sends two
// during a rotation, so this only stops a header from making us loop.
const maxSignatures = 8

// Sentinel errors, one for each way a notification can fail verification.
// The signature failures also match their kind in package sigcheck under
// errors.Is.
var (
	// ErrNoSecret means no usable secret is configured; every notification
	// is rejected rather than accepted unverified.
	ErrNoSecret = sigcheck.New("paddle: no webhook secret configured", sigcheck.ErrNoSecret)
	// ErrMissingSignature means Paddle-Signature is absent or empty.
	ErrMissingSignature = sigcheck.New("paddle: missing Paddle-Signature", sigcheck.ErrMissingSignature)
	// ErrMalformedSignature means the header is not "ts=<digits>;h1=<64 lowercase hex>[;h1=…]".
	ErrMalformedSignature = sigcheck.New("paddle: malformed Paddle-Signature", sigcheck.ErrMalformedSignature)
	// ErrStaleTimestamp means ts is outside the tolerance around now, too
	// old or too far in the future: a possible replay.
	ErrStaleTimestamp = sigcheck.New("paddle: timestamp outside the replay window", sigcheck.ErrStaleTimestamp)
	// ErrSignatureMismatch means no h1 matches any of the secrets.
	ErrSignatureMismatch = sigcheck.New("paddle: signature does not match", sigcheck.ErrSignatureMismatch)
	// ErrMalformedEvent means a verified body lacks event_id or event_type.
	ErrMalformedEvent = errors.New("paddle: notification body without event_id and event_type")
)

// Verifier checks Paddle-Signature against one or more secrets within a
// replay window.
type Verifier struct {
	// Secrets are the endpoint secret keys currently valid. Empty strings
	// are ignored, since an empty HMAC key is no secret at all.
	Secrets []string
	// Tolerance is how far now may be from the second ts names, in
	// either direction, compared exactly; zero or less means
	// DefaultTolerance.
	Tolerance time.Duration
}

// signature is a parsed Paddle-Signature header. ts is kept as sent,
// because the HMAC covers its exact digits.
type signature struct {
	ts   string
	unix int64
	h1   [maxSignatures]sigcheck.MAC
	n    int
}

// Verify checks header, the value of Paddle-Signature, against the raw body
// at time now. It returns nil only when ts is within the tolerance of now and
// some h1 is the HMAC-SHA256 of ts + ":" + body under one of v.Secrets.
func (v Verifier) Verify(header string, body []byte, now time.Time) error {
	if !sigcheck.AnySecret(v.Secrets) {
		return ErrNoSecret
	}
	header = strings.TrimSpace(header)
	if header == "" {
		return ErrMissingSignature
	}
	var sig signature
	if err := parseHeader(header, &sig); err != nil {
		return err
	}
	tolerance := v.Tolerance
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	// Paddle signs whole seconds: the notification was signed somewhere in
	// [ts, ts+1s). It is fresh while now is within the tolerance of that
	// second, on either side, compared exactly (a 500ms tolerance is a
	// window, not zero). For whole-second tolerances this is Paddle's SDKs'
	// comparison of whole seconds. A ts too large for time.Unix lands far
	// from now, and is stale.
	signed := time.Unix(sig.unix, 0)
	if now.Before(signed.Add(-tolerance)) || !now.Before(signed.Add(time.Second+tolerance)) {
		return ErrStaleTimestamp
	}

	// ts and ":" are staged in a stack buffer and the body is written
	// straight into the MAC, so the signed message is never assembled.
	var buf [20]byte
	prefix := append(append(buf[:0], sig.ts...), ':')
	if sigcheck.Match(v.Secrets, prefix, body, sig.h1[:sig.n]) {
		return nil
	}
	return ErrSignatureMismatch
}

// parseHeader reads "key=value" pairs separated by ";": exactly one ts of
// at most 19 digits (so it fits an int64), one or more h1 of 64 lowercase
// hex digits, and any other keys ignored.
func parseHeader(header string, sig *signature) error {
	for rest := header; rest != ""; {
		var part string
		part, rest, _ = strings.Cut(rest, ";")
		key, value, ok := strings.Cut(part, "=")
		if !ok {
			return ErrMalformedSignature
		}
		switch key {
		case "ts":
			unix, ok := sigcheck.ParseUnix(value, false)
			if sig.ts != "" || !ok {
				return ErrMalformedSignature
			}
			sig.ts, sig.unix = value, unix
		case "h1":
			mac, ok := sigcheck.DecodeHex(value, true)
			if sig.n == maxSignatures || !ok {
				return ErrMalformedSignature
			}
			sig.h1[sig.n] = mac
			sig.n++
		}
	}
	if sig.ts == "" || sig.n == 0 {
		return ErrMalformedSignature
	}
	return nil
}

// Sign returns the Paddle-Signature value Paddle would send for body under
// secret at ts: "ts=<unix>;h1=<hex>".
func Sign(secret string, ts time.Time, body []byte) string {
	unix := strconv.FormatInt(ts.Unix(), 10)
	mac := sigcheck.Compute([]byte(secret), []byte(unix+":"), body)
	return "ts=" + unix + ";h1=" + hex.EncodeToString(mac[:])
}

// Event is what identifies a notification; Paddle puts it in the body, not
// in headers. ID is stable across Paddle's retries.
type Event struct {
	ID   string `json:"event_id"`
	Type string `json:"event_type"`
}

// ParseEvent reads event_id and event_type from a notification body. Call
// it after Verify.
func ParseEvent(body []byte) (Event, error) {
	var e Event
	if err := json.Unmarshal(body, &e); err != nil || e.ID == "" || e.Type == "" {
		return Event{}, ErrMalformedEvent
	}
	return e, nil
}
