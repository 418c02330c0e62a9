// Package slack verifies Slack request signatures and reads Events API
// envelopes.
//
// Slack sends "X-Slack-Signature: v0=<hex>", the HMAC-SHA256 of
// "v0:" + X-Slack-Request-Timestamp + ":" + the raw body under the app's
// signing secret (used as given), and the unix-seconds timestamp in
// X-Slack-Request-Timestamp. Several secrets may be configured (rotation);
// a signature matching any of them is valid.
//
// The timestamp is signed, so Verify enforces a replay window of Tolerance
// (default 300 s, Slack's "five minutes from local time") in both
// directions, as Slack's SDKs and slack-go do. The clock is passed in,
// never read here.
//
// ParseEnvelope reads what the webhook handler needs from an Events API
// body: its type; for "url_verification" the challenge Slack expects echoed
// back (after the signature check); for "event_callback" the event_id,
// stable across Slack's retries, and the inner event's type.
//
// Compared with github.com/slack-go/slack's SecretsVerifier this verifier
// is stricter in one way (diff_test.go names it): the timestamp is decimal
// digits only, where slack-go accepts a sign. The body is hashed in place:
// nothing is copied.
package slack
