package slack

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/sqsgate/sqsgate/internal/webhook/internal/sigcheck"
)

// Header names Slack signs requests with.
const (
	SignatureHeader = "X-Slack-Signature"
	TimestampHeader = "X-Slack-Request-Timestamp"
)

// DefaultTolerance is the replay window used when Verifier.Tolerance is
// zero: Slack's five minutes.
const DefaultTolerance = 300 * time.Second

const signaturePrefix = "v0="

// Sentinel errors, one for each way a request can fail verification. Each
// also matches its kind in package sigcheck under errors.Is.
var (
	// ErrNoSecret means no usable signing secret is configured; every
	// request is rejected rather than accepted unverified.
	ErrNoSecret = sigcheck.New("slack: no signing secret configured", sigcheck.ErrNoSecret)
	// ErrMissingSignature means X-Slack-Signature or
	// X-Slack-Request-Timestamp is absent or empty.
	ErrMissingSignature = sigcheck.New("slack: missing X-Slack-Signature or X-Slack-Request-Timestamp", sigcheck.ErrMissingSignature)
	// ErrMalformedSignature means the signature is not "v0=" and 64 hex
	// digits, or the timestamp is not decimal digits.
	ErrMalformedSignature = sigcheck.New("slack: malformed X-Slack-Signature or X-Slack-Request-Timestamp", sigcheck.ErrMalformedSignature)
	// ErrStaleTimestamp means the timestamp is outside the tolerance
	// around now, too old or too far in the future: a possible replay.
	ErrStaleTimestamp = sigcheck.New("slack: timestamp outside the replay window", sigcheck.ErrStaleTimestamp)
	// ErrSignatureMismatch means the signature matches none of the secrets.
	ErrSignatureMismatch = sigcheck.New("slack: signature does not match", sigcheck.ErrSignatureMismatch)
	// ErrMalformedEvent means a verified body is not an Events API
	// envelope this package can read.
	ErrMalformedEvent = errors.New("slack: body is not an Events API envelope with a type (and the challenge, or event_id and event.type, its type requires)")
)

// Verifier checks X-Slack-Signature against one or more signing secrets
// within a replay window.
type Verifier struct {
	// Secrets are the signing secrets currently valid. Empty strings are
	// ignored, since an empty HMAC key is no secret at all.
	Secrets []string
	// Tolerance is how far the timestamp may be from now in either
	// direction; zero or less means DefaultTolerance.
	Tolerance time.Duration
}

// Verify checks signature and timestamp, the values of X-Slack-Signature
// and X-Slack-Request-Timestamp, against the raw body at time now. It
// returns nil only when the timestamp is within the tolerance of now and
// the signature is the HMAC-SHA256 of "v0:" + timestamp + ":" + body under
// one of v.Secrets.
func (v Verifier) Verify(signature, timestamp string, body []byte, now time.Time) error {
	if !sigcheck.AnySecret(v.Secrets) {
		return ErrNoSecret
	}
	if signature == "" || timestamp == "" {
		return ErrMissingSignature
	}
	digits, ok := strings.CutPrefix(signature, signaturePrefix)
	if !ok {
		return ErrMalformedSignature
	}
	mac, ok := sigcheck.DecodeHex(digits, false)
	if !ok {
		return ErrMalformedSignature
	}
	// Slack signs the timestamp as sent, so its digits need not be
	// canonical; they must be digits.
	unix, ok := sigcheck.ParseUnix(timestamp, false)
	if !ok {
		return ErrMalformedSignature
	}
	tolerance := v.Tolerance
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	if !sigcheck.Within(unix, now, tolerance) {
		return ErrStaleTimestamp
	}
	var buf [24]byte
	prefix := append(append(append(buf[:0], "v0:"...), timestamp...), ':')
	if sigcheck.Match(v.Secrets, prefix, body, []sigcheck.MAC{mac}) {
		return nil
	}
	return ErrSignatureMismatch
}

// Sign returns the X-Slack-Signature and X-Slack-Request-Timestamp values
// Slack would send for body under secret at ts.
func Sign(secret string, ts time.Time, body []byte) (signature, timestamp string) {
	timestamp = strconv.FormatInt(ts.Unix(), 10)
	mac := sigcheck.Compute([]byte(secret), []byte("v0:"+timestamp+":"), body)
	return signaturePrefix + hex.EncodeToString(mac[:]), timestamp
}

// Envelope types the handler treats specially.
const (
	// TypeURLVerification is the request Slack sends when a Request URL is
	// configured: answer with its challenge, queue nothing.
	TypeURLVerification = "url_verification"
	// TypeEventCallback wraps one event of a subscribed type.
	TypeEventCallback = "event_callback"
)

// Envelope is the outer object of an Events API request.
type Envelope struct {
	// Type is the envelope's type: url_verification, event_callback, or
	// another Slack defines (app_rate_limited).
	Type string `json:"type"`
	// Challenge is url_verification's value to echo.
	Challenge string `json:"challenge"`
	// EventID identifies an event_callback, the same on every retry.
	EventID string `json:"event_id"`
	// Event is the wrapped event; only its type is read.
	Event struct {
		Type string `json:"type"`
	} `json:"event"`
}

// ParseEnvelope reads an Events API body. It fails with ErrMalformedEvent
// when the body is not a JSON object with a type, when a url_verification
// has no challenge, or when an event_callback lacks event_id or event.type.
// Call it after Verify.
func ParseEnvelope(body []byte) (Envelope, error) {
	var e Envelope
	if err := json.Unmarshal(body, &e); err != nil || e.Type == "" {
		return Envelope{}, ErrMalformedEvent
	}
	switch e.Type {
	case TypeURLVerification:
		if e.Challenge == "" {
			return Envelope{}, ErrMalformedEvent
		}
	case TypeEventCallback:
		if e.EventID == "" || e.Event.Type == "" {
			return Envelope{}, ErrMalformedEvent
		}
	}
	return e, nil
}
