// Package standard verifies Standard Webhooks deliveries
// (https://www.standardwebhooks.com, spec/standard-webhooks.md), the
// scheme Svix and the senders built on it share.
//
// A delivery carries three headers: webhook-id (the message id, the same on
// every retry), webhook-timestamp (unix seconds) and webhook-signature, a
// space-separated list of "<version>,<base64>" entries. Both versions sign
// id + "." + timestamp + "." + the raw body:
//
//   - v1: HMAC-SHA256 under the key a "whsec_<base64>" secret decodes to;
//   - v1a: Ed25519, checked against a "whpk_<base64>" public key (32 bytes).
//
// Several entries may be sent (key rotation, or both versions at once); any
// one that a configured key verifies is enough, and Verify says which
// version it was. Entries of other versions, and entries that are not
// "<version>,<base64>" at all, are skipped as the reference library skips
// them. Svix's older header names (svix-id, svix-timestamp, svix-signature)
// carry the same values; choosing between the two sets is the caller's
// business (the webhook handler prefers webhook-* and refuses a request
// whose two sets disagree).
//
// The timestamp is signed, so Verify enforces a replay window of Tolerance
// (default 300 s, the reference libraries' 5 minutes) in both directions.
// The clock is passed in, never read here.
//
// Compared with the reference Go library
// (github.com/standard-webhooks/standard-webhooks/libraries/go) and Svix's
// (github.com/svix/svix-webhooks/go) this verifier also checks v1a, and is
// stricter where a sender following the spec is never affected (diff_test.go
// names each rule): a secret names its kind by its prefix, the timestamp is
// plain decimal digits, the id holds no "." (the spec asks for that, since
// "." separates the signed fields), and at most 8 signatures are checked.
// v1 hashes the body in place; v1a must copy it once, since Ed25519 signs
// the whole message and has no streaming form.
package standard
