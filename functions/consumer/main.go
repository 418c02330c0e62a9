// Command consumer is the ConsumerFunction: an example SQS consumer of the
// ingest queue. internal/consumer routes each record, reports partial batch
// failures and logs one structured line per record; this file only wires
// it. Replace the handlers with your own.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/sqsgate/sqsgate/internal/consumer"
	"github.com/sqsgate/sqsgate/internal/lambdalog"
)

func main() {
	logger := lambdalog.New()
	b := consumer.New(consumer.Options{
		// Per execution environment: catches redeliveries to a warm
		// environment only (see consumer.MemoryIdempotency).
		Idempotency: consumer.NewMemoryIdempotency(),
		Logger:      logger,
	}).Default(accept)
	lambda.Start(b.Handle)
}

// accept is the example's handler for every record: the record's log line
// is all it does.
func accept(context.Context, consumer.Record) error { return nil }
