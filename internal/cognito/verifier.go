package cognito

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v2/jws"
)

// Token uses, as Cognito writes them in token_use.
const (
	TokenUseAccess = "access"
	TokenUseID     = "id"
)

// Defaults and bounds of Config.
const (
	// DefaultLeeway absorbs clock skew between Cognito and the verifier.
	DefaultLeeway = 10 * time.Second
	// MaxLeeway bounds Config.Leeway: a larger one would stretch every
	// token's lifetime noticeably.
	MaxLeeway = time.Minute
	// DefaultRefreshInterval is how often the key set is refetched on
	// schedule. Cognito rotates keys rarely; an unknown kid also refetches.
	DefaultRefreshInterval = time.Hour
	// DefaultMinRefreshInterval is the least time between two forced
	// refetches (unknown kid, or no key set yet).
	DefaultMinRefreshInterval = time.Minute
	// DefaultCacheSize is how many verified tokens are remembered.
	DefaultCacheSize = 1024
	// DefaultCacheTTL is the longest a verified token is remembered, so a
	// key withdrawn from the key set stops being honoured soon after.
	DefaultCacheTTL = 5 * time.Minute
	// DefaultFetchTimeout bounds one key set fetch when Config.HTTPClient
	// is nil; Lambda's init phase lasts at most 10 s.
	DefaultFetchTimeout = 3 * time.Second
)

// Config describes the user pool and app clients whose tokens are accepted.
type Config struct {
	// Issuer is the pool's issuer URL, compared exactly. If empty it is
	// built from UserPoolID and Region.
	Issuer     string
	UserPoolID string
	Region     string
	// ClientIDs are the app clients whose tokens are accepted: client_id
	// of access tokens, aud of id tokens. At least one is required.
	ClientIDs []string
	// TokenUse is TokenUseAccess (default) or TokenUseID.
	TokenUse string
	// JWKSURL defaults to Issuer + "/.well-known/jwks.json".
	JWKSURL string
	// Leeway applies to exp, nbf and iat; 0 means none, at most MaxLeeway.
	Leeway time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// HTTPClient fetches the key set; nil means a client with
	// DefaultFetchTimeout that follows no redirects and reads at most
	// MaxJWKSBytes.
	HTTPClient *http.Client
	// RefreshInterval and MinRefreshInterval: see the defaults.
	RefreshInterval    time.Duration
	MinRefreshInterval time.Duration
	// CacheSize bounds the verified-token cache (0: default, <0: no cache).
	CacheSize int
	// CacheTTL bounds how long a verified token is remembered (0: default).
	CacheTTL time.Duration
	// Logger receives the outcome of the first key set fetch; nil discards.
	Logger *slog.Logger
}

// Claims is what a verified token says about its caller. A Claims returned
// by Verify may be shared with later calls for the same token: treat it as
// read-only.
type Claims struct {
	Issuer   string
	Subject  string
	TokenUse string
	// Username is username (access tokens) or cognito:username (id tokens).
	Username string
	// ClientID is client_id (access tokens) or the accepted aud (id tokens).
	ClientID string
	// Scope is the space-separated scope claim (access tokens).
	Scope    string
	Groups   []string
	Email    string
	JTI      string
	Expires  time.Time
	IssuedAt time.Time
}

// Scopes returns the scopes of Scope.
func (c *Claims) Scopes() []string { return strings.Fields(c.Scope) }

// Require checks route rules: if scopes is not empty the token must carry at
// least one of them, and likewise for groups. Any-of matches API Gateway's
// JWT authorizer (a route's AuthorizationScopes), so both authorizers mean
// the same thing by a rule.
func (c *Claims) Require(scopes, groups []string) error {
	if len(scopes) > 0 && !c.hasAnyScope(scopes) {
		return fmt.Errorf("%w: needs one of %v", ErrScope, scopes)
	}
	if len(groups) > 0 && !slices.ContainsFunc(groups, func(g string) bool { return slices.Contains(c.Groups, g) }) {
		return fmt.Errorf("%w: needs one of %v", ErrGroup, groups)
	}
	return nil
}

func (c *Claims) hasAnyScope(scopes []string) bool {
	for s := range strings.FieldsSeq(c.Scope) {
		if slices.Contains(scopes, s) {
			return true
		}
	}
	return false
}

// Verifier verifies tokens of one user pool. It is safe for concurrent use.
type Verifier struct {
	issuer   string
	clients  []string
	tokenUse string
	leeway   float64 // seconds
	now      func() time.Time
	keys     *keySource
	cache    *tokenCache
}

var (
	userPoolIDPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d+_[0-9A-Za-z]+$`)
	regionPattern     = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d+$`)
)

// IssuerURL returns the issuer of a Cognito user pool.
func IssuerURL(region, userPoolID string) (string, error) {
	if !regionPattern.MatchString(region) {
		return "", fmt.Errorf("cognito: region %q is not an AWS region", region)
	}
	if !userPoolIDPattern.MatchString(userPoolID) || !strings.HasPrefix(userPoolID, region+"_") {
		return "", fmt.Errorf("cognito: user pool id %q is not a pool of region %s", userPoolID, region)
	}
	return "https://cognito-idp." + region + ".amazonaws.com/" + userPoolID, nil
}

// New checks cfg, creates the key cache and fetches the key set once. A
// failed first fetch does not fail New: it is logged, tokens are refused
// with ErrJWKSUnavailable, and the fetch is retried on later calls (at most
// once per MinRefreshInterval). Call Close to stop background refreshes.
func New(ctx context.Context, cfg Config) (*Verifier, error) {
	issuer := cfg.Issuer
	if issuer == "" {
		if cfg.UserPoolID == "" {
			return nil, errors.New("cognito: an issuer, or a user pool id and region, is required")
		}
		var err error
		if issuer, err = IssuerURL(cfg.Region, cfg.UserPoolID); err != nil {
			return nil, err
		}
	}
	if !isAbsoluteHTTPURL(issuer) {
		return nil, fmt.Errorf("cognito: issuer %q is not an absolute URL", issuer)
	}
	clients := slices.DeleteFunc(slices.Clone(cfg.ClientIDs), func(s string) bool { return s == "" })
	if len(clients) == 0 {
		return nil, errors.New("cognito: at least one client id is required")
	}
	tokenUse := cfg.TokenUse
	switch tokenUse {
	case "":
		tokenUse = TokenUseAccess
	case TokenUseAccess, TokenUseID:
	default:
		return nil, fmt.Errorf("cognito: token use %q is neither %q nor %q", tokenUse, TokenUseAccess, TokenUseID)
	}
	if cfg.Leeway < 0 || cfg.Leeway > MaxLeeway {
		return nil, fmt.Errorf("cognito: leeway %s is outside 0..%s", cfg.Leeway, MaxLeeway)
	}
	jwksURL := cfg.JWKSURL
	if jwksURL == "" {
		jwksURL = strings.TrimSuffix(issuer, "/") + "/.well-known/jwks.json"
	}
	if !isAbsoluteHTTPURL(jwksURL) {
		return nil, fmt.Errorf("cognito: JWKS URL %q is not an absolute http(s) URL", jwksURL)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	client := cfg.HTTPClient
	if client == nil {
		client = NewJWKSClient()
	}
	refresh := orDefault(cfg.RefreshInterval, DefaultRefreshInterval)
	minRefresh := orDefault(cfg.MinRefreshInterval, DefaultMinRefreshInterval)
	keys, err := newKeySource(jwksURL, client, refresh, minRefresh, now)
	if err != nil {
		return nil, fmt.Errorf("cognito: %w", err)
	}
	v := &Verifier{
		issuer:   issuer,
		clients:  clients,
		tokenUse: tokenUse,
		leeway:   cfg.Leeway.Seconds(),
		now:      now,
		keys:     keys,
		cache:    newTokenCache(cfg.CacheSize, orDefault(cfg.CacheTTL, DefaultCacheTTL)),
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if err := keys.fetch(ctx); err != nil {
		logger.Warn("JWKS fetch at start failed; tokens are refused until a fetch succeeds",
			"jwks_url", jwksURL, "code", Code(err), "error", err.Error())
	} else {
		logger.Info("JWKS fetched", "jwks_url", jwksURL)
	}
	return v, nil
}

func isAbsoluteHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// Close stops the key cache's background refreshes.
func (v *Verifier) Close() { v.keys.close() }

// Issuer returns the issuer tokens must carry.
func (v *Verifier) Issuer() string { return v.issuer }

// Verify checks token against every rule and returns its claims. ctx bounds
// a key set fetch, if one is needed.
func (v *Verifier) Verify(ctx context.Context, token string) (*Claims, error) {
	if len(token) > MaxTokenBytes {
		return nil, fmt.Errorf("%w: %d bytes", ErrTokenTooLarge, len(token))
	}
	now := v.now()
	if c, ok := v.cache.get(token, now); ok {
		return c, nil
	}
	c, err := v.verify(ctx, token, now)
	if err != nil {
		return nil, err
	}
	v.cache.put(token, c, now)
	return c, nil
}

func (v *Verifier) verify(ctx context.Context, token string, now time.Time) (*Claims, error) {
	if err := checkCompact(token); err != nil {
		return nil, err
	}
	kp := tokenKey{keys: v.keys}
	payload, err := jws.Verify([]byte(token), jws.WithCompact(), jws.WithKeyProvider(&kp), jws.WithContext(ctx))
	// (Conditions as if statements, here and in check: gremlins counts a
	// switch case's condition as never covered.)
	if kp.err != nil {
		return nil, kp.err
	}
	if err != nil && !kp.called {
		// jws could not parse it: bad base64, a header that is not a JSON
		// object of valid JOSE parameters.
		return nil, fmt.Errorf("%w: not a JWS", ErrMalformed)
	}
	if err != nil {
		return nil, ErrSignature
	}
	var cs claimSet
	if err := json.Unmarshal(payload, &cs); err != nil {
		return nil, fmt.Errorf("%w: payload is not a valid JSON object of claims", ErrMalformed)
	}
	return v.check(&cs, now)
}

// check applies the claim rules to a token whose signature is valid.
func (v *Verifier) check(cs *claimSet, now time.Time) (*Claims, error) {
	if cs.Issuer != v.issuer {
		return nil, fmt.Errorf("%w: %q", ErrIssuer, cs.Issuer)
	}
	if cs.TokenUse != v.tokenUse {
		return nil, fmt.Errorf("%w: %q, want %q", ErrTokenUse, cs.TokenUse, v.tokenUse)
	}
	client := cs.ClientID
	if v.tokenUse == TokenUseID {
		// Cognito id tokens name the app client in aud.
		client = ""
		for _, a := range cs.Audience {
			if slices.Contains(v.clients, a) {
				client = a
				break
			}
		}
		if client == "" {
			return nil, fmt.Errorf("%w: aud %q", ErrClient, []string(cs.Audience))
		}
	} else if !slices.Contains(v.clients, client) {
		return nil, fmt.Errorf("%w: client_id %q", ErrClient, client)
	}
	// Seconds as float64: no overflow whatever the token says.
	t := float64(now.UnixNano()) / 1e9
	if cs.Expires == 0 {
		return nil, fmt.Errorf("%w: no exp", ErrExpired)
	}
	if t >= cs.Expires+v.leeway {
		return nil, fmt.Errorf("%w: at %s", ErrExpired, unixTime(cs.Expires).UTC().Format(time.RFC3339))
	}
	if cs.NotBefore != 0 && t < cs.NotBefore-v.leeway {
		return nil, fmt.Errorf("%w: nbf %s", ErrNotYetValid, unixTime(cs.NotBefore).UTC().Format(time.RFC3339))
	}
	if cs.IssuedAt == 0 {
		return nil, fmt.Errorf("%w: no iat", ErrMalformed)
	}
	if t < cs.IssuedAt-v.leeway {
		return nil, fmt.Errorf("%w: iat %s", ErrNotYetValid, unixTime(cs.IssuedAt).UTC().Format(time.RFC3339))
	}
	if cs.Subject == "" {
		return nil, fmt.Errorf("%w: no sub", ErrMalformed)
	}
	username := cs.Username
	if username == "" {
		username = cs.CognitoUsername
	}
	return &Claims{
		Issuer:   cs.Issuer,
		Subject:  cs.Subject,
		TokenUse: cs.TokenUse,
		Username: username,
		ClientID: client,
		Scope:    cs.Scope,
		Groups:   cs.Groups,
		Email:    cs.Email,
		JTI:      cs.JTI,
		Expires:  unixTime(cs.Expires),
		IssuedAt: unixTime(cs.IssuedAt),
	}, nil
}

// unixTime converts a NumericDate, clamping values time cannot represent.
func unixTime(sec float64) time.Time {
	const limit = 1 << 40 // about year 36812
	sec = math.Max(-limit, math.Min(limit, sec))
	whole, frac := math.Modf(sec)
	return time.Unix(int64(whole), int64(frac*1e9))
}
