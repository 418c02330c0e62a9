package stripe

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/sqsgate/sqsgate/internal/webhook/internal/sigcheck"
)

// SignatureHeader is the header Stripe signs events in.
const SignatureHeader = "Stripe-Signature"

// DefaultTolerance is the replay window used when Verifier.Tolerance is
// zero: stripe-go's DefaultTolerance.
const DefaultTolerance = 300 * time.Second

// maxSignatures bounds the v1 values one header may carry; Stripe sends two
// while a secret is rolled, so this only stops a header from making us loop.
const maxSignatures = 8

// Sentinel errors, one for each way an event can fail verification. Each
// also matches its kind in package sigcheck under errors.Is.
var (
	// ErrNoSecret means no usable secret is configured; every event is
	// rejected rather than accepted unverified.
	ErrNoSecret = sigcheck.New("stripe: no webhook secret configured", sigcheck.ErrNoSecret)
	// ErrMissingSignature means Stripe-Signature is absent or empty.
	ErrMissingSignature = sigcheck.New("stripe: missing Stripe-Signature", sigcheck.ErrMissingSignature)
	// ErrMalformedSignature means the header is not "t=<digits>,v1=<64 hex>[,…]".
	ErrMalformedSignature = sigcheck.New("stripe: malformed Stripe-Signature", sigcheck.ErrMalformedSignature)
	// ErrStaleTimestamp means t is outside the tolerance around now, too old
	// or too far in the future: a possible replay.
	ErrStaleTimestamp = sigcheck.New("stripe: timestamp outside the replay window", sigcheck.ErrStaleTimestamp)
	// ErrSignatureMismatch means no v1 matches any of the secrets.
	ErrSignatureMismatch = sigcheck.New("stripe: signature does not match", sigcheck.ErrSignatureMismatch)
	// ErrMalformedEvent means a verified body is not an event with an id
	// and a type.
	ErrMalformedEvent = errors.New("stripe: event body without id and type")
)

// Verifier checks Stripe-Signature against one or more signing secrets
// within a replay window.
type Verifier struct {
	// Secrets are the endpoint signing secrets currently valid. Empty
	// strings are ignored, since an empty HMAC key is no secret at all.
	Secrets []string
	// Tolerance is how far t may be from now in either direction; zero or
	// less means DefaultTolerance.
	Tolerance time.Duration
}

// signature is a parsed Stripe-Signature header; t is kept as sent, since
// the HMAC covers its exact digits.
type signature struct {
	t    string
	unix int64
	v1   [maxSignatures]sigcheck.MAC
	n    int
}

// Verify checks header, the value of Stripe-Signature, against the raw body
// at time now. It returns nil only when t is within the tolerance of now and
// some v1 is the HMAC-SHA256 of t + "." + body under one of v.Secrets.
func (v Verifier) Verify(header string, body []byte, now time.Time) error {
	if !sigcheck.AnySecret(v.Secrets) {
		return ErrNoSecret
	}
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
	if !sigcheck.Within(sig.unix, now, tolerance) {
		return ErrStaleTimestamp
	}
	// t and "." are staged in a small buffer and the body is written
	// straight into the MAC, so the signed payload is never assembled.
	var buf [20]byte
	prefix := append(append(buf[:0], sig.t...), '.')
	if sigcheck.Match(v.Secrets, prefix, body, sig.v1[:sig.n]) {
		return nil
	}
	return ErrSignatureMismatch
}

// parseHeader reads "key=value" pairs separated by ",", as stripe-go splits
// them: exactly one t of canonical decimal digits, one to maxSignatures v1
// of 64 hex digits, and other keys (v0, future schemes) ignored.
func parseHeader(header string, sig *signature) error {
	for rest := header; ; {
		part, more, found := strings.Cut(rest, ",")
		key, value, ok := strings.Cut(part, "=")
		if !ok || strings.Contains(value, "=") {
			return ErrMalformedSignature
		}
		switch key {
		case "t":
			unix, ok := sigcheck.ParseUnix(value, true)
			if sig.t != "" || !ok {
				return ErrMalformedSignature
			}
			sig.t, sig.unix = value, unix
		case "v1":
			mac, ok := sigcheck.DecodeHex(value, false)
			if !ok || sig.n == maxSignatures {
				return ErrMalformedSignature
			}
			sig.v1[sig.n] = mac
			sig.n++
		}
		if !found {
			break
		}
		rest = more
	}
	if sig.t == "" || sig.n == 0 {
		return ErrMalformedSignature
	}
	return nil
}

// Sign returns the Stripe-Signature value Stripe would send for body under
// secret at ts: "t=<unix>,v1=<hex>".
func Sign(secret string, ts time.Time, body []byte) string {
	t := strconv.FormatInt(ts.Unix(), 10)
	mac := sigcheck.Compute([]byte(secret), []byte(t+"."), body)
	return "t=" + t + ",v1=" + hex.EncodeToString(mac[:])
}

// Event is what identifies a Stripe event: its id (evt_…, the same on every
// retry of the event) and its type (e.g. payment_intent.succeeded).
type Event struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

// ParseEvent reads id and type from an event body. Call it after Verify.
func ParseEvent(body []byte) (Event, error) {
	var e Event
	if err := json.Unmarshal(body, &e); err != nil || e.ID == "" || e.Type == "" {
		return Event{}, ErrMalformedEvent
	}
	return e, nil
}
