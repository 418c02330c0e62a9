package restapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/sqsgate/sqsgate/internal/local/iampolicy"
	"github.com/sqsgate/sqsgate/internal/local/lambdaproxy"
	"github.com/sqsgate/sqsgate/internal/local/lrucache"
)

const (
	maxResultTTL    = time.Hour
	maxCacheEntries = lrucache.DefaultMax
)

type authorizer struct {
	name     string
	cfg      authorizerConfig
	identity []source
	cache    authCache
}

type authorizerConfig struct {
	function string
	ttl      time.Duration
}

// authResult is what an allowed request carries on: principalId and the
// authorizer's context ($context.authorizer.*).
type authResult struct {
	principalID string
	context     map[string]any
}

// contextMap is $context.authorizer and the 1.0 event's
// requestContext.authorizer: principalId and the context, whose numbers
// and booleans REST APIs pass on as strings.
func (a *authResult) contextMap() map[string]any {
	out := make(map[string]any, len(a.context))
	for k, v := range a.context {
		out[k] = scalarString(v)
	}
	out["principalId"] = a.principalID
	return out
}

func (s *Server) compileAuthorizers() (map[string]*authorizer, error) {
	out := map[string]*authorizer{}
	for name, a := range s.api.Authorizers {
		where := "authorizer " + name
		if !strings.EqualFold(a.Type, "request") {
			return nil, configErr(where, "authorizer type %q is not emulated (request)", a.Type)
		}
		if a.Function == "" {
			return nil, configErr(where, "no authorizer function")
		}
		if s.opts.Invoker == nil {
			return nil, configErr(where, "Options.Invoker is nil")
		}
		if a.ResultTTL < 0 || a.ResultTTL > maxResultTTL {
			return nil, configErr(where, "authorizerResultTtlInSeconds %s is outside 0..3600 s", a.ResultTTL)
		}
		if a.ResultTTL > 0 && len(a.IdentitySource) == 0 {
			return nil, configErr(where, "caching needs an identity source")
		}
		auth := &authorizer{name: name, cfg: authorizerConfig{function: a.Function, ttl: a.ResultTTL}}
		for _, src := range a.IdentitySource {
			for _, one := range strings.Split(src, ",") {
				sc, err := parseSource(strings.TrimSpace(one))
				if err != nil || sc.kind == "literal" {
					return nil, configErr(where, "identity source %q: not a method.request, context or stageVariables selection", one)
				}
				auth.identity = append(auth.identity, sc)
			}
		}
		out[name] = auth
	}
	return out, nil
}

// Authorization failures, with the bodies API Gateway's default gateway
// responses carry.
func errUnauthorized(detail string) *apiError {
	return &apiError{kind: "UNAUTHORIZED", status: http.StatusUnauthorized, message: "Unauthorized",
		errorType: "UnauthorizedException", detail: detail}
}

func errAuthorizerConfig(detail string) *apiError {
	return &apiError{kind: "AUTHORIZER_CONFIGURATION_ERROR", status: http.StatusInternalServerError, nullMsg: true,
		errorType: "AuthorizerConfigurationException", detail: detail}
}

func errAccessDenied(explicit bool, detail string) *apiError {
	msg := "User is not authorized to access this resource"
	if explicit {
		msg += " with an explicit deny"
	}
	return &apiError{kind: "ACCESS_DENIED", status: http.StatusForbidden, message: msg, key: "Message",
		errorType: "AccessDeniedException", detail: detail}
}

// decision is a cached authorizer answer: the whole policy, because API
// Gateway applies one cached policy to every method the same identity
// calls, whatever method it was issued for.
type decision struct {
	policy      []iampolicy.Statement
	principalID string
	context     map[string]any
}

// methodARN is the ARN authorizers receive and policies are evaluated on.
func (s *Server) methodARN(req *request) string {
	return "arn:aws:execute-api:" + s.opts.Region + ":" + s.opts.AccountID + ":" + s.api.ID + "/" +
		s.stage + "/" + req.httpMethod + "/" + strings.TrimPrefix(unescape(req.rawPath), "/")
}

// authorize runs the method's REQUEST authorizer for req.
func (s *Server) authorize(ctx context.Context, a *authorizer, req *request) error {
	values := make([]string, len(a.identity))
	for i, src := range a.identity {
		v, _ := src.eval(req, req.context)
		values[i] = v
		if v == "" && a.cfg.ttl > 0 {
			// With caching on, API Gateway refuses a request lacking an
			// identity source without calling the authorizer.
			req.authorizerErr = "identity source " + src.String() + " is missing"
			return errUnauthorized(req.authorizerErr)
		}
	}
	arn := s.methodARN(req)
	key := strings.Join(values, "\x00")
	now := s.now()
	d := a.cache.Get(key, now) // always empty when caching is off
	if d == nil {
		var err error
		if d, err = s.invokeAuthorizer(ctx, a, req, arn); err != nil {
			var e *apiError
			if errors.As(err, &e) {
				req.authorizerErr = e.detail
				return e
			}
			req.authorizerErr = "authorizer " + a.name + " failed or answered with an invalid response"
			s.logger.Error("authorizer failed", "request_id", req.id, "authorizer", a.name, "err", err)
			return errAuthorizerConfig(req.authorizerErr)
		}
		if a.cfg.ttl > 0 {
			a.cache.Put(key, d, now.Add(a.cfg.ttl))
		}
	}
	switch iampolicy.Evaluate(d.policy, arn) {
	case iampolicy.Allow:
		req.auth = &authResult{principalID: d.principalID, context: d.context}
		return nil
	case iampolicy.ExplicitDeny:
		req.authorizerErr = "explicit deny of " + arn
		return errAccessDenied(true, req.authorizerErr)
	}
	req.authorizerErr = "no allow for " + arn
	return errAccessDenied(false, req.authorizerErr)
}

// authorizerEvent builds the REQUEST authorizer event.
func (s *Server) authorizerEvent(req *request, arn string) events.APIGatewayCustomAuthorizerRequestTypeRequest {
	return events.APIGatewayCustomAuthorizerRequestTypeRequest{
		Type:                            "REQUEST",
		MethodArn:                       arn,
		Resource:                        req.resourcePath(),
		Path:                            req.rawPath,
		HTTPMethod:                      req.httpMethod,
		Headers:                         req.headers,
		MultiValueHeaders:               req.multi,
		QueryStringParameters:           req.query,
		MultiValueQueryStringParameters: req.multiQ,
		PathParameters:                  req.pathParams,
		RequestContext: events.APIGatewayCustomAuthorizerRequestTypeRequestContext{
			Path:         "/" + s.stage + req.rawPath,
			AccountID:    s.opts.AccountID,
			ResourceID:   req.resourcePath(),
			Stage:        s.stage,
			RequestID:    req.id,
			Identity:     events.APIGatewayCustomAuthorizerRequestTypeRequestIdentity{SourceIP: req.sourceIP},
			ResourcePath: req.resourcePath(),
			HTTPMethod:   req.httpMethod,
			APIID:        s.api.ID,
		},
	}
}

func (s *Server) invokeAuthorizer(ctx context.Context, a *authorizer, req *request, arn string) (*decision, error) {
	payload, err := json.Marshal(s.authorizerEvent(req, arn))
	if err != nil {
		return nil, fmt.Errorf("encode authorizer event: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, authorizerTimeout)
	defer cancel()
	out, err := lambdaproxy.InvokeWithin(ctx, s.opts.Invoker, a.cfg.function, payload)
	if err != nil {
		// A function failing with exactly "Unauthorized" is API Gateway's
		// signal for 401; any other failure is a configuration error.
		var doc struct {
			ErrorMessage string `json:"errorMessage"`
		}
		if json.Unmarshal(out, &doc) == nil && doc.ErrorMessage == "Unauthorized" {
			return nil, errUnauthorized("authorizer " + a.name + " answered Unauthorized")
		}
		return nil, fmt.Errorf("invoke authorizer %s: %w", a.name, err)
	}
	resp, err := iampolicy.ParseResponse(out)
	if err != nil {
		return nil, err
	}
	for k, v := range resp.Context {
		switch v.(type) {
		case string, json.Number, bool:
		default:
			// Only string, number and boolean context values are allowed;
			// an object or array is a configuration error.
			return nil, fmt.Errorf("authorizer context %q is not a string, number or boolean", k)
		}
	}
	return &decision{policy: resp.Statements, principalID: resp.PrincipalID, context: resp.Context}, nil
}

// authCache is one authorizer's result cache.
type authCache = lrucache.Cache[*decision]
