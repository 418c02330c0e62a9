package cognito

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"
)

// MaxTokenBytes caps the token length accepted for parsing. Cognito tokens
// are 1–2 KB even with many groups; API Gateway caps a request's headers at
// 10 KB anyway.
const MaxTokenBytes = 8 << 10

// compactByte marks the bytes of a compact JWS: base64url and the dot.
var compactByte = func() (t [256]bool) {
	for _, c := range []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.") {
		t[c] = true
	}
	return t
}()

// checkCompact refuses anything but three base64url parts (RFC 7515's
// compact serialization, no padding) before jws sees the token. jws's
// decoder also takes padded and standard-alphabet base64 and the JSON
// serialization; none of them is a token Cognito issues.
func checkCompact(token string) error {
	if token == "" {
		return ErrMissingToken
	}
	if strings.Count(token, ".") != 2 {
		return fmt.Errorf("%w: not three dot-separated parts", ErrMalformed)
	}
	for _, c := range []byte(token) {
		if !compactByte[c] {
			return fmt.Errorf("%w: not base64url", ErrMalformed)
		}
	}
	if token[0] == '.' || strings.Contains(token, "..") {
		return fmt.Errorf("%w: empty header or payload", ErrMalformed)
	}
	// jws decodes leniently, and the signature is the one part it does not
	// re-encode before verifying: without this check a signature would have
	// several spellings (unused low bits of its last character), so one
	// token several strings.
	if _, err := base64.RawURLEncoding.Strict().DecodeString(token[strings.LastIndexByte(token, '.')+1:]); err != nil {
		return fmt.Errorf("%w: signature is not canonical base64url", ErrMalformed)
	}
	return nil
}

// refusedHeaders are header parameters by which a token would choose its
// own key (jku, jwk, x5u, x5c) or change the rules of verification (crit,
// b64). Their presence alone, whatever the value, refuses the token.
var refusedHeaders = []string{jws.JWKSetURLKey, jws.JWKKey, jws.X509URLKey, jws.X509CertChainKey, jws.CriticalKey, "b64"}

// checkHeader applies the header policy: RS256, none of refusedHeaders, a
// kid.
func checkHeader(h jws.Headers) error {
	if alg := h.Algorithm(); alg != jwa.RS256 {
		return fmt.Errorf("%w: %q", ErrAlgorithm, alg.String())
	}
	for _, name := range refusedHeaders {
		if _, ok := h.Get(name); ok {
			return fmt.Errorf("%w: %s", ErrHeader, name)
		}
	}
	if h.KeyID() == "" {
		return fmt.Errorf("%w: no kid", ErrUnknownKey)
	}
	return nil
}

// tokenKey is the jws.KeyProvider of one verification: jws.Verify calls it
// with the parsed protected header, before checking the signature. It
// applies the header policy and hands over the key the header's kid names
// in the pool's key set, and nothing else.
type tokenKey struct {
	keys   *keySource
	called bool  // the token parsed as a JWS
	err    error // the policy's or key lookup's refusal
}

func (p *tokenKey) FetchKeys(ctx context.Context, sink jws.KeySink, sig *jws.Signature, _ *jws.Message) error {
	p.called = true
	h := sig.ProtectedHeaders()
	if p.err = checkHeader(h); p.err != nil {
		return p.err
	}
	pub, err := p.keys.key(ctx, h.KeyID())
	if err != nil {
		p.err = err
		return err
	}
	// The algorithm is ours, not the header's (checkHeader made them agree).
	sink.Key(jwa.RS256, pub)
	return nil
}

// claimSet is the payload as Cognito writes it. NumericDates are float64
// because RFC 7519 allows fractions; zero means absent. It is read with
// encoding/json only after the signature is verified, so its content is
// the issuer's: encoding/json's leniencies (a later duplicate wins, names
// match without regard to case) are the issuer's choice to exploit, and
// Cognito writes neither.
type claimSet struct {
	Issuer          string   `json:"iss"`
	Subject         string   `json:"sub"`
	TokenUse        string   `json:"token_use"`
	ClientID        string   `json:"client_id"`
	Audience        audience `json:"aud"`
	Expires         float64  `json:"exp"`
	NotBefore       float64  `json:"nbf"`
	IssuedAt        float64  `json:"iat"`
	Scope           string   `json:"scope"`
	Groups          []string `json:"cognito:groups"`
	Username        string   `json:"username"`
	CognitoUsername string   `json:"cognito:username"`
	Email           string   `json:"email"`
	JTI             string   `json:"jti"`
}

// audience is "aud", a string or an array of strings (RFC 7519 4.1.3).
type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
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
