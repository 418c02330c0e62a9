// Package stripe verifies Stripe webhook events.
//
// Stripe sends "Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>…]",
// where each v1 is the HMAC-SHA256 of t + "." + the raw body under the
// endpoint's signing secret, used as given ("whsec_…" included, as ASCII).
// During a secret roll Stripe sends one v1 per secret; any one matching any
// configured secret is valid. v0 (test mode's legacy scheme) and unknown
// keys are ignored.
//
// Stripe signs the timestamp, so Verify enforces a replay window in both
// directions: a t older than Tolerance or further than Tolerance in the
// future is refused with ErrStaleTimestamp. The default of 300 s is
// stripe-go's DefaultTolerance; stripe-go checks only the past. The clock is
// passed in, never read here.
//
// Compared with github.com/stripe/stripe-go's webhook package this verifier
// is stricter where a sender that follows Stripe's format is never affected
// (diff_test.go names each rule): t must appear once, as plain decimal
// digits; every v1 must be 64 hex digits, at most 8 of them; an empty secret
// is no secret; the window is two-sided. ParseEvent reads the event's id
// (stable across Stripe's retries, the delivery id) and type. The body is
// hashed in place: nothing is copied.
package stripe
