// Package github verifies GitHub webhook deliveries.
//
// GitHub signs the raw request body with HMAC-SHA256 and sends
// "sha256=<hex>" in X-Hub-Signature-256. It signs no timestamp, so there is
// no replay window to enforce; the delivery id (X-GitHub-Delivery) is kept on
// redelivery and serves as the deduplication key downstream.
//
// The API is layered like go-github's: Verifier.Verify takes the header value
// and the raw body as plain arguments; VerifyHeaders adds the rule that the
// legacy sha1 header (X-Hub-Signature) alone is never enough; ValidateRequest
// reads a capped *http.Request body for callers outside Lambda. Payload
// returns the JSON document of a delivery, which for form-encoded deliveries
// is the "payload" field; the HMAC is always over the raw bytes as sent.
//
// Several secrets may be configured at once (rotation): a signature that
// matches any of them is valid. No secret configured means every request is
// rejected with ErrNoSecret.
package github
