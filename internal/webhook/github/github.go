package github

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/sqsgate/sqsgate/internal/webhook/internal/sigcheck"
)

// Header names GitHub sends with every delivery.
const (
	SignatureHeader     = "X-Hub-Signature-256"
	SHA1SignatureHeader = "X-Hub-Signature"
	EventHeader         = "X-GitHub-Event"
	DeliveryHeader      = "X-GitHub-Delivery"
)

const signaturePrefix = "sha256="

// Sentinel errors, one for each way a delivery can fail verification. The
// signature failures also match their kind in package sigcheck under
// errors.Is.
var (
	// ErrNoSecret means no usable secret is configured; every delivery is
	// rejected rather than accepted unverified.
	ErrNoSecret = sigcheck.New("github: no webhook secret configured", sigcheck.ErrNoSecret)
	// ErrMissingSignature means X-Hub-Signature-256 is absent or empty.
	ErrMissingSignature = sigcheck.New("github: missing X-Hub-Signature-256", sigcheck.ErrMissingSignature)
	// ErrSHA1Only means only the legacy sha1 signature was sent. SHA-1 is
	// not accepted: the sha256 header is required (so its kind is a
	// missing signature).
	ErrSHA1Only = sigcheck.New("github: only the legacy sha1 signature was sent; sha256 is required", sigcheck.ErrMissingSignature)
	// ErrMalformedSignature means the header is not "sha256=" followed by
	// 64 hex digits.
	ErrMalformedSignature = sigcheck.New("github: malformed X-Hub-Signature-256", sigcheck.ErrMalformedSignature)
	// ErrSignatureMismatch means the signature matches none of the secrets.
	ErrSignatureMismatch = sigcheck.New("github: signature does not match", sigcheck.ErrSignatureMismatch)
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
	if !sigcheck.AnySecret(v.Secrets) {
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
	if sigcheck.Match(v.Secrets, nil, body, []sigcheck.MAC{want}) {
		return nil
	}
	return ErrSignatureMismatch
}

// VerifyHeaders is Verify with the legacy header in view: when
// X-Hub-Signature-256 is absent but X-Hub-Signature (sha1) is present, it
// returns ErrSHA1Only, so a caller can tell an old hook configuration from
// an unsigned request.
func (v Verifier) VerifyHeaders(signature256, signature1 string, body []byte) error {
	if signature256 == "" && signature1 != "" && sigcheck.AnySecret(v.Secrets) {
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
	mac := sigcheck.Compute([]byte(secret), nil, body)
	return signaturePrefix + hex.EncodeToString(mac[:])
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

// parseSignature decodes "sha256=<64 hex digits>" (either case, as
// go-github accepts) into a fixed array without allocating.
func parseSignature(signature string) (sigcheck.MAC, error) {
	digits, ok := strings.CutPrefix(signature, signaturePrefix)
	if !ok {
		return sigcheck.MAC{}, ErrMalformedSignature
	}
	mac, ok := sigcheck.DecodeHex(digits, false)
	if !ok {
		return mac, ErrMalformedSignature
	}
	return mac, nil
}
