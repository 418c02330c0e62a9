package sqsendpoint

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPeekChangesNothing: the console reads a queue's messages without
// receiving them; a ReceiveMessage afterwards sees every message as if it
// had never been peeked (receive count 1, not 2), and Peek shows the
// in-flight state and the receive count ReceiveMessage left.
func TestPeekChangesNothing(t *testing.T) {
	s, endpoint := startServer(t, Options{})
	c := newClient(endpoint)
	name := uniqueName("peek")
	q, err := c.CreateQueue(ctx(t), &sqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{"first", "second"} {
		if _, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String(body),
			MessageAttributes: map[string]types.MessageAttributeValue{"provider": {DataType: aws.String("String"), StringValue: aws.String("github")}}}); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		msgs, ok := s.Peek(name, 10)
		if !ok || len(msgs) != 2 || msgs[0].Body != "first" || msgs[1].Body != "second" {
			t.Fatalf("Peek = %+v, %v; want first, second", msgs, ok)
		}
		if msgs[0].State != "visible" || msgs[0].ReceiveCount != 0 || msgs[0].Attributes["provider"] != "github" {
			t.Fatalf("peeked %+v, want visible, never received, provider=github", msgs[0])
		}
	}
	out, err := c.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 1,
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameApproximateReceiveCount}})
	if err != nil || len(out.Messages) != 1 {
		t.Fatalf("receive: %v, %d messages", err, len(out.Messages))
	}
	if got := out.Messages[0].Attributes["ApproximateReceiveCount"]; got != "1" {
		t.Errorf("ApproximateReceiveCount after peeks = %s, want 1", got)
	}
	msgs, _ := s.Peek(name, 1)
	if len(msgs) != 1 || msgs[0].State != "in_flight" || msgs[0].ReceiveCount != 1 {
		t.Errorf("Peek after a receive = %+v, want the first message in flight, received once", msgs)
	}
	if _, ok := s.Peek("no-such-queue", 10); ok {
		t.Error("Peek of a missing queue reported ok")
	}
}

// TestPeekReadsBodiesFromTheDataDir: with a data dir a message's body
// lives only on disk once written (memory keeps where it is), so the
// console's Peek must read it from there, before and after a restart.
func TestPeekReadsBodiesFromTheDataDir(t *testing.T) {
	dir := t.TempDir()
	s, c, _, stop := openDurable(t, dir)
	url := createQueue(t, c, "peeked", nil)
	body := strings.Repeat("<peeked & kept>", 100)
	_, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(body)})
	require.NoError(t, err)
	msgs, ok := s.Peek("peeked", 10)
	require.True(t, ok)
	require.Len(t, msgs, 1)
	assert.Equal(t, body, msgs[0].Body, "peek before a restart")
	stop()

	s, _, _, stop = openDurable(t, dir)
	defer stop()
	msgs, ok = s.Peek("peeked", 10)
	require.True(t, ok)
	require.Len(t, msgs, 1)
	assert.Equal(t, body, msgs[0].Body, "peek after a restart")
}
