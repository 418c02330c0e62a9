package authorizer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/sqsgate/sqsgate/internal/apigw"
	"github.com/sqsgate/sqsgate/internal/cognito"
)

// Verifier verifies a token and returns its claims; *cognito.Verifier is one.
type Verifier interface {
	Verify(ctx context.Context, token string) (*cognito.Claims, error)
}

var _ Verifier = (*cognito.Verifier)(nil)

// Rule is what a route requires beyond a valid token: one of Scopes (if
// any) and one of Groups (if any).
type Rule struct {
	Scopes []string `json:"scopes"`
	Groups []string `json:"groups"`
}

// Rules maps API Gateway route keys ("POST /v1/messages") to their rule.
type Rules map[string]Rule

var routeKeyPattern = regexp.MustCompile(`^(\$default|(ANY|GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) /\S*)$`)

// ParseRules reads COGNITO_ROUTE_RULES. Empty means no rules.
func ParseRules(s string) (Rules, error) {
	if strings.TrimSpace(s) == "" {
		return Rules{}, nil
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	var rules Rules
	if err := dec.Decode(&rules); err != nil {
		return nil, fmt.Errorf("COGNITO_ROUTE_RULES: %w", err)
	}
	if dec.More() {
		return nil, errors.New("COGNITO_ROUTE_RULES: trailing data after the JSON object")
	}
	for key, r := range rules {
		if !routeKeyPattern.MatchString(key) {
			return nil, fmt.Errorf("COGNITO_ROUTE_RULES: %q is not a route key such as \"POST /v1/messages\"", key)
		}
		for _, v := range append(append([]string(nil), r.Scopes...), r.Groups...) {
			if strings.TrimSpace(v) == "" || strings.ContainsAny(v, " \t\r\n") {
				return nil, fmt.Errorf("COGNITO_ROUTE_RULES: route %q has an empty or spaced scope or group %q", key, v)
			}
		}
	}
	if rules == nil {
		rules = Rules{}
	}
	return rules, nil
}

// Handler answers API Gateway's authorizer requests.
type Handler struct {
	verifier Verifier
	rules    Rules
	logger   *slog.Logger
}

// New returns a Handler. A nil logger discards.
func New(v Verifier, rules Rules, logger *slog.Logger) (*Handler, error) {
	if v == nil {
		return nil, errors.New("authorizer: a verifier is required")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Handler{verifier: v, rules: rules, logger: logger}, nil
}

// Reasons for denials found before the token is verified.
var (
	ErrNoAuthorization = errors.New("no Authorization header")
	// ErrRepeatedHeader is apigw's: API Gateway joined several
	// Authorization headers with commas.
	ErrRepeatedHeader    = apigw.ErrRepeatedHeader
	ErrUnsupportedScheme = errors.New("authorization scheme is not Bearer")
)

// Handle authorizes one request. It never returns an error: every failure,
// including a key set outage, is a denial whose reason is logged.
func (h *Handler) Handle(ctx context.Context, req events.APIGatewayV2CustomAuthorizerV2Request) (events.APIGatewayV2CustomAuthorizerSimpleResponse, error) {
	claims, err := h.authorize(ctx, req)
	if err != nil {
		h.logDenial(ctx, req, err)
		return events.APIGatewayV2CustomAuthorizerSimpleResponse{IsAuthorized: false}, nil
	}
	return events.APIGatewayV2CustomAuthorizerSimpleResponse{
		IsAuthorized: true,
		Context: map[string]any{
			"sub":       claims.Subject,
			"username":  claims.Username,
			"client_id": claims.ClientID,
			"scope":     claims.Scope,
			"groups":    strings.Join(claims.Groups, " "),
		},
	}, nil
}

func (h *Handler) authorize(ctx context.Context, req events.APIGatewayV2CustomAuthorizerV2Request) (*cognito.Claims, error) {
	token, err := BearerToken(req.Headers)
	if err != nil {
		return nil, err
	}
	claims, err := h.verifier.Verify(ctx, token)
	if err != nil {
		return nil, err
	}
	if rule, ok := h.rules[req.RouteKey]; ok {
		if err := claims.Require(rule.Scopes, rule.Groups); err != nil {
			return nil, err
		}
	}
	return claims, nil
}

// BearerToken returns the token of an Authorization header, which may carry
// it bare (as Cognito's hosted UI examples do) or after "Bearer ".
func BearerToken(headers map[string]string) (string, error) {
	v, ok, err := apigw.SingleHeader(headers, "Authorization")
	switch {
	case err != nil:
		return "", err
	case !ok || strings.TrimSpace(v) == "":
		return "", ErrNoAuthorization
	}
	v = strings.TrimSpace(v)
	if strings.EqualFold(v, "Bearer") {
		return "", ErrNoAuthorization
	}
	if scheme, rest, found := strings.Cut(v, " "); found {
		if !strings.EqualFold(scheme, "Bearer") {
			return "", ErrUnsupportedScheme
		}
		v = strings.TrimSpace(rest)
		if v == "" {
			return "", ErrNoAuthorization
		}
	}
	return v, nil
}

// code is the stable code logged for a denial.
func code(err error) string {
	switch {
	case errors.Is(err, ErrNoAuthorization):
		return "authorization_missing"
	case errors.Is(err, ErrRepeatedHeader):
		return "authorization_repeated"
	case errors.Is(err, ErrUnsupportedScheme):
		return "authorization_scheme"
	}
	return cognito.Code(err)
}

// logDenial logs why a request was denied. Errors from the verifier carry
// kids, issuers and client ids, never the token or its signature.
func (h *Handler) logDenial(ctx context.Context, req events.APIGatewayV2CustomAuthorizerV2Request, err error) {
	c := code(err)
	level := slog.LevelInfo
	if errors.Is(err, cognito.ErrJWKSUnavailable) || c == "internal" {
		level = slog.LevelError
	}
	h.logger.LogAttrs(ctx, level, "request denied",
		slog.String("code", c),
		slog.String("reason", err.Error()),
		slog.String("route_key", req.RouteKey),
		slog.String("request_id", req.RequestContext.RequestID),
		slog.String("source_ip", req.RequestContext.HTTP.SourceIP),
	)
}
