package consumer_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/events"

	"github.com/sqsgate/sqsgate/internal/consumer"
)

// A consumer registers a handler per webhook event or CloudEvents type and
// gives Handle to lambda.Start; only failed records return to the queue.
func Example() {
	b := consumer.New(consumer.Options{Idempotency: consumer.NewMemoryIdempotency()}).
		Webhook("github", "push", func(_ context.Context, r consumer.Record) error {
			var push struct {
				Ref string `json:"ref"`
			}
			if err := json.Unmarshal(r.Data, &push); err != nil {
				return err
			}
			fmt.Println("push to", push.Ref, "delivery", r.ID)
			return nil
		}).
		CloudEvent("order.created", func(_ context.Context, r consumer.Record) error {
			return errors.New("order service unavailable")
		})

	s := func(v string) *string { return &v }
	resp, _ := b.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m1", Body: `{"ref":"refs/heads/main"}`, MessageAttributes: map[string]events.SQSMessageAttribute{
			"provider":    {DataType: "String", StringValue: s("github")},
			"event":       {DataType: "String", StringValue: s("push")},
			"delivery_id": {DataType: "String", StringValue: s("72d3162e")},
		}},
		{MessageId: "m2", Body: `{"specversion":"1.0","id":"e1","source":"sqsgate","type":"order.created","data":{}}`},
	}})
	out, _ := json.Marshal(resp)
	fmt.Println(string(out))
	// Output:
	// push to refs/heads/main delivery 72d3162e
	// {"batchItemFailures":[{"itemIdentifier":"m2"}]}
}
