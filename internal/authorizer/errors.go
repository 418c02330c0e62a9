package authorizer

import (
	"context"
	"errors"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

	"github.com/sqsgate/sqsgate/internal/cognito"
)

// denial is a reason to deny found before the token reaches the verifier,
// with a code as stable as the verifier's rule codes.
type denial struct{ code, msg string }

func (d *denial) Error() string { return d.msg }

// Reasons for denials found before the token is verified. Match them with
// errors.Is.
var (
	ErrNoAuthorization error = &denial{"authorization_missing", "no Authorization header"}
	// ErrRepeatedHeader: API Gateway joined several Authorization headers
	// with commas.
	ErrRepeatedHeader    error = &denial{"authorization_repeated", "Authorization header repeated"}
	ErrUnsupportedScheme error = &denial{"authorization_scheme", "authorization scheme is not Bearer"}
)

// Code returns the stable snake_case code of a denial: the authorizer's own,
// or the verifier's rule code, or "internal" for anything else.
func Code(err error) string {
	var d *denial
	if errors.As(err, &d) {
		return d.code
	}
	return cognito.Code(err)
}

// deny is where every error becomes an answer. The answer is always the
// same bare denial (API Gateway turns it into 403, and the client learns
// nothing about why); the log line carries the code and the reason. Errors
// from the verifier name kids, issuers and client ids, never the token or
// its signature. A key set outage, or an error with no code, is logged at
// ERROR: that is what alerts.
func (h *Handler) deny(ctx context.Context, req events.APIGatewayV2CustomAuthorizerV2Request, err error) events.APIGatewayV2CustomAuthorizerSimpleResponse {
	h.logDenial(ctx, err, req.RouteKey, req.RequestContext.RequestID, req.RequestContext.HTTP.SourceIP)
	return events.APIGatewayV2CustomAuthorizerSimpleResponse{IsAuthorized: false}
}

// logDenial writes the one "request denied" line both API forms share.
func (h *Handler) logDenial(ctx context.Context, err error, routeKey, requestID, sourceIP string) {
	code := Code(err)
	level := slog.LevelInfo
	if errors.Is(err, cognito.ErrJWKSUnavailable) || code == "internal" {
		level = slog.LevelError
	}
	h.logger.LogAttrs(ctx, level, "request denied",
		slog.String("code", code),
		slog.String("reason", err.Error()),
		slog.String("route_key", routeKey),
		slog.String("request_id", requestID),
		slog.String("source_ip", sourceIP),
	)
}
