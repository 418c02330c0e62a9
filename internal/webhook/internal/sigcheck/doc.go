// Package sigcheck holds what every webhook signature scheme shares, so
// the provider packages (github, paddle, stripe, standard, shopify, slack)
// do not each carry a copy with small variations:
//
//   - the kinds of failure (no secret, missing, malformed, stale, mismatch),
//     which each provider's own sentinel errors wrap, so the handler maps
//     every provider to HTTP answers with one table;
//   - HMAC-SHA256 over prefix || body under any of several secrets, with the
//     body written straight into the MAC (never copied) and every compare
//     done with hmac.Equal;
//   - decoding of a 32-byte MAC from hex or base64 without allocating, and
//     of unix-second timestamps, and the two-sided replay window in whole
//     seconds.
package sigcheck
