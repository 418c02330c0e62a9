// Command transformer is the TransformerFunction: it validates events
// against a bundled JSON Schema, wraps them in CloudEvents envelopes and
// writes them to SQS (internal/transform does the work).
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/sqsgate/sqsgate/internal/apigw"
	"github.com/sqsgate/sqsgate/internal/lambdalog"
	"github.com/sqsgate/sqsgate/internal/transform"
)

func main() {
	logger := lambdalog.New()
	h, err := newHandler(context.Background(), logger)
	if err != nil {
		logger.Error("transformer cold start failed", slog.String("error", err.Error()))
		os.Exit(1)
	}
	// One entry for both payload formats: HTTP API 2.0 and REST 1.0.
	lambda.Start(apigw.Adapt(h.Handle))
}

func newHandler(ctx context.Context, logger *slog.Logger) (*transform.Handler, error) {
	cfg, err := transform.ConfigFromEnv(os.Getenv)
	if err != nil {
		return nil, err
	}
	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load AWS config: %w", err)
	}
	client := sqs.NewFromConfig(awsCfg)
	return transform.New(cfg, transform.Deps{Sender: client, BatchSender: client}, logger)
}
