package paddle

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"
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
var (
	// ErrNoSecret means no usable secret is configured; every notification
	// is rejected rather than accepted unverified.
	ErrNoSecret = errors.New("paddle: no webhook secret configured")
	// ErrMissingSignature means Paddle-Signature is absent or empty.
	ErrMissingSignature = errors.New("paddle: missing Paddle-Signature")
	// ErrMalformedSignature means the header is not "ts=<digits>;h1=<64 lowercase hex>[;h1=…]".
	ErrMalformedSignature = errors.New("paddle: malformed Paddle-Signature")
	// ErrStaleTimestamp means ts is outside the tolerance around now, too
	// old or too far in the future: a possible replay.
	ErrStaleTimestamp = errors.New("paddle: timestamp outside the replay window")
	// ErrSignatureMismatch means no h1 matches any of the secrets.
	ErrSignatureMismatch = errors.New("paddle: signature does not match")
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
	h1   [maxSignatures][sha256.Size]byte
	n    int
}

// Verify checks header, the value of Paddle-Signature, against the raw body
// at time now. It returns nil only when ts is within the tolerance of now and
// some h1 is the HMAC-SHA256 of ts + ":" + body under one of v.Secrets.
func (v Verifier) Verify(header string, body []byte, now time.Time) error {
	if !hasSecret(v.Secrets) {
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
	var prefix [21]byte
	n := copy(prefix[:], sig.ts)
	prefix[n] = ':'
	var sum [sha256.Size]byte
	for _, secret := range v.Secrets {
		if secret == "" {
			continue
		}
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write(prefix[:n+1])
		mac.Write(body)
		got := mac.Sum(sum[:0])
		for i := 0; i < sig.n; i++ {
			if hmac.Equal(got, sig.h1[i][:]) {
				return nil
			}
		}
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
			if sig.ts != "" || value == "" || len(value) > 19 || strings.Trim(value, "0123456789") != "" {
				return ErrMalformedSignature
			}
			unix, err := strconv.ParseInt(value, 10, 64)
			if err != nil {
				return ErrMalformedSignature
			}
			sig.ts, sig.unix = value, unix
		case "h1":
			if sig.n == maxSignatures || len(value) != 2*sha256.Size || strings.ContainsAny(value, "ABCDEF") {
				return ErrMalformedSignature
			}
			var src [2 * sha256.Size]byte
			copy(src[:], value)
			if _, err := hex.Decode(sig.h1[sig.n][:], src[:]); err != nil {
				return ErrMalformedSignature
			}
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
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(unix + ":"))
	mac.Write(body)
	return "ts=" + unix + ";h1=" + hex.EncodeToString(mac.Sum(nil))
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

func hasSecret(secrets []string) bool {
	for _, s := range secrets {
		if s != "" {
			return true
		}
	}
	return false
}
