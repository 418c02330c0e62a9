// Command testconsumer is a ConsumerFunction for the end-to-end tests,
// built on internal/consumer, whose behaviour the message bodies choose:
//   - a body containing "fail-once" fails on its first receive only;
//   - a body containing "crash" makes the whole invocation fail (a function
//     error), every time;
//   - every record it runs is logged as {"msg":"done",...} on success.
package main

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/sqsgate/sqsgate/internal/consumer"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	b := consumer.New(consumer.Options{Logger: log}).Default(func(_ context.Context, r consumer.Record) error {
		body := r.Message.Body
		if strings.Contains(body, "fail-once") && r.Message.Attributes["ApproximateReceiveCount"] == "1" {
			return errors.New("fail-once")
		}
		log.Info("done", "body", body, "message_id", r.Message.MessageId, "receive_count", r.Message.Attributes["ApproximateReceiveCount"],
			"message_group_id", r.Message.Attributes["MessageGroupId"])
		return nil
	})
	lambda.Start(func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		for _, r := range ev.Records {
			log.Info("received", "body", r.Body, "message_id", r.MessageId, "receive_count", r.Attributes["ApproximateReceiveCount"])
			if strings.Contains(r.Body, "crash") {
				return events.SQSEventResponse{}, errors.New("crash")
			}
		}
		return b.Handle(ctx, ev)
	})
}
