package sqsendpoint

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sqsgate/sqsgate/internal/fakeclock"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func startWithClock(t *testing.T) (*Server, *sqs.Client, *fakeclock.Clock) {
	clock := fakeclock.New(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	s, endpoint := startServer(t, Options{Now: clock.Now})
	return s, newClient(endpoint), clock
}

func createQueue(t *testing.T, c *sqs.Client, name string, attrs map[string]string) string {
	t.Helper()
	out, err := c.CreateQueue(ctx(t), &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	require.NoError(t, err)
	return aws.ToString(out.QueueUrl)
}

func receiveBodies(t *testing.T, c *sqs.Client, q string, in *sqs.ReceiveMessageInput) []string {
	t.Helper()
	if in == nil {
		in = &sqs.ReceiveMessageInput{}
	}
	in.QueueUrl = aws.String(q)
	if in.MaxNumberOfMessages == 0 {
		in.MaxNumberOfMessages = 10
	}
	out, err := c.ReceiveMessage(ctx(t), in)
	require.NoError(t, err)
	var bodies []string
	for _, m := range out.Messages {
		bodies = append(bodies, aws.ToString(m.Body))
	}
	return bodies
}

func TestRetentionExpiry(t *testing.T) {
	_, c, clock := startWithClock(t)
	q := createQueue(t, c, "retention", map[string]string{"MessageRetentionPeriod": "60"})
	_, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(q), MessageBody: aws.String("old")})
	require.NoError(t, err)
	clock.Advance(61 * time.Second)
	assert.Empty(t, receiveBodies(t, c, q, nil))
	attrs, err := c.GetQueueAttributes(ctx(t), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(q), AttributeNames: []types.QueueAttributeName{"All"}})
	require.NoError(t, err)
	assert.Equal(t, "0", attrs.Attributes["ApproximateNumberOfMessages"])
}

func TestDeduplicationWindowExpires(t *testing.T) {
	_, c, clock := startWithClock(t)
	q := createQueue(t, c, "dedup.fifo", map[string]string{"FifoQueue": "true"})
	send := func(body string) {
		_, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(q), MessageBody: aws.String(body), MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String("same")})
		require.NoError(t, err)
	}
	send("first")
	clock.Advance(4 * time.Minute)
	send("inside the window")
	clock.Advance(61 * time.Second)
	send("after the window")
	assert.Equal(t, []string{"first", "after the window"}, receiveBodies(t, c, q, nil))
}

func TestDeduplicationScopeMessageGroup(t *testing.T) {
	_, c, _ := startWithClock(t)
	q := createQueue(t, c, "scope.fifo", map[string]string{"FifoQueue": "true", "DeduplicationScope": "messageGroup", "FifoThroughputLimit": "perMessageGroupId"})
	for _, g := range []string{"a", "b", "a"} {
		_, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(q), MessageBody: aws.String(g), MessageGroupId: aws.String(g), MessageDeduplicationId: aws.String("d")})
		require.NoError(t, err)
	}
	assert.ElementsMatch(t, []string{"a", "b"}, receiveBodies(t, c, q, nil))
}

func TestQuietPeriodsEnd(t *testing.T) {
	_, c, clock := startWithClock(t)
	q := createQueue(t, c, "quiet", nil)
	_, err := c.PurgeQueue(ctx(t), &sqs.PurgeQueueInput{QueueUrl: aws.String(q)})
	require.NoError(t, err)
	clock.Advance(61 * time.Second)
	_, err = c.PurgeQueue(ctx(t), &sqs.PurgeQueueInput{QueueUrl: aws.String(q)})
	require.NoError(t, err)
	_, err = c.DeleteQueue(ctx(t), &sqs.DeleteQueueInput{QueueUrl: aws.String(q)})
	require.NoError(t, err)
	_, err = c.CreateQueue(ctx(t), &sqs.CreateQueueInput{QueueName: aws.String("quiet")})
	assert.Equal(t, "AWS.SimpleQueueService.QueueDeletedRecently", errorCode(err))
	clock.Advance(61 * time.Second)
	createQueue(t, c, "quiet", nil)
}

func TestVisibilityOverrideAndFIFOUnlock(t *testing.T) {
	_, c, clock := startWithClock(t)
	q := createQueue(t, c, "vis.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
	for _, b := range []string{"a1", "a2"} {
		_, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(q), MessageBody: aws.String(b), MessageGroupId: aws.String("g")})
		require.NoError(t, err)
	}
	assert.Equal(t, []string{"a1"}, receiveBodies(t, c, q, &sqs.ReceiveMessageInput{MaxNumberOfMessages: 1, VisibilityTimeout: 10}))
	clock.Advance(9 * time.Second)
	assert.Empty(t, receiveBodies(t, c, q, nil), "the group stays locked while a1 is in flight")
	clock.Advance(2 * time.Second)
	assert.Equal(t, []string{"a1", "a2"}, receiveBodies(t, c, q, nil), "a1 is visible again and comes first")
}

// TestChangeVisibilityAfterTimeoutHidesAgain: AWS answers 200 to
// ChangeMessageVisibility with the latest handle of a message whose
// timeout ran out (LocalStack's AWS-validated
// test_change_message_visibility_after_visibility_timeout_expiration); the
// new timeout counts from the call, so the message is hidden again.
func TestChangeVisibilityAfterTimeoutHidesAgain(t *testing.T) {
	_, c, clock := startWithClock(t)
	q := createQueue(t, c, "expired", nil)
	_, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(q), MessageBody: aws.String("m")})
	require.NoError(t, err)
	out, err := c.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(q)})
	require.NoError(t, err)
	require.Len(t, out.Messages, 1)
	clock.Advance(31 * time.Second)
	_, err = c.ChangeMessageVisibility(ctx(t), &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(q), ReceiptHandle: out.Messages[0].ReceiptHandle, VisibilityTimeout: 5})
	require.NoError(t, err)
	assert.Empty(t, receiveBodies(t, c, q, nil), "hidden for the new 5 s")
	clock.Advance(6 * time.Second)
	assert.Equal(t, []string{"m"}, receiveBodies(t, c, q, nil))
}

func TestEnsureQueue(t *testing.T) {
	s, err := New(Options{Region: "eu-west-1", AccountID: "123456789012"})
	require.NoError(t, err)
	defer s.Close()
	tests := []struct {
		name    string
		queue   string
		attrs   map[string]string
		wantErr string
	}{
		{"bad attribute value", "q", map[string]string{"VisibilityTimeout": "-1"}, "InvalidAttributeValue"},
		{"FIFO name without FifoQueue", "q.fifo", nil, "InvalidParameterValue"},
		{"missing DLQ", "q", map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:123456789012:nope","maxReceiveCount":3}`}, "InvalidAttributeValue"},
		{"DLQ", "dlq", nil, ""},
		{"source with DLQ", "src", map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:123456789012:dlq","maxReceiveCount":3}`}, ""},
		{"again with new attributes", "src", map[string]string{"VisibilityTimeout": "90"}, ""},
		{"cannot become FIFO", "src", map[string]string{"FifoQueue": "true"}, "InvalidParameterValue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			arn, err := s.EnsureQueue(tt.queue, tt.attrs, map[string]string{"app": "sqsgate"})
			if tt.wantErr != "" {
				var e *Error
				require.ErrorAs(t, err, &e)
				assert.Equal(t, tt.wantErr, e.Code)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "arn:aws:sqs:eu-west-1:123456789012:"+tt.queue, arn)
		})
	}
	q, qerr := s.queueIn(s.region, "src")
	require.Nil(t, qerr)
	attrs, aerr := s.getQueueAttributes(q, []string{"All"})
	require.Nil(t, aerr)
	assert.Equal(t, "90", attrs["VisibilityTimeout"])
	assert.True(t, strings.Contains(attrs["RedrivePolicy"], `"maxReceiveCount":3`), attrs["RedrivePolicy"])
	assert.Equal(t, map[string]string{"app": "sqsgate"}, s.listQueueTags(q))
}

func TestVisibilityLimitedToTwelveHoursFromReceive(t *testing.T) {
	_, c, clock := startWithClock(t)
	q := createQueue(t, c, "twelve", nil)
	_, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(q), MessageBody: aws.String("m")})
	require.NoError(t, err)
	out, err := c.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(q), VisibilityTimeout: 43200})
	require.NoError(t, err)
	require.Len(t, out.Messages, 1)
	clock.Advance(time.Hour)
	_, err = c.ChangeMessageVisibility(ctx(t), &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(q), ReceiptHandle: out.Messages[0].ReceiptHandle, VisibilityTimeout: 43200})
	assert.Equal(t, "InvalidParameterValue", errorCode(err))
	_, err = c.ChangeMessageVisibility(ctx(t), &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(q), ReceiptHandle: out.Messages[0].ReceiptHandle, VisibilityTimeout: 39600})
	assert.NoError(t, err)
}

func TestReceiveRequestAttemptIDReplays(t *testing.T) {
	_, c, clock := startWithClock(t)
	q := createQueue(t, c, "attempt.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
	for _, b := range []string{"a1", "a2"} {
		_, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(q), MessageBody: aws.String(b), MessageGroupId: aws.String("g")})
		require.NoError(t, err)
	}
	receive := func(attempt string) *sqs.ReceiveMessageOutput {
		out, err := c.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(q), MaxNumberOfMessages: 1, ReceiveRequestAttemptId: aws.String(attempt)})
		require.NoError(t, err)
		return out
	}
	first := receive("try-1")
	require.Len(t, first.Messages, 1)
	clock.Advance(10 * time.Second)
	retry := receive("try-1")
	require.Len(t, retry.Messages, 1, "a retry with the same attempt id gets the same message")
	assert.Equal(t, aws.ToString(first.Messages[0].ReceiptHandle), aws.ToString(retry.Messages[0].ReceiptHandle))
	assert.Empty(t, receive("try-2").Messages, "another attempt finds the group locked")
	_, err := c.DeleteMessage(ctx(t), &sqs.DeleteMessageInput{QueueUrl: aws.String(q), ReceiptHandle: first.Messages[0].ReceiptHandle})
	require.NoError(t, err)
	after := receive("try-1")
	require.Len(t, after.Messages, 1, "once a message of the attempt is deleted, the id starts a new receive")
	assert.Equal(t, "a2", aws.ToString(after.Messages[0].Body))
}

// TestFIFODeleteWithExpiredHandle: on a FIFO queue a handle whose
// message became visible again no longer deletes it (AWS's answer,
// recorded in LocalStack's AWS-validated
// test_fifo_delete_after_visibility_timeout); on a standard queue it does
// (test_delete_after_visibility_timeout).
func TestFIFODeleteWithExpiredHandle(t *testing.T) {
	_, c, clock := startWithClock(t)
	fifo := createQueue(t, c, "expire.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true", "VisibilityTimeout": "1"})
	standard := createQueue(t, c, "expire", map[string]string{"VisibilityTimeout": "1"})
	_, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(fifo), MessageBody: aws.String("f"), MessageGroupId: aws.String("g")})
	require.NoError(t, err)
	_, err = c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(standard), MessageBody: aws.String("s")})
	require.NoError(t, err)
	handles := map[string]*string{}
	for _, q := range []string{fifo, standard} {
		out, err := c.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(q)})
		require.NoError(t, err)
		require.Len(t, out.Messages, 1)
		handles[q] = out.Messages[0].ReceiptHandle
	}
	clock.Advance(2 * time.Second)
	_, err = c.DeleteMessage(ctx(t), &sqs.DeleteMessageInput{QueueUrl: aws.String(fifo), ReceiptHandle: handles[fifo]})
	assert.Equal(t, "InvalidParameterValue", errorCode(err))
	var apiErr smithy.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "Value "+aws.ToString(handles[fifo])+" for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.", apiErr.ErrorMessage())
	assert.Equal(t, []string{"f"}, receiveBodies(t, c, fifo, nil), "the FIFO message is still there")
	_, err = c.DeleteMessage(ctx(t), &sqs.DeleteMessageInput{QueueUrl: aws.String(standard), ReceiptHandle: handles[standard]})
	require.NoError(t, err)
	assert.Empty(t, receiveBodies(t, c, standard, nil), "the standard queue's message is gone")
}

func TestFIFODeadLetterKeepsGroupOrder(t *testing.T) {
	_, c, _ := startWithClock(t)
	dlq := createQueue(t, c, "dead.fifo", map[string]string{"FifoQueue": "true"})
	q := createQueue(t, c, "live.fifo", map[string]string{
		"FifoQueue": "true", "ContentBasedDeduplication": "true", "VisibilityTimeout": "0",
		"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dead.fifo","maxReceiveCount":1}`,
	})
	for _, b := range []string{"a1", "a2", "a3"} {
		_, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(q), MessageBody: aws.String(b), MessageGroupId: aws.String("g")})
		require.NoError(t, err)
	}
	assert.Equal(t, []string{"a1"}, receiveBodies(t, c, q, &sqs.ReceiveMessageInput{MaxNumberOfMessages: 1}))
	// a1 has used its one receive: it moves, and a2, a3 follow in order.
	assert.Equal(t, []string{"a2", "a3"}, receiveBodies(t, c, q, nil))
	out, err := c.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(dlq), MessageSystemAttributeNames: []types.MessageSystemAttributeName{"All"}})
	require.NoError(t, err)
	require.Len(t, out.Messages, 1)
	assert.Equal(t, "a1", aws.ToString(out.Messages[0].Body))
	assert.Equal(t, "g", out.Messages[0].Attributes["MessageGroupId"])
	assert.Equal(t, "arn:aws:sqs:us-east-1:000000000000:live.fifo", out.Messages[0].Attributes["DeadLetterQueueSourceArn"])
}

// TestResetDeletesEveryQueue: POST /_sqsgate/reset deletes every queue in
// every region, lets their names be used again at once, and lasts across a
// restart of a durable endpoint.
func TestResetDeletesEveryQueue(t *testing.T) {
	dir := t.TempDir()
	s, err := New(Options{DataDir: dir})
	require.NoError(t, err)
	for _, region := range []string{"us-east-1", "eu-west-1"} {
		_, err := s.createQueue(region, "gone", nil, nil)
		require.NoError(t, err)
	}
	q, qerr := s.queueIn("us-east-1", "gone")
	require.Nil(t, qerr)
	_, err = s.sendMessage(q, messageInput{MessageBody: "m"})
	require.NoError(t, err)

	status, _, body := do(t, s, http.MethodGet, ResetPath, nil, "")
	assert.Equal(t, http.StatusMethodNotAllowed, status, "only POST resets")
	status, _, body = do(t, s, http.MethodPost, ResetPath, nil, "")
	require.Equal(t, http.StatusOK, status, body)
	assert.JSONEq(t, `{"deleted":2}`, body)
	for _, region := range []string{"us-east-1", "eu-west-1"} {
		_, qerr := s.queueIn(region, "gone")
		assert.NotNil(t, qerr, "%s still has the queue", region)
	}
	_, err = s.createQueue("us-east-1", "again", nil, nil)
	require.NoError(t, err)
	_, err = s.createQueue("us-east-1", "gone", nil, nil)
	require.NoError(t, err, "a reset forgets deleted names: no QueueDeletedRecently")
	require.NoError(t, s.Close())

	s, err = New(Options{DataDir: dir})
	require.NoError(t, err)
	defer s.Close()
	names, _, lerr := s.listQueues("us-east-1", "", "", nil)
	require.Nil(t, lerr)
	assert.Equal(t, []string{"again", "gone"}, names)
	q, qerr = s.queueIn("us-east-1", "gone")
	require.Nil(t, qerr)
	visible, _, _ := q.counts(time.Now())
	assert.Zero(t, visible, "the message went with the reset")
	_, qerr = s.queueIn("eu-west-1", "gone")
	assert.NotNil(t, qerr)
}

// TestRegionsSurviveRestart: a durable endpoint restores each queue to its
// region, with its ARN; the default region's queues keep the store keys
// they had before regions, so older data dirs load as they were.
func TestRegionsSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	s, err := New(Options{DataDir: dir, Region: "us-east-1"})
	require.NoError(t, err)
	eu, err := s.createQueue("eu-west-1", "q", map[string]string{"VisibilityTimeout": "5"}, nil)
	require.NoError(t, err)
	us, err := s.createQueue("us-east-1", "q", map[string]string{"VisibilityTimeout": "6"}, nil)
	require.NoError(t, err)
	assert.Equal(t, "q", us.key, "the default region's key is the bare name")
	assert.Equal(t, "eu-west-1/q", eu.key)
	require.NoError(t, s.Close())

	s, err = New(Options{DataDir: dir, Region: "us-east-1"})
	require.NoError(t, err)
	defer s.Close()
	for region, visibility := range map[string]string{"eu-west-1": "5", "us-east-1": "6"} {
		q, qerr := s.queueIn(region, "q")
		require.Nil(t, qerr, region)
		attrs, aerr := s.getQueueAttributes(q, []string{"VisibilityTimeout", "QueueArn"})
		require.Nil(t, aerr)
		assert.Equal(t, visibility, attrs["VisibilityTimeout"], region)
		assert.Equal(t, "arn:aws:sqs:"+region+":000000000000:q", attrs["QueueArn"])
	}
}
