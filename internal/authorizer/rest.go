package authorizer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"sort"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/sqsgate/sqsgate/internal/apigw"
	"github.com/sqsgate/sqsgate/internal/cognito"
)

// ErrUnauthorized is the error a REST API's Lambda authorizer returns for a
// missing or invalid token: API Gateway answers it with 401
// {"message":"Unauthorized"}; any other error message becomes a 500.
// ("Use API Gateway Lambda authorizers", the example function's
// callback("Unauthorized"):
// https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html)
var ErrUnauthorized = errors.New("Unauthorized")

// Invoke is the Lambda entry point: it tells an HTTP API's 2.0 authorizer
// event from a REST API's REQUEST event (a methodArn and no version 2.0)
// and answers each in its own shape. A TOKEN authorizer event carries no
// headers to read the route from, so it is refused.
func (h *Handler) Invoke(ctx context.Context, raw json.RawMessage) (any, error) {
	var probe struct {
		Version   string `json:"version"`
		Type      string `json:"type"`
		MethodArn string `json:"methodArn"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return nil, fmt.Errorf("decode authorizer event: %w", err)
	}
	if probe.Version != "2.0" && probe.MethodArn != "" {
		if probe.Type != "REQUEST" {
			h.logger.LogAttrs(ctx, slog.LevelError, "request denied", slog.String("code", "authorizer_type"), slog.String("reason", "not a REQUEST authorizer event"))
			return nil, ErrUnauthorized
		}
		var req events.APIGatewayCustomAuthorizerRequestTypeRequest
		if err := json.Unmarshal(raw, &req); err != nil {
			return nil, fmt.Errorf("decode REQUEST authorizer event: %w", err)
		}
		return h.HandleREST(ctx, req)
	}
	var req events.APIGatewayV2CustomAuthorizerV2Request
	if err := json.Unmarshal(raw, &req); err != nil {
		return nil, fmt.Errorf("decode authorizer event: %w", err)
	}
	return h.Handle(ctx, req)
}

// methodArnPattern: arn:<partition>:execute-api:<region>:<account>:<api>/<stage>/<verb>/<path>.
var methodArnPattern = regexp.MustCompile(`^(arn:[a-z-]+:execute-api:[a-z0-9-]+:\d{12}:[A-Za-z0-9]+/[^/*]+)/[A-Z*]+/`)

// HandleREST answers a REST API's REQUEST authorizer event with an IAM
// policy. API Gateway caches the policy (by the identity sources) and
// applies it to every method it matches, not only the one asked for, so
// the policy never depends on the requested method: it allows the whole
// API stage and denies, explicitly, each route whose rule this caller
// fails (an explicit Deny wins over Allow). What it allows is thus exactly
// what the caller may call, whichever method a cached copy is applied to.
// A missing or invalid token is ErrUnauthorized (401) and no policy at all.
func (h *Handler) HandleREST(ctx context.Context, req events.APIGatewayCustomAuthorizerRequestTypeRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
	m := methodArnPattern.FindStringSubmatch(req.MethodArn)
	if m == nil {
		h.denyREST(ctx, req, &denial{"method_arn", "methodArn is not an execute-api method ARN"})
		return events.APIGatewayCustomAuthorizerResponse{}, ErrUnauthorized
	}
	prefix := m[1]
	token, err := BearerToken(apigw.JoinHeaders(req.Headers, req.MultiValueHeaders))
	if err != nil {
		h.denyREST(ctx, req, err)
		return events.APIGatewayCustomAuthorizerResponse{}, ErrUnauthorized
	}
	claims, err := h.verifier.Verify(ctx, token)
	if err != nil {
		h.denyREST(ctx, req, err)
		return events.APIGatewayCustomAuthorizerResponse{}, ErrUnauthorized
	}
	return events.APIGatewayCustomAuthorizerResponse{
		PrincipalID:    claims.Subject,
		PolicyDocument: Policy(prefix, h.rules, claims),
		Context:        callerContext(claims),
	}, nil
}

// Policy is the caller's policy for the stage whose method ARNs start with
// prefix ("arn:aws:execute-api:<region>:<account>:<api>/<stage>"): Allow
// on every method, Deny on each route whose rule claims fail. "$default"
// has no REST counterpart (REST has no catch-all route key) and is skipped.
func Policy(prefix string, rules Rules, claims *cognito.Claims) events.APIGatewayCustomAuthorizerPolicy {
	policy := events.APIGatewayCustomAuthorizerPolicy{
		Version: "2012-10-17",
		Statement: []events.IAMPolicyStatement{
			{Action: []string{"execute-api:Invoke"}, Effect: "Allow", Resource: []string{prefix + "/*"}},
		},
	}
	var denied []string
	for key, rule := range rules {
		verb, path, ok := strings.Cut(key, " ")
		if !ok {
			continue
		}
		if claims.Require(rule.Scopes, rule.Groups) == nil {
			continue
		}
		denied = append(denied, prefix+"/"+resourceVerb(verb)+resourcePath(path))
	}
	if len(denied) > 0 {
		sort.Strings(denied)
		policy.Statement = append(policy.Statement, events.IAMPolicyStatement{Action: []string{"execute-api:Invoke"}, Effect: "Deny", Resource: denied})
	}
	return policy
}

func resourceVerb(verb string) string {
	if verb == "ANY" {
		return "*"
	}
	return verb
}

// pathParam is a route key's parameter segment ("{id}", "{proxy+}"); in a
// method ARN it is the caller's actual value, so the policy uses "*".
var pathParam = regexp.MustCompile(`\{[^}]*\}`)

func resourcePath(path string) string { return pathParam.ReplaceAllString(path, "*") }

// denyREST logs a REST denial as deny does an HTTP API one.
func (h *Handler) denyREST(ctx context.Context, req events.APIGatewayCustomAuthorizerRequestTypeRequest, err error) {
	h.logDenial(ctx, err, req.HTTPMethod+" "+req.Resource, req.RequestContext.RequestID, req.RequestContext.Identity.SourceIP)
}
