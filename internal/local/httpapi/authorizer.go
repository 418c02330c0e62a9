package httpapi

import (
	"bytes"
	"container/list"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// lambdaAuthorizerTimeout is how long API Gateway waits for a Lambda
// authorizer.
const lambdaAuthorizerTimeout = 10 * time.Second

// maxCacheEntries bounds each authorizer's result cache; when full, the
// least recently used entry goes.
const maxCacheEntries = 10000

// Authorization failures, translated to API Gateway's responses at the edge.
var (
	errUnauthorized = errors.New("unauthorized")
	errForbidden    = errors.New("forbidden")
	errAuthorizer   = errors.New("authorizer failed")
)

type authorizer struct {
	name     string
	cfg      Authorizer
	identity []mapping
	jwt      *jwtVerifier
	cache    authCache
}

// authResult is what a successful authorization leaves on the request.
type authResult struct {
	lambda      map[string]any // Lambda authorizer context
	principalID string         // IAM policy responses
	jwt         *events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription
}

func (a *authResult) description() *events.APIGatewayV2HTTPRequestContextAuthorizerDescription {
	if a.jwt != nil {
		return &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{JWT: a.jwt}
	}
	lambda := a.lambda
	if lambda == nil {
		lambda = map[string]any{}
	}
	return &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{Lambda: lambda}
}

// v1Map is requestContext.authorizer in payload format 1.0.
func (a *authResult) v1Map() map[string]any {
	if a.jwt != nil {
		return map[string]any{"claims": a.jwt.Claims, "scopes": a.jwt.Scopes}
	}
	out := make(map[string]any, len(a.lambda)+1)
	for k, v := range a.lambda {
		out[k] = v
	}
	if a.principalID != "" {
		out["principalId"] = a.principalID
	}
	return out
}

// value answers $context.authorizer.<key>.
func (a *authResult) value(key string) string {
	if a.jwt != nil {
		if claim, ok := strings.CutPrefix(key, "claims."); ok {
			return a.jwt.Claims[claim]
		}
		return ""
	}
	if key == "principalId" && a.principalID != "" {
		return a.principalID
	}
	v, ok := a.lambda[key]
	if !ok {
		return ""
	}
	return scalarString(v)
}

// scalarString renders a JSON value the way API Gateway substitutes it.
func scalarString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// authDecision is a cached authorizer answer. For IAM responses the policy
// is kept, because one cached policy is evaluated against every route the
// same identity calls.
type authDecision struct {
	simple      bool
	allowed     bool
	policy      []policyStatement
	principalID string
	context     map[string]any
}

func (d *authDecision) allows(routeARN string) bool {
	if d.simple {
		return d.allowed
	}
	return evaluatePolicy(d.policy, routeARN)
}

// authCache is one authorizer's result cache. An entry lives until its
// expiry; when the cache is full the least recently used entry makes room,
// so a burst of new identities pushes out decisions nobody is using rather
// than the ones in use.
type authCache struct {
	mu      sync.Mutex
	max     int                      // 0: maxCacheEntries
	entries map[string]*list.Element // values are *authCacheEntry
	lru     list.List                // front: most recently used
}

type authCacheEntry struct {
	key      string
	decision *authDecision
	expires  time.Time
}

func (c *authCache) get(key string, now time.Time) *authDecision {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok {
		return nil
	}
	e := el.Value.(*authCacheEntry)
	if !now.Before(e.expires) {
		c.lru.Remove(el)
		delete(c.entries, key)
		return nil
	}
	c.lru.MoveToFront(el)
	return e.decision
}

func (c *authCache) put(key string, d *authDecision, expires time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[string]*list.Element{}
	}
	if el, ok := c.entries[key]; ok {
		e := el.Value.(*authCacheEntry)
		e.decision, e.expires = d, expires
		c.lru.MoveToFront(el)
		return
	}
	limit := c.max
	if limit <= 0 {
		limit = maxCacheEntries
	}
	if len(c.entries) >= limit {
		oldest := c.lru.Back()
		c.lru.Remove(oldest)
		delete(c.entries, oldest.Value.(*authCacheEntry).key)
	}
	c.entries[key] = c.lru.PushFront(&authCacheEntry{key: key, decision: d, expires: expires})
}

// authFailure carries what the client sees plus what the access log and
// the logger get.
type authFailure struct {
	kind   error  // errUnauthorized, errForbidden or errAuthorizer
	detail string // safe for the access log; never contains the token
	cause  error  // for the logger only (e.g. the authorizer's error output)
	header string // www-authenticate, for JWT failures
}

func (f *authFailure) Error() string { return f.kind.Error() + ": " + f.detail }
func (f *authFailure) Unwrap() error { return f.kind }

// authorize runs the route's authorizer for req.
func (s *Server) authorize(ctx context.Context, a *authorizer, req *request) (*authResult, error) {
	values := make([]string, len(a.identity))
	for i, m := range a.identity {
		values[i] = m.eval(req)
		if values[i] == "" {
			return nil, &authFailure{kind: errUnauthorized, detail: "identity source " + m.String() + " is missing"}
		}
	}
	if a.jwt != nil {
		return a.jwt.authorize(ctx, values[0], req.route.cfg.AuthorizationScopes, s.now())
	}
	routeARN := s.routeARN(req)
	key := strings.Join(values, "\x00")
	now := s.now()
	d := (*authDecision)(nil)
	if a.cfg.ResultTTL > 0 {
		d = a.cache.get(key, now)
	}
	if d == nil {
		var err error
		d, err = s.invokeAuthorizer(ctx, a, req, values, routeARN)
		if err != nil {
			return nil, &authFailure{kind: errAuthorizer, detail: "authorizer " + a.name + " failed or answered with an invalid response", cause: err}
		}
		if a.cfg.ResultTTL > 0 {
			a.cache.put(key, d, now.Add(a.cfg.ResultTTL))
		}
	}
	if !d.allows(routeARN) {
		return nil, &authFailure{kind: errForbidden, detail: "authorizer " + a.name + " denied " + routeARN}
	}
	return &authResult{lambda: d.context, principalID: d.principalID}, nil
}

// routeARN is the ARN API Gateway passes to authorizers and evaluates IAM
// policies against: arn:aws:execute-api:region:account:api/stage/METHOD/path.
func (s *Server) routeARN(req *request) string {
	return "arn:aws:execute-api:" + s.cfg.Region + ":" + s.cfg.AccountID + ":" + s.cfg.APIID + "/" +
		s.stage + "/" + req.method + "/" + strings.TrimPrefix(unescape(req.path), "/")
}

// authorizerRequest builds the payload format 2.0 authorizer request: the
// request without its body.
func (s *Server) authorizerRequest(req *request, identity []string, routeARN string) events.APIGatewayV2CustomAuthorizerV2Request {
	return events.APIGatewayV2CustomAuthorizerV2Request{
		Version:               "2.0",
		Type:                  "REQUEST",
		RouteArn:              routeARN,
		IdentitySource:        identity,
		RouteKey:              req.routeKey(),
		RawPath:               req.rawPath,
		RawQueryString:        req.rawQuery,
		Cookies:               req.cookies,
		Headers:               req.headers,
		QueryStringParameters: req.query,
		RequestContext:        s.requestContextV2(req, false),
		PathParameters:        req.pathParams,
	}
}

func (s *Server) invokeAuthorizer(ctx context.Context, a *authorizer, req *request, identity []string, routeARN string) (*authDecision, error) {
	payload, err := marshalAuthorizerRequest(s.authorizerRequest(req, identity, routeARN))
	if err != nil {
		return nil, fmt.Errorf("encode authorizer request: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, lambdaAuthorizerTimeout)
	defer cancel()
	out, err := invokeWithin(ctx, s.opts.Invoker, a.cfg.Function, payload)
	if err != nil {
		return nil, fmt.Errorf("invoke authorizer %s: %w", a.name, err)
	}
	if a.cfg.EnableSimpleResponses {
		return parseSimpleResponse(out)
	}
	return parsePolicyResponse(out)
}

// decodeJSON decodes data keeping numbers as json.Number, so a value API
// Gateway passes on (authorizer context, body selections) keeps the digits
// it was sent with instead of going through float64.
func decodeJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return dec.Decode(v)
}

func parseSimpleResponse(out []byte) (*authDecision, error) {
	var resp struct {
		IsAuthorized *bool          `json:"isAuthorized"`
		Context      map[string]any `json:"context"`
	}
	if err := decodeJSON(out, &resp); err != nil {
		return nil, fmt.Errorf("authorizer response is not a simple response: %w", err)
	}
	if resp.IsAuthorized == nil {
		return nil, errors.New("authorizer response has no isAuthorized")
	}
	return &authDecision{simple: true, allowed: *resp.IsAuthorized, context: resp.Context}, nil
}

// stringOrList decodes IAM's "one string or a list of strings" fields.
type stringOrList []string

func (l *stringOrList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*l = []string{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New("want a string or a list of strings")
	}
	*l = many
	return nil
}

type policyStatement struct {
	Effect   string       `json:"Effect"`
	Action   stringOrList `json:"Action"`
	Resource stringOrList `json:"Resource"`
}

func parsePolicyResponse(out []byte) (*authDecision, error) {
	var resp struct {
		PrincipalID    *string `json:"principalId"`
		PolicyDocument *struct {
			Version   string            `json:"Version"`
			Statement []policyStatement `json:"Statement"`
		} `json:"policyDocument"`
		Context map[string]any `json:"context"`
	}
	if err := decodeJSON(out, &resp); err != nil {
		return nil, fmt.Errorf("authorizer response is not an IAM policy response: %w", err)
	}
	if resp.PrincipalID == nil || resp.PolicyDocument == nil {
		return nil, errors.New("authorizer response lacks principalId or policyDocument")
	}
	for _, st := range resp.PolicyDocument.Statement {
		if st.Effect != "Allow" && st.Effect != "Deny" {
			return nil, fmt.Errorf("policy statement effect %q", st.Effect)
		}
	}
	return &authDecision{policy: resp.PolicyDocument.Statement, principalID: *resp.PrincipalID, context: resp.Context}, nil
}

// evaluatePolicy applies IAM's rule for execute-api:Invoke on routeARN: an
// explicit Deny wins, otherwise some Allow must match.
func evaluatePolicy(stmts []policyStatement, routeARN string) bool {
	allowed := false
	for _, st := range stmts {
		if !anyMatch(st.Action, "execute-api:Invoke") || !anyMatch(st.Resource, routeARN) {
			continue
		}
		if st.Effect == "Deny" {
			return false
		}
		allowed = true
	}
	return allowed
}

func anyMatch(patterns []string, s string) bool {
	for _, p := range patterns {
		if wildcardMatch(p, s) {
			return true
		}
	}
	return false
}

// wildcardMatch matches IAM patterns: * is any run of characters, ? one.
// Action names compare without regard to case, as IAM's do.
func wildcardMatch(pattern, s string) bool {
	if strings.HasPrefix(s, "execute-api:") {
		pattern, s = strings.ToLower(pattern), strings.ToLower(s)
	}
	// Iterative glob with single backtrack point: linear in practice.
	p, i, star, mark := 0, 0, -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// apiErrorStatus is the status and message of API Gateway's own response
// to an authorization failure.
func apiErrorStatus(err error) (int, string) {
	switch {
	case errors.Is(err, errUnauthorized):
		return http.StatusUnauthorized, "Unauthorized"
	case errors.Is(err, errForbidden):
		return http.StatusForbidden, "Forbidden"
	}
	return http.StatusInternalServerError, "Internal Server Error"
}
