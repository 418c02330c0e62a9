// Package cognito verifies Amazon Cognito user pool tokens (JWTs).
//
// A Verifier accepts exactly what a Cognito user pool issues and nothing
// else: RS256 signatures by a key taken, by kid, from the pool's JWKS; the
// pool's issuer, compared exactly; the configured token_use (access by
// default, or id); client_id (access tokens) or aud (id tokens) among the
// configured app clients; exp, nbf and iat with a small bounded leeway.
//
// What a token says about its own key is never trusted: a header carrying
// jku, jwk, x5u or x5c, or any crit extension, is rejected, and the key's
// own declared algorithm must be RS256. Tokens over MaxTokenBytes are
// rejected before any decoding.
//
// Keys come from a jwk.Cache (lestrrat-go/jwx) created and filled by New,
// refreshed on a schedule. A token naming an unknown kid triggers at most one
// forced refresh per MinRefreshInterval, so random kids cannot make the
// verifier hammer the JWKS endpoint. If no key set could ever be fetched,
// every token is refused with ErrJWKSUnavailable (fail closed) and the fetch
// is retried, again at most once per MinRefreshInterval.
//
// Parsing and signature checking are jwx's (jws.Verify). The token must
// first be three base64url parts with a canonical signature; jws then
// parses the protected header and hands it to the verifier's key provider,
// which applies the header policy and gives jws the key the kid names, so
// nothing is verified with a key or algorithm the token chose. The claims
// of a verified token are read with encoding/json and checked by the
// verifier's own rules (times compared exactly, where jwt.Validate
// truncates them to seconds). A fresh token costs about 1.4x the raw
// rsa.VerifyPKCS1v15 (jwt.Parse: about 2x). A bounded cache of verified
// tokens, valid until the earlier of the token's exp and CacheTTL, makes a
// repeated token cost a map lookup (tens of ns, no allocation).
//
// Every rule has its sentinel error (ErrExpired, ErrIssuer, ...), and Code
// maps an error to a stable snake_case code for logs. Errors never contain
// the token or its signature.
package cognito
