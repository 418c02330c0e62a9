// Package devissuer is the local platform's stand-in for a Cognito user
// pool: it mints Cognito-shaped access and id tokens and serves their JWKS.
//
// DEV ONLY. Its RSA key (dev-key.pem) is committed to the repository on
// purpose and is therefore public: anyone can mint tokens that this issuer's
// JWKS validates. The issuer URL lives under the reserved .invalid domain so
// it can never name a real server. Never point a deployed authorizer at this
// issuer or its JWKS; production packages never import this one.
//
// Tokens follow what Cognito issues (header kid and alg RS256 only; access
// tokens: sub, iss, client_id, token_use, scope, cognito:groups, username,
// auth_time, iat, exp, jti, origin_jti, event_id, version; id tokens: aud,
// cognito:username and optionally email instead of client_id, scope and
// username), so internal/cognito verifies them exactly as it verifies a
// real pool's.
package devissuer
