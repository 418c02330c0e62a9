// Command authorizer is the AuthorizerFunction: an HTTP API (and REST API
// REQUEST) Lambda authorizer that verifies Cognito tokens
// (internal/authorizer does the work, internal/cognito verifies). It only wires; authorizer.New fetches
// the key set during Lambda's init phase, so the first request finds it
// ready.
package main

import (
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/sqsgate/sqsgate/internal/authorizer"
	"github.com/sqsgate/sqsgate/internal/cognito"
	"github.com/sqsgate/sqsgate/internal/lambdalog"
)

func main() {
	logger := lambdalog.New()
	cfg, err := authorizer.ConfigFromEnv(os.Getenv)
	if err != nil {
		logger.Error("authorizer cold start failed", slog.String("error", err.Error()))
		os.Exit(1)
	}
	h, err := authorizer.New(cfg, authorizer.Deps{HTTPClient: cognito.NewJWKSClient()}, logger)
	if err != nil {
		logger.Error("authorizer cold start failed", slog.String("error", err.Error()))
		os.Exit(1)
	}
	// Invoke serves both an HTTP API 2.0 authorizer and a REST REQUEST one.
	lambda.Start(h.Invoke)
}
