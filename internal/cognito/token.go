package cognito

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
)

// MaxTokenBytes caps the token length accepted for parsing. Cognito tokens
// are 1–2 KB even with many groups; API Gateway caps a request's headers at
// 10 KB anyway.
const MaxTokenBytes = 8 << 10

// header is what the JOSE header may carry; see scanHeader for what it may
// not.
type header struct {
	Alg string
	Kid string
}

// compact is a JWS compact serialization split into its parts.
type compact struct {
	signingInput string // header "." payload, what the signature covers
	header       string
	payload      string
	signature    string
}

// split checks the shape of token before any decoding; Verify has already
// checked its size.
func split(token string) (compact, error) {
	if token == "" {
		return compact{}, ErrMissingToken
	}
	h, rest, ok := strings.Cut(token, ".")
	if !ok {
		return compact{}, fmt.Errorf("%w: not three dot-separated parts", ErrMalformed)
	}
	p, s, ok := strings.Cut(rest, ".")
	if !ok || strings.Contains(s, ".") {
		return compact{}, fmt.Errorf("%w: not three dot-separated parts", ErrMalformed)
	}
	if h == "" || p == "" {
		return compact{}, fmt.Errorf("%w: empty part", ErrMalformed)
	}
	return compact{signingInput: token[:len(h)+1+len(p)], header: h, payload: p, signature: s}, nil
}

// decodeSegment decodes one base64url part (no padding, as RFC 7515 says).
func decodeSegment(seg, what string) ([]byte, error) {
	buf := make([]byte, base64.RawURLEncoding.DecodedLen(len(seg)))
	n, err := base64.RawURLEncoding.Strict().Decode(buf, []byte(seg))
	if err != nil {
		return nil, fmt.Errorf("%w: %s is not base64url", ErrMalformed, what)
	}
	return buf[:n], nil
}

// parseHeader decodes and checks the header: RS256 only, a kid, and no
// parameter by which the token would choose its own key (jku, jwk, x5u,
// x5c) or extend the rules (crit, b64).
func parseHeader(seg string) (header, error) {
	var h header
	b, err := decodeSegment(seg, "header")
	if err != nil {
		return h, err
	}
	refused, err := scanHeader(b, &h)
	switch {
	case err != nil:
		return h, fmt.Errorf("%w: header is not a valid JSON object", ErrMalformed)
	case h.Alg != "RS256":
		return h, fmt.Errorf("%w: %q", ErrAlgorithm, h.Alg)
	case refused != "":
		return h, fmt.Errorf("%w: %s", ErrHeader, refused)
	case h.Kid == "":
		return h, fmt.Errorf("%w: no kid", ErrUnknownKey)
	}
	return h, nil
}

// parseClaims decodes the payload of a token whose signature is valid.
func parseClaims(seg string) (claimSet, error) {
	var cs claimSet
	b, err := decodeSegment(seg, "payload")
	if err != nil {
		return cs, err
	}
	if err := scanClaims(b, &cs); err != nil {
		return cs, fmt.Errorf("%w: payload is not a valid JSON object of claims", ErrMalformed)
	}
	return cs, nil
}

// claimSet is the payload as Cognito writes it. NumericDates are float64
// because RFC 7519 allows fractions; zero means absent. scanClaims fills it;
// the json tags define the encoding/json decoding the fuzz tests compare
// scanClaims with.
type claimSet struct {
	Issuer          string   `json:"iss"`
	Subject         string   `json:"sub"`
	TokenUse        string   `json:"token_use"`
	ClientID        string   `json:"client_id"`
	Audience        audience `json:"aud"`
	Expires         float64  `json:"exp"`
	NotBefore       float64  `json:"nbf"`
	IssuedAt        float64  `json:"iat"`
	AuthTime        float64  `json:"auth_time"`
	Scope           string   `json:"scope"`
	Groups          []string `json:"cognito:groups"`
	Username        string   `json:"username"`
	CognitoUsername string   `json:"cognito:username"`
	Email           string   `json:"email"`
	JTI             string   `json:"jti"`
}

// audience is "aud", a string or an array of strings (RFC 7519 4.1.3).
// UnmarshalJSON serves the encoding/json reference decoding.
type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*a = audience{s}
		return nil
	}
	var ss []string
	if err := json.Unmarshal(b, &ss); err != nil {
		return err
	}
	*a = ss
	return nil
}
