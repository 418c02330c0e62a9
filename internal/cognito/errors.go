package cognito

import "errors"

// ruleError is a sentinel whose code is stable for logs and metrics.
type ruleError struct{ code, msg string }

func (e *ruleError) Error() string { return e.msg }

// Sentinel errors, one per rule. Match them with errors.Is.
var (
	ErrTokenTooLarge   error = &ruleError{"token_too_large", "token is larger than allowed"}
	ErrMissingToken    error = &ruleError{"token_missing", "no token"}
	ErrMalformed       error = &ruleError{"token_malformed", "token is malformed"}
	ErrHeader          error = &ruleError{"token_header_rejected", "token header carries a parameter that is not accepted"}
	ErrAlgorithm       error = &ruleError{"token_algorithm", "token algorithm is not accepted"}
	ErrUnknownKey      error = &ruleError{"token_unknown_key", "token key id is not in the key set"}
	ErrSignature       error = &ruleError{"token_signature", "token signature is invalid"}
	ErrExpired         error = &ruleError{"token_expired", "token has expired"}
	ErrNotYetValid     error = &ruleError{"token_not_yet_valid", "token is not valid yet"}
	ErrIssuer          error = &ruleError{"token_issuer", "token issuer is not accepted"}
	ErrTokenUse        error = &ruleError{"token_use", "token use is not accepted"}
	ErrClient          error = &ruleError{"token_client", "token client is not accepted"}
	ErrScope           error = &ruleError{"token_scope", "token lacks a required scope"}
	ErrGroup           error = &ruleError{"token_group", "token lacks a required group"}
	ErrJWKSUnavailable error = &ruleError{"jwks_unavailable", "key set is unavailable"}
)

// Code returns the stable snake_case code of err's rule, or "internal" when
// err matches none.
func Code(err error) string {
	var re *ruleError
	if errors.As(err, &re) {
		return re.code
	}
	return "internal"
}
