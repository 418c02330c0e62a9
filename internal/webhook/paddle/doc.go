// Package paddle verifies Paddle Billing webhook notifications.
//
// Paddle sends "Paddle-Signature: ts=<unix seconds>;h1=<hex>", where h1 is
// the HMAC-SHA256 of ts + ":" + the raw body under the notification
// destination's secret key (used as given, "pdl_ntfset_…" prefix included).
// During a secret rotation Paddle sends several h1 values; any one matching
// any configured secret is valid. Unknown keys (a future h2) are ignored.
//
// Because Paddle signs the timestamp, the verifier enforces a replay window
// in both directions: a timestamp older than Tolerance or further than
// Tolerance in the future is rejected with ErrStaleTimestamp. The default of
// 5 s is the window Paddle's own SDKs use. The clock is passed in, never read
// here.
//
// Compared with github.com/PaddleHQ/paddle-go-sdk, this verifier is
// stricter (a tolerance is always applied, an empty secret is no secret, the
// timestamp must be a representable unix time) and more complete (several
// h1 values, several secrets, fields in any order). The body is hashed in
// place: nothing is copied.
package paddle
