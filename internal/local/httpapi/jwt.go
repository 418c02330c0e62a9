package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"
)

const (
	// jwksMaxAge is how long fetched keys are trusted before a refetch.
	jwksMaxAge = 5 * time.Minute
	// jwksMinRefetch limits refetches caused by unknown keys.
	jwksMinRefetch = 10 * time.Second
)

// jwtVerifier is an HTTP API JWT authorizer: signature against the issuer's
// JWKS, iss, aud (or client_id when aud is absent), exp, nbf, iat, and the
// route's scopes.
type jwtVerifier struct {
	cfg    Authorizer
	client *http.Client

	mu      sync.Mutex
	set     jwk.Set
	fetched time.Time
}

func newJWTVerifier(cfg Authorizer, opts Options) *jwtVerifier {
	client := opts.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	return &jwtVerifier{cfg: cfg, client: client}
}

// keys returns the cached key set, fetching it when absent, stale, or when
// the caller saw an unknown key and the last fetch is not too recent.
func (v *jwtVerifier) keys(ctx context.Context, now time.Time, refresh bool) (jwk.Set, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	stale := v.set == nil || now.Sub(v.fetched) > jwksMaxAge
	if refresh && now.Sub(v.fetched) > jwksMinRefetch {
		stale = true
	}
	if !stale {
		return v.set, nil
	}
	set, err := jwk.Fetch(ctx, v.cfg.JWKSURL, jwk.WithHTTPClient(v.client))
	if err != nil {
		if v.set != nil {
			return v.set, nil // keep serving the keys we have
		}
		return nil, fmt.Errorf("fetch JWKS %s: %w", v.cfg.JWKSURL, err)
	}
	v.set, v.fetched = set, now
	return set, nil
}

// errUnverified is the one JWT failure worth a JWKS refetch: no cached key
// verifies the signature.
var errUnverified = jwtFailure(errUnauthorized, "the token signature could not be verified")

func jwtFailure(kind error, description string) *authFailure {
	code := "invalid_token"
	if kind == errForbidden {
		code = "insufficient_scope"
	}
	return &authFailure{
		kind:   kind,
		detail: description,
		header: fmt.Sprintf(`Bearer scope="" error=%q error_description=%q`, code, description),
	}
}

func (v *jwtVerifier) authorize(ctx context.Context, identity string, scopes []string, now time.Time) (*authResult, error) {
	raw := identity
	if len(raw) > 7 && strings.EqualFold(raw[:7], "bearer ") {
		raw = strings.TrimSpace(raw[7:])
	}
	if problem := headerProblem(raw); problem != "" {
		return nil, jwtFailure(errUnauthorized, problem)
	}
	tok, err := v.parse(ctx, raw, now, false)
	if errors.Is(err, errUnverified) {
		// The issuer may have rotated its keys since the last fetch; other
		// failures (expiry, issuer...) a fresh key set cannot cure.
		tok, err = v.parse(ctx, raw, now, true)
	}
	if err != nil {
		return nil, err
	}
	if aud := tok.Audience(); len(aud) > 0 {
		if !intersects(aud, v.cfg.JWTAudience) {
			return nil, jwtFailure(errUnauthorized, "the token does not have a valid audience")
		}
	} else {
		clientID, _ := tok.Get("client_id")
		id, _ := clientID.(string)
		if id == "" || !intersects([]string{id}, v.cfg.JWTAudience) {
			return nil, jwtFailure(errUnauthorized, "the token does not have a valid audience")
		}
	}
	tokenScopes := scopesOf(tok)
	if len(scopes) > 0 && !intersects(tokenScopes, scopes) {
		return nil, jwtFailure(errForbidden, "the token does not have a required scope")
	}
	claims, err := tok.AsMap(ctx)
	if err != nil {
		return nil, jwtFailure(errUnauthorized, "the token claims could not be read")
	}
	desc := &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{
		Claims: make(map[string]string, len(claims)),
		Scopes: tokenScopes,
	}
	for k, c := range claims {
		desc.Claims[k] = claimString(c)
	}
	return &authResult{jwt: desc}, nil
}

func (v *jwtVerifier) parse(ctx context.Context, raw string, now time.Time, refresh bool) (jwt.Token, error) {
	set, err := v.keys(ctx, now, refresh)
	if err != nil {
		return nil, &authFailure{kind: errAuthorizer, detail: "the issuer's keys could not be fetched", cause: err}
	}
	tok, err := jwt.ParseString(raw,
		jwt.WithKeySet(set, jws.WithInferAlgorithmFromKey(true)),
		jwt.WithValidate(true),
		jwt.WithIssuer(v.cfg.JWTIssuer),
		jwt.WithRequiredClaim(jwt.ExpirationKey),
		jwt.WithClock(jwt.ClockFunc(func() time.Time { return now })),
	)
	if err == nil {
		return tok, nil
	}
	switch {
	case errors.Is(err, jwt.ErrTokenExpired()):
		return nil, jwtFailure(errUnauthorized, "the token has expired")
	case errors.Is(err, jwt.ErrTokenNotYetValid()):
		return nil, jwtFailure(errUnauthorized, "the token is not valid yet")
	case errors.Is(err, jwt.ErrInvalidIssuer()):
		return nil, jwtFailure(errUnauthorized, "the token does not have a valid issuer")
	case errors.Is(err, jwt.ErrInvalidIssuedAt()):
		return nil, jwtFailure(errUnauthorized, "the token was issued in the future")
	case errors.Is(err, jwt.ErrMissingRequiredClaim(jwt.ExpirationKey)):
		return nil, jwtFailure(errUnauthorized, "the token has no expiry")
	}
	return nil, errUnverified
}

// scopesOf reads the token's scopes from "scope" (space separated) or "scp".
func scopesOf(tok jwt.Token) []string {
	for _, name := range []string{"scope", "scp"} {
		v, ok := tok.Get(name)
		if !ok {
			continue
		}
		switch x := v.(type) {
		case string:
			return strings.Fields(x)
		case []any:
			var out []string
			for _, s := range x {
				if str, ok := s.(string); ok {
					out = append(out, str)
				}
			}
			return out
		}
	}
	return nil
}

func intersects(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}

// claimString renders a claim as API Gateway does in jwt.claims: strings as
// they are, times as Unix seconds, lists as "[a b]".
func claimString(c any) string {
	switch x := c.(type) {
	case string:
		return x
	case time.Time:
		return fmt.Sprint(x.Unix())
	case []string:
		return "[" + strings.Join(x, " ") + "]"
	case []any:
		parts := make([]string, len(x))
		for i, p := range x {
			parts[i] = claimString(p)
		}
		return "[" + strings.Join(parts, " ") + "]"
	case map[string]any:
		keys := sortedKeys(x)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + ":" + claimString(x[k])
		}
		return "map[" + strings.Join(parts, " ") + "]"
	}
	return scalarString(c)
}

// headerProblem checks the token's header before any key is looked up:
// HTTP API JWT authorizers accept only RSA signatures and need kid to pick
// the key. It returns "" or a safe description of the problem.
func headerProblem(raw string) string {
	msg, err := jws.Parse([]byte(raw))
	if err != nil || len(msg.Signatures()) != 1 {
		return "the token is malformed"
	}
	h := msg.Signatures()[0].ProtectedHeaders()
	if alg := h.Algorithm().String(); !strings.HasPrefix(alg, "RS") && !strings.HasPrefix(alg, "PS") {
		return "the token is not signed with an RSA algorithm"
	}
	if h.KeyID() == "" {
		return "the token has no key id"
	}
	return ""
}
