package authorizer

import (
	"context"
	"log/slog"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/sqsgate/sqsgate/internal/apigw"
	"github.com/sqsgate/sqsgate/internal/cognito"
)

// Handler answers API Gateway's authorizer requests. New builds it.
type Handler struct {
	verifier *cognito.Verifier
	rules    Rules
	logger   *slog.Logger
}

// Handle authorizes one request. It never returns an error: every failure,
// a key set outage included, becomes a denial in deny, the one place where
// an error turns into an answer and a log line.
func (h *Handler) Handle(ctx context.Context, req events.APIGatewayV2CustomAuthorizerV2Request) (events.APIGatewayV2CustomAuthorizerSimpleResponse, error) {
	claims, err := h.authorize(ctx, req)
	if err != nil {
		return h.deny(ctx, req, err), nil
	}
	return events.APIGatewayV2CustomAuthorizerSimpleResponse{
		IsAuthorized: true,
		Context:      callerContext(claims),
	}, nil
}

// Close stops the verifier's background key set refreshes.
func (h *Handler) Close() { h.verifier.Close() }

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
	v, _, err := apigw.SingleHeader(headers, "Authorization")
	if err != nil {
		return "", ErrRepeatedHeader
	}
	// A missing header reads as "".
	v = strings.TrimSpace(v)
	if v == "" || strings.EqualFold(v, "Bearer") {
		return "", ErrNoAuthorization
	}
	if scheme, rest, found := strings.Cut(v, " "); found {
		if !strings.EqualFold(scheme, "Bearer") {
			return "", ErrUnsupportedScheme
		}
		// v has no trailing space, so rest is never blank.
		v = strings.TrimSpace(rest)
	}
	return v, nil
}

// callerContext is the context both API forms pass to the integration:
// string values only, as a REST authorizer's context requires.
func callerContext(claims *cognito.Claims) map[string]any {
	return map[string]any{
		"sub":       claims.Subject,
		"username":  claims.Username,
		"client_id": claims.ClientID,
		"scope":     claims.Scope,
		"groups":    strings.Join(claims.Groups, " "),
	}
}
