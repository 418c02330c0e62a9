// Package shopify verifies Shopify webhook deliveries.
//
// Shopify signs the raw request body with HMAC-SHA256 under the app's
// client secret (used as given) and sends the MAC in standard base64 in
// X-Shopify-Hmac-Sha256. It signs no timestamp, so there is no replay
// window to enforce; X-Shopify-Webhook-Id is the same on every retry of a
// delivery and serves as the deduplication key downstream, and
// X-Shopify-Topic names the event (e.g. orders/create).
//
// Several secrets may be configured at once (rotation): a signature that
// matches any of them is valid. No secret configured means every request is
// rejected with ErrNoSecret. Shopify's own libraries compare the base64
// text; here the MAC is decoded from its one canonical padded form and
// compared with hmac.Equal, which accepts and refuses the same headers.
// The body is hashed in place: nothing is copied.
package shopify
