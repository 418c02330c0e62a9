// Command webhook is the WebhookFunction: POST /webhooks/<provider>
// (github, paddle, stripe, standard, shopify, slack), verified, into SQS.
// It only wires; see internal/webhook.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/sqsgate/sqsgate/internal/lambdalog"
	"github.com/sqsgate/sqsgate/internal/webhook"
)

func main() {
	logger := lambdalog.New()
	ctx := context.Background()
	cfg, err := webhook.ConfigFromEnv(os.Getenv)
	if err != nil {
		logger.Error("configuration", "error", err.Error())
		os.Exit(1)
	}
	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		logger.Error("load AWS configuration", "error", err.Error())
		os.Exit(1)
	}
	h, err := webhook.New(ctx, cfg, awsCfg, logger)
	if err != nil {
		logger.Error("build handler", "error", err.Error())
		os.Exit(1)
	}
	lambda.Start(h.Handle)
}
