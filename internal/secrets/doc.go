// Package secrets supplies webhook signing secrets to the functions, from
// a literal value (local runs) or from AWS Secrets Manager (deployed).
//
// Either form holds one or more secrets separated by commas, so a secret
// can be rotated by publishing "new,old" and later "new". A literal value
// wins over an ARN and never changes. A Secrets Manager secret is fetched
// once at cold start (Load), kept in memory, and fetched again:
//   - lazily, on the first use after RefreshInterval has passed;
//   - after a signature mismatch, at most once per RefreshInterval, so a
//     secret rotated in Secrets Manager is picked up by the next delivery
//     instead of after the cache expires, while forged requests cannot
//     drive more than one extra fetch per interval.
//
// A failed fetch fails closed: with nothing fetched yet there are no
// secrets, and the verifiers reject every request (never accept). Once
// secrets were fetched, a failed refresh keeps them until a fetch succeeds.
// Fetches after a failure are spaced by RetryInterval. Secret values never
// appear in logs or errors.
package secrets
