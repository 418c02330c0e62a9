package github

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// Header names GitHub sends with every delivery.
const (
	SignatureHeader     = "X-Hub-Signature-256"
	SHA1SignatureHeader = "X-Hub-Signature"
	EventHeader         = "X-GitHub-Event"
	DeliveryHeader      = "X-GitHub-Delivery"
)

const signaturePrefix = "sha256="

// Sentinel errors, one for each way a delivery can fail verification.
var (
	// ErrNoSecret means no usable secret is configured; every delivery is
	// rejected rather than accepted unverified.
	ErrNoSecret = errors.New("github: no webhook secret configured")
	// ErrMissingSignature means X-Hub-Signature-256 is absent or empty.
	ErrMissingSignature = errors.New("github: missing X-Hub-Signature-256")
	// ErrSHA1Only means only the legacy sha1 signature was sent. SHA-1 is
	// not accepted: the sha256 header is required.
	ErrSHA1Only = errors.New("github: only the legacy sha1 signature was sent; sha256 is required")
	// ErrMalformedSignature means the header is not "sha256=" followed by
	// 64 hex digits.
	ErrMalformedSignature = errors.New("github: malformed X-Hub-Signature-256")
	// ErrSignatureMismatch means the signature matches none of the secrets.
	ErrSignatureMismatch = errors.New("github: signature does not match")
	// ErrMalformedPayload means a form-encoded delivery could not be parsed
	// or has no "payload" field.
	ErrMalformedPayload = errors.New("github: form-encoded delivery without a valid payload field")
	// ErrBodyTooLarge means a request body exceeds the cap ValidateRequest
	// was given.
	ErrBodyTooLarge = errors.New("github: request body too large")
)

// Verifier checks X-Hub-Signature-256 against one or more secrets.
type Verifier struct {
	// Secrets are the webhook secrets currently valid; a signature that
	// matches any of them is accepted. Empty strings are ignored, since an
	// empty HMAC key is no secret at all.
	Secrets []string
}

// Verify checks signature, the value of X-Hub-Signature-256, against the raw
// body. It returns nil only when the signature is an HMAC-SHA256 of body
// under one of v.Secrets. The body is hashed in place, never copied.
func (v Verifier) Verify(signature string, body []byte) error {
	if !hasSecret(v.Secrets) {
		return ErrNoSecret
	}
	if signature == "" {
		return ErrMissingSignature
	}
	if strings.HasPrefix(signature, "sha1=") {
		return ErrSHA1Only
	}
	want, err := parseSignature(signature)
	if err != nil {
		return err
	}
	var sum [sha256.Size]byte
	for _, secret := range v.Secrets {
		if secret == "" {
			continue
		}
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write(body)
		if hmac.Equal(mac.Sum(sum[:0]), want[:]) {
			return nil
		}
	}
	return ErrSignatureMismatch
}

// VerifyHeaders is Verify with the legacy header in view: when
// X-Hub-Signature-256 is absent but X-Hub-Signature (sha1) is present, it
// returns ErrSHA1Only, so a caller can tell an old hook configuration from
// an unsigned request.
func (v Verifier) VerifyHeaders(signature256, signature1 string, body []byte) error {
	if signature256 == "" && signature1 != "" && hasSecret(v.Secrets) {
		return ErrSHA1Only
	}
	return v.Verify(signature256, body)
}

// ValidateRequest reads r's body, at most maxBytes of it, verifies its
// signature headers and returns the delivery's JSON payload (see Payload).
// It is the request-level layer for callers that serve net/http directly.
func (v Verifier) ValidateRequest(r *http.Request, maxBytes int64) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("github: read body: %w", err)
	}
	if int64(len(body)) > maxBytes {
		return nil, ErrBodyTooLarge
	}
	if err := v.VerifyHeaders(r.Header.Get(SignatureHeader), r.Header.Get(SHA1SignatureHeader), body); err != nil {
		return nil, err
	}
	return Payload(r.Header.Get("Content-Type"), body)
}

// Sign returns the X-Hub-Signature-256 value GitHub would send for body
// under secret: "sha256=" and the hex HMAC-SHA256.
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return signaturePrefix + hex.EncodeToString(mac.Sum(nil))
}

// IsForm reports whether contentType is GitHub's form encoding, whose JSON
// document travels in the "payload" field.
func IsForm(contentType string) bool {
	mediaType, _, err := mime.ParseMediaType(contentType)
	return err == nil && mediaType == "application/x-www-form-urlencoded"
}

// Payload returns the JSON document of a delivery: the body itself, or for a
// form-encoded delivery the decoded "payload" field. Call it after Verify:
// the signature covers the raw body, not the payload.
func Payload(contentType string, body []byte) ([]byte, error) {
	if !IsForm(contentType) {
		return body, nil
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedPayload, err)
	}
	payload, ok := form["payload"]
	if !ok || len(payload) != 1 || payload[0] == "" {
		return nil, ErrMalformedPayload
	}
	return []byte(payload[0]), nil
}

// RepositoryFullName returns repository.full_name from a delivery's JSON
// payload ("owner/name"), or "" when the event has no repository.
func RepositoryFullName(payload []byte) string {
	var doc struct {
		Repository struct {
			FullName string `json:"full_name"`
		} `json:"repository"`
	}
	if json.Unmarshal(payload, &doc) != nil {
		return ""
	}
	return doc.Repository.FullName
}

func hasSecret(secrets []string) bool {
	for _, s := range secrets {
		if s != "" {
			return true
		}
	}
	return false
}

// parseSignature decodes "sha256=<64 hex digits>" (either case, as
// go-github accepts) into a fixed array; the digits are staged in a stack
// buffer so nothing is allocated.
func parseSignature(signature string) ([sha256.Size]byte, error) {
	var mac [sha256.Size]byte
	digits, ok := strings.CutPrefix(signature, signaturePrefix)
	if !ok || len(digits) != 2*sha256.Size {
		return mac, ErrMalformedSignature
	}
	var src [2 * sha256.Size]byte
	copy(src[:], digits)
	if _, err := hex.Decode(mac[:], src[:]); err != nil {
		return mac, ErrMalformedSignature
	}
	return mac, nil
}
