package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/sqsgate/sqsgate/internal/local/iampolicy"
	"github.com/sqsgate/sqsgate/internal/local/lrucache"
)

// lambdaAuthorizerTimeout is how long API Gateway waits for a Lambda
// authorizer.
const lambdaAuthorizerTimeout = 10 * time.Second

// maxCacheEntries bounds each authorizer's result cache; when full, the
// least recently used entry goes.
const maxCacheEntries = lrucache.DefaultMax

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
	policy      []iampolicy.Statement
	principalID string
	context     map[string]any
}

func (d *authDecision) allows(routeARN string) bool {
	if d.simple {
		return d.allowed
	}
	return iampolicy.Evaluate(d.policy, routeARN) == iampolicy.Allow
}

// authCache is one authorizer's result cache.
type authCache = lrucache.Cache[*authDecision]

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
		d = a.cache.Get(key, now)
	}
	if d == nil {
		var err error
		d, err = s.invokeAuthorizer(ctx, a, req, values, routeARN)
		if err != nil {
			return nil, &authFailure{kind: errAuthorizer, detail: "authorizer " + a.name + " failed or answered with an invalid response", cause: err}
		}
		if a.cfg.ResultTTL > 0 {
			a.cache.Put(key, d, now.Add(a.cfg.ResultTTL))
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

func parsePolicyResponse(out []byte) (*authDecision, error) {
	resp, err := iampolicy.ParseResponse(out)
	if err != nil {
		return nil, err
	}
	return &authDecision{policy: resp.Statements, principalID: resp.PrincipalID, context: resp.Context}, nil
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
