package transform

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sqsgate/sqsgate/internal/deadline"
)

// hangingQueue never answers: each call waits for its context to end, and
// records the deadline it was given.
type hangingQueue struct {
	mu        sync.Mutex
	calls     int
	deadlines []time.Time
}

func (q *hangingQueue) wait(ctx context.Context) error {
	q.mu.Lock()
	q.calls++
	d, ok := ctx.Deadline()
	if ok {
		q.deadlines = append(q.deadlines, d)
	}
	q.mu.Unlock()
	<-ctx.Done()
	return ctx.Err()
}

func (q *hangingQueue) SendMessage(ctx context.Context, _ *sqs.SendMessageInput, _ ...func(*sqs.Options)) (*sqs.SendMessageOutput, error) {
	return nil, q.wait(ctx)
}

func (q *hangingQueue) SendMessageBatch(ctx context.Context, _ *sqs.SendMessageBatchInput, _ ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error) {
	return nil, q.wait(ctx)
}

// assertMargin checks that every call ended Reserve before the invocation.
func (q *hangingQueue) assertMargin(t *testing.T, end time.Time) {
	t.Helper()
	q.mu.Lock()
	defer q.mu.Unlock()
	require.Len(t, q.deadlines, q.calls, "every SQS call must carry a deadline")
	for _, d := range q.deadlines {
		assert.False(t, d.After(end.Add(-deadline.Reserve)), "a call ends at %v, the invocation at %v", d, end)
	}
}

// Issue 10, defect 3: SQS calls end early enough for the handler to answer
// with what it knows, instead of Lambda's timeout hiding the per-item
// results. The queue never answers; the invocation's deadline is short.
func TestHandleAnswersBeforeTheLambdaDeadline(t *testing.T) {
	shortDeadline := func(t *testing.T) (context.Context, time.Time) {
		end := time.Now().Add(700 * time.Millisecond)
		ctx, cancel := context.WithDeadline(context.Background(), end)
		t.Cleanup(cancel)
		return ctx, end
	}
	t.Run("batch: 207 with every unsent item marked", func(t *testing.T) {
		q := &hangingQueue{}
		h := newTestHandler(t, newFakeQueue(), func(c *testSetup) { c.BatchSender, c.Concurrency = q, 1 })
		ctx, end := shortDeadline(t)
		resp, err := h.Handle(ctx, request(batch, "application/json", batchJSON(25, 100)))
		require.NoError(t, err)
		require.Equal(t, http.StatusMultiStatus, resp.StatusCode, resp.Body)
		results := decodeResponse(t, resp.Body).Results
		require.Len(t, results, 25)
		for _, r := range results {
			require.NotNil(t, r.Error, "item %d", r.Index)
			assert.Equal(t, CodeSQSUnavailable, r.Error.Code)
		}
		q.assertMargin(t, end)
		assert.Equal(t, 1, q.calls, "once time is up, no further call is started")
	})
	t.Run("FIFO batch", func(t *testing.T) {
		q := &hangingQueue{}
		h := newTestHandler(t, newFakeQueue(), func(c *testSetup) { c.BatchSender, c.QueueURL = q, c.QueueURL+".fifo" })
		ctx, end := shortDeadline(t)
		resp, err := h.Handle(ctx, request(batch, "application/json", batchJSON(25, 100)))
		require.NoError(t, err)
		require.Equal(t, http.StatusMultiStatus, resp.StatusCode, resp.Body)
		for _, r := range decodeResponse(t, resp.Body).Results {
			require.NotNil(t, r.Error, "item %d", r.Index)
			assert.Equal(t, CodeSQSUnavailable, r.Error.Code)
		}
		q.assertMargin(t, end)
	})
	t.Run("single: 503", func(t *testing.T) {
		q := &hangingQueue{}
		h := newTestHandler(t, newFakeQueue(), func(c *testSetup) { c.Sender = q })
		ctx, end := shortDeadline(t)
		resp, err := h.Handle(ctx, request(single, "application/json", `{}`))
		require.NoError(t, err)
		assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
		assert.Equal(t, "sqs_unavailable", decodeResponse(t, resp.Body).Code)
		q.assertMargin(t, end)
	})
}
