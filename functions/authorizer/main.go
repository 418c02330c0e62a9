// Command authorizer is the AuthorizerFunction: an HTTP API Lambda
// authorizer that verifies Cognito tokens (internal/authorizer does the
// work, internal/cognito verifies). The key set is fetched here, during
// Lambda's init phase, so the first request finds it ready.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/sqsgate/sqsgate/internal/authorizer"
	"github.com/sqsgate/sqsgate/internal/cognito"
	"github.com/sqsgate/sqsgate/internal/lambdalog"
)

func main() {
	logger := lambdalog.New()
	h, err := newHandler(context.Background(), logger)
	if err != nil {
		logger.Error("authorizer cold start failed", slog.String("error", err.Error()))
		os.Exit(1)
	}
	lambda.Start(h.Handle)
}

func newHandler(ctx context.Context, logger *slog.Logger) (*authorizer.Handler, error) {
	cfg, err := authorizer.ConfigFromEnv(os.Getenv)
	if err != nil {
		return nil, err
	}
	cfg.Cognito.Logger = logger
	v, err := cognito.New(ctx, cfg.Cognito)
	if err != nil {
		return nil, err
	}
	return authorizer.New(v, cfg.Rules, logger)
}
