package shopify

import (
	"encoding/base64"

	"github.com/sqsgate/sqsgate/internal/webhook/internal/sigcheck"
)

// Header names Shopify sends with every delivery.
const (
	SignatureHeader  = "X-Shopify-Hmac-Sha256"
	TopicHeader      = "X-Shopify-Topic"
	WebhookIDHeader  = "X-Shopify-Webhook-Id"
	ShopDomainHeader = "X-Shopify-Shop-Domain"
)

// Sentinel errors, one for each way a delivery can fail verification. Each
// also matches its kind in package sigcheck under errors.Is.
var (
	// ErrNoSecret means no usable secret is configured; every delivery is
	// rejected rather than accepted unverified.
	ErrNoSecret = sigcheck.New("shopify: no webhook secret configured", sigcheck.ErrNoSecret)
	// ErrMissingSignature means X-Shopify-Hmac-Sha256 is absent or empty.
	ErrMissingSignature = sigcheck.New("shopify: missing X-Shopify-Hmac-Sha256", sigcheck.ErrMissingSignature)
	// ErrMalformedSignature means the header is not the padded standard
	// base64 of 32 bytes.
	ErrMalformedSignature = sigcheck.New("shopify: malformed X-Shopify-Hmac-Sha256", sigcheck.ErrMalformedSignature)
	// ErrSignatureMismatch means the signature matches none of the secrets.
	ErrSignatureMismatch = sigcheck.New("shopify: signature does not match", sigcheck.ErrSignatureMismatch)
)

// Verifier checks X-Shopify-Hmac-Sha256 against one or more secrets.
type Verifier struct {
	// Secrets are the app's client secrets currently valid. Empty strings
	// are ignored, since an empty HMAC key is no secret at all.
	Secrets []string
}

// Verify checks signature, the value of X-Shopify-Hmac-Sha256, against the
// raw body. It returns nil only when the signature is the HMAC-SHA256 of
// body under one of v.Secrets.
func (v Verifier) Verify(signature string, body []byte) error {
	if !sigcheck.AnySecret(v.Secrets) {
		return ErrNoSecret
	}
	if signature == "" {
		return ErrMissingSignature
	}
	mac, ok := sigcheck.DecodeBase64(signature)
	if !ok {
		return ErrMalformedSignature
	}
	if sigcheck.Match(v.Secrets, nil, body, []sigcheck.MAC{mac}) {
		return nil
	}
	return ErrSignatureMismatch
}

// Sign returns the X-Shopify-Hmac-Sha256 value Shopify would send for body
// under secret.
func Sign(secret string, body []byte) string {
	mac := sigcheck.Compute([]byte(secret), nil, body)
	return base64.StdEncoding.EncodeToString(mac[:])
}
