// Command webhook is the WebhookFunction: POST /webhooks/<provider>
// (github, paddle, stripe, standard, shopify, slack), verified, into SQS.
// It only wires; see internal/webhook.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sqsgate/sqsgate/internal/apigw"
	"github.com/sqsgate/sqsgate/internal/lambdalog"
	"github.com/sqsgate/sqsgate/internal/webhook"
)

func main() {
	logger := lambdalog.New()
	h, err := newHandler(context.Background(), logger)
	if err != nil {
		logger.Error("webhook cold start failed", slog.String("error", err.Error()))
		os.Exit(1)
	}
	// One entry for both payload formats: HTTP API 2.0 and REST 1.0.
	lambda.Start(apigw.Adapt(h.Handle))
}

// newHandler reads the configuration, builds the AWS clients once from the
// SDK's configuration chain (AWS_ENDPOINT_URL_SQS included) and hands them
// to the handler.
func newHandler(ctx context.Context, logger *slog.Logger) (*webhook.Handler, error) {
	cfg, err := webhook.ConfigFromEnv(os.Getenv)
	if err != nil {
		return nil, err
	}
	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load AWS config: %w", err)
	}
	return webhook.New(cfg, webhook.Deps{
		SQS:            sqs.NewFromConfig(awsCfg),
		SecretsManager: secretsmanager.NewFromConfig(awsCfg),
	}, logger)
}
