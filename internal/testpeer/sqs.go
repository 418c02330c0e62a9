package testpeer

import (
	"context"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// Drain receives every message on the queue, with all message and system
// attributes, deleting each batch before the next receive (so FIFO groups
// unlock), until a receive comes back empty. It suits servers that make a
// message visible as soon as SendMessage returns, as moto and our endpoint
// do; callers assert on what it returns, count included.
func Drain(t testing.TB, client *sqs.Client, queueURL string) []types.Message {
	t.Helper()
	ctx := context.Background()
	var all []types.Message
	for {
		out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl:                    aws.String(queueURL),
			MaxNumberOfMessages:         10,
			MessageAttributeNames:       []string{"All"},
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
		})
		if err != nil {
			t.Fatalf("drain %s: ReceiveMessage: %v", queueURL, err)
		}
		if len(out.Messages) == 0 {
			return all
		}
		del := &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(queueURL)}
		for i, m := range out.Messages {
			del.Entries = append(del.Entries, types.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle})
		}
		delOut, err := client.DeleteMessageBatch(ctx, del)
		if err != nil || len(delOut.Failed) > 0 {
			t.Fatalf("drain %s: DeleteMessageBatch: %v %+v", queueURL, err, delOut)
		}
		all = append(all, out.Messages...)
	}
}
