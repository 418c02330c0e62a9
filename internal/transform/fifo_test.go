package transform

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fifoQueue stores accepted entries in arrival order, deduplicating by
// MessageDeduplicationId as a FIFO queue does, and fails calls or entries
// as told.
type fifoQueue struct {
	mu     sync.Mutex
	stored []string // deduplication ids, in the order SQS accepted them
	seen   map[string]bool
	// failCall fails a whole call (after the SDK's retries) when it
	// returns an error.
	failCall func(in *sqs.SendMessageBatchInput) error
	// failEntry fails one entry when it returns a result.
	failEntry func(id string) *types.BatchResultErrorEntry
}

func (q *fifoQueue) SendMessageBatch(_ context.Context, in *sqs.SendMessageBatchInput, _ ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.failCall != nil {
		if err := q.failCall(in); err != nil {
			return nil, err
		}
	}
	if q.seen == nil {
		q.seen = map[string]bool{}
	}
	out := &sqs.SendMessageBatchOutput{}
	for _, e := range in.Entries {
		id := aws.ToString(e.Id)
		if q.failEntry != nil {
			if f := q.failEntry(id); f != nil {
				f.Id = e.Id
				out.Failed = append(out.Failed, *f)
				continue
			}
		}
		dedup := aws.ToString(e.MessageDeduplicationId)
		if dedup == "" || !q.seen[dedup] { // a standard queue keeps every copy
			q.seen[dedup] = true
			q.stored = append(q.stored, dedup)
		}
		out.Successful = append(out.Successful, types.SendMessageBatchResultEntry{Id: e.Id, MessageId: aws.String("msg-" + id)})
	}
	return out, nil
}

func fifoHandler(t *testing.T, q *fifoQueue) *Handler {
	t.Helper()
	return newTestHandler(t, newFakeQueue(), func(c *testSetup) {
		c.QueueURL = "https://sqs.us-east-1.amazonaws.com/123456789012/ingest.fifo"
		c.BatchSender = q
	})
}

func itemIDs(from, to int) []string {
	var ids []string
	for i := from; i < to; i++ {
		ids = append(ids, "item-"+itoa(i))
	}
	return ids
}

// Issue 10, defect 1: on a FIFO queue a failed call must stop the request,
// or the items after it land ahead of the failed ones' resend.
func TestHandleFIFOStopsAtFirstFailedCall(t *testing.T) {
	q := &fifoQueue{failCall: func(in *sqs.SendMessageBatchInput) error {
		if aws.ToString(in.Entries[0].Id) == "0" {
			return errors.New("throttled after the SDK's retries")
		}
		return nil
	}}
	h := fifoHandler(t, q)
	body := batchJSON(25, 100)

	resp, err := h.Handle(context.Background(), request(batch, "application/json", body))
	require.NoError(t, err)
	require.Equal(t, http.StatusMultiStatus, resp.StatusCode, resp.Body)
	results := decodeResponse(t, resp.Body).Results
	require.Len(t, results, 25)
	for _, r := range results {
		require.NotNil(t, r.Error, "item %d", r.Index)
		assert.Equal(t, CodeSQSUnavailable, r.Error.Code, "item %d", r.Index)
		assert.Empty(t, r.MessageID)
	}
	assert.Empty(t, q.stored, "nothing of items 10-24 may reach SQS after the call carrying 0-9 failed")

	// The client resends every unsent item, as the 207 tells it to.
	q.failCall = nil
	resp, err = h.Handle(context.Background(), request(batch, "application/json", body))
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, resp.StatusCode, resp.Body)
	assert.Equal(t, itemIDs(0, 25), q.stored, "all 25 in request order")
}

// A call whose entry SQS refuses stops the request too: the items after it
// wait until the client has dealt with it.
func TestHandleFIFOStopsAfterAFailedEntry(t *testing.T) {
	q := &fifoQueue{failEntry: func(id string) *types.BatchResultErrorEntry {
		if id == "12" {
			return &types.BatchResultErrorEntry{Code: aws.String("InvalidParameterValue"), SenderFault: true}
		}
		return nil
	}}
	h := fifoHandler(t, q)
	resp, err := h.Handle(context.Background(), request(batch, "application/json", batchJSON(25, 100)))
	require.NoError(t, err)
	require.Equal(t, http.StatusMultiStatus, resp.StatusCode, resp.Body)
	for _, r := range decodeResponse(t, resp.Body).Results {
		switch {
		case r.Index == 12:
			require.NotNil(t, r.Error)
			assert.Equal(t, CodeSQSRejected, r.Error.Code)
		case r.Index >= 20:
			require.NotNil(t, r.Error, "item %d", r.Index)
			assert.Equal(t, CodeSQSUnavailable, r.Error.Code)
			assert.Contains(t, r.Error.Message, "item 12")
		default:
			assert.Nil(t, r.Error, "item %d", r.Index)
		}
	}
	assert.Equal(t, append(itemIDs(0, 12), itemIDs(13, 20)...), q.stored)
}

// A standard queue has no order to keep: the other calls go on.
func TestHandleStandardQueueSendsPastAFailedCall(t *testing.T) {
	q := &fifoQueue{failCall: func(in *sqs.SendMessageBatchInput) error {
		if aws.ToString(in.Entries[0].Id) == "0" {
			return errors.New("throttled")
		}
		return nil
	}}
	h := newTestHandler(t, newFakeQueue(), func(c *testSetup) { c.BatchSender = q })
	resp, err := h.Handle(context.Background(), request(batch, "application/json", batchJSON(25, 100)))
	require.NoError(t, err)
	require.Equal(t, http.StatusMultiStatus, resp.StatusCode)
	assert.Len(t, q.stored, 15)
	for _, r := range decodeResponse(t, resp.Body).Results {
		assert.Equal(t, r.Index < 10, r.Error != nil, "item %d", r.Index)
		if r.Error != nil {
			assert.False(t, strings.Contains(r.Error.Message, "throttled"), "detail stays in logs")
		}
	}
}
