package transform

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sqsgate/sqsgate/internal/testpeer"
)

// motoSQS starts moto_server and returns an SDK client pointed at it.
func motoSQS(t *testing.T) *sqs.Client {
	t.Helper()
	moto := testpeer.StartMoto(t)
	testpeer.SetAWSEnv(t, moto.URL)
	cfg, err := config.LoadDefaultConfig(context.Background())
	require.NoError(t, err)
	return sqs.NewFromConfig(cfg)
}

func createQueue(t *testing.T, client *sqs.Client, name string, attrs map[string]string) string {
	t.Helper()
	out, err := client.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	require.NoError(t, err)
	return aws.ToString(out.QueueUrl)
}

func motoHandler(t *testing.T, queueURL string, batch BatchSender, client *sqs.Client) *Handler {
	t.Helper()
	h, err := New(Config{QueueURL: queueURL, MaxBatchItems: 500},
		Deps{Sender: client, BatchSender: batch, Now: func() time.Time { return testNow }}, nil)
	require.NoError(t, err)
	return h
}

// TestMotoDelivers sends 1, 10, 11 and 250 items through the real SDK to
// moto_server and checks every one arrives once, enveloped, with its
// attributes and the message id the response reported.
func TestMotoDelivers(t *testing.T) {
	client := motoSQS(t)
	for _, n := range []int{1, 10, 11, 250} {
		t.Run("batch of "+itoa(n), func(t *testing.T) {
			queueURL := createQueue(t, client, "ingest-"+itoa(n), nil)
			h := motoHandler(t, queueURL, client, client)
			resp, err := h.Handle(context.Background(), request(batch, "application/json", batchJSON(n, 300)))
			require.NoError(t, err)
			require.Equal(t, http.StatusAccepted, resp.StatusCode, truncate(resp.Body))
			results := decodeResponse(t, resp.Body).Results
			require.Len(t, results, n)
			messageIDs := map[string]string{} // event id → SQS message id
			for i, r := range results {
				require.Equal(t, i, r.Index)
				require.NotEmpty(t, r.MessageID)
				messageIDs[r.ID] = r.MessageID
			}
			got := testpeer.Drain(t, client, queueURL)
			require.Len(t, got, n)
			seen := map[string]bool{}
			for _, m := range got {
				var ev CloudEvent
				require.NoError(t, json.Unmarshal([]byte(aws.ToString(m.Body)), &ev))
				assert.False(t, seen[ev.ID], "duplicate %s", ev.ID)
				seen[ev.ID] = true
				assert.Equal(t, messageIDs[ev.ID], aws.ToString(m.MessageId), "response maps to the stored message")
				assert.Equal(t, "1.0", ev.SpecVersion)
				assert.Equal(t, DefaultSource, ev.Source)
				assert.Equal(t, DefaultType, ev.Type)
				assert.Equal(t, testSub, ev.Subject)
				assert.Equal(t, "2026-11-22T01:02:03Z", ev.Time)
				assert.Equal(t, "application/json", ev.DataContentType)
				assert.Equal(t, "req-1", ev.RequestID)
				assert.Equal(t, "198.51.100.7", ev.SourceIP)
				assert.Equal(t, "test-agent/1", ev.UserAgent)
				assert.Equal(t, DefaultType, aws.ToString(m.MessageAttributes["type"].StringValue))
				assert.Equal(t, DefaultSource, aws.ToString(m.MessageAttributes["source"].StringValue))
				assert.Equal(t, "String", aws.ToString(m.MessageAttributes["type"].DataType))
			}
			assert.Len(t, seen, n)
		})
	}

	t.Run("single", func(t *testing.T) {
		queueURL := createQueue(t, client, "ingest-single", nil)
		h := motoHandler(t, queueURL, client, client)
		req := request(single, "application/json", validOrder)
		req.Headers["ce-type"] = "com.example.order.created"
		resp, err := h.Handle(context.Background(), req)
		require.NoError(t, err)
		require.Equal(t, http.StatusAccepted, resp.StatusCode, resp.Body)
		results := decodeResponse(t, resp.Body).Results
		got := testpeer.Drain(t, client, queueURL)
		require.Len(t, got, 1)
		assert.Equal(t, results[0].MessageID, aws.ToString(got[0].MessageId))
		assert.Equal(t, "com.example.order.created", aws.ToString(got[0].MessageAttributes["type"].StringValue))
		var ev CloudEvent
		require.NoError(t, json.Unmarshal([]byte(aws.ToString(got[0].Body)), &ev))
		assert.JSONEq(t, validOrder, string(ev.Data))
	})

	t.Run("FIFO keeps order, group and deduplication id", func(t *testing.T) {
		queueURL := createQueue(t, client, "ingest.fifo", map[string]string{"FifoQueue": "true"})
		h := motoHandler(t, queueURL, client, client)
		resp, err := h.Handle(context.Background(), request(batch, "application/json", batchJSON(11, 100)))
		require.NoError(t, err)
		require.Equal(t, http.StatusAccepted, resp.StatusCode, truncate(resp.Body))
		// Resending the same ids inside the deduplication window adds nothing.
		resp, err = h.Handle(context.Background(), request(batch, "application/json", batchJSON(11, 100)))
		require.NoError(t, err)
		require.Equal(t, http.StatusAccepted, resp.StatusCode, truncate(resp.Body))
		got := testpeer.Drain(t, client, queueURL)
		require.Len(t, got, 11)
		for i, m := range got {
			var ev CloudEvent
			require.NoError(t, json.Unmarshal([]byte(aws.ToString(m.Body)), &ev))
			assert.Equal(t, "item-"+itoa(i), ev.ID, "order within the group")
			assert.Equal(t, testSub, m.Attributes["MessageGroupId"])
			assert.Equal(t, ev.ID, m.Attributes["MessageDeduplicationId"])
		}
	})
}

// TestMotoPartialFailure puts a sender between the handler and moto that
// fails chosen entries the way SQS reports them: item 3 as a sender fault,
// item 7 as retryable once. Everything else, and item 7's retry, reaches
// moto for real.
func TestMotoPartialFailure(t *testing.T) {
	client := motoSQS(t)
	queueURL := createQueue(t, client, "ingest-partial", nil)
	var mu sync.Mutex
	failedOnce := false
	flaky := batchFunc(func(ctx context.Context, in *sqs.SendMessageBatchInput, o ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error) {
		var failed []types.BatchResultErrorEntry
		forward := *in
		forward.Entries = nil
		mu.Lock()
		for _, e := range in.Entries {
			switch id := aws.ToString(e.Id); {
			case id == "3":
				failed = append(failed, types.BatchResultErrorEntry{Id: e.Id, Code: aws.String("InvalidParameterValue"), SenderFault: true})
			case id == "7" && !failedOnce:
				failedOnce = true
				failed = append(failed, types.BatchResultErrorEntry{Id: e.Id, Code: aws.String("InternalError"), SenderFault: false})
			default:
				forward.Entries = append(forward.Entries, e)
			}
		}
		mu.Unlock()
		out := &sqs.SendMessageBatchOutput{}
		if len(forward.Entries) > 0 {
			real, err := client.SendMessageBatch(ctx, &forward, o...)
			if err != nil {
				return nil, err
			}
			out.Successful, out.Failed = real.Successful, real.Failed
		}
		out.Failed = append(out.Failed, failed...)
		return out, nil
	})
	h, err := New(Config{QueueURL: queueURL, Backoff: time.Millisecond}, Deps{Sender: client, BatchSender: flaky}, nil)
	require.NoError(t, err)
	resp, err := h.Handle(context.Background(), request(batch, "application/json", batchJSON(12, 200)))
	require.NoError(t, err)
	require.Equal(t, http.StatusMultiStatus, resp.StatusCode, truncate(resp.Body))
	results := decodeResponse(t, resp.Body).Results
	require.Len(t, results, 12)
	for i, r := range results {
		if i == 3 {
			require.NotNil(t, r.Error)
			assert.Equal(t, "sqs_rejected", r.Error.Code)
			assert.Empty(t, r.MessageID)
			continue
		}
		assert.Nil(t, r.Error, "item %d", i)
		assert.NotEmpty(t, r.MessageID, "item %d", i)
	}
	got := testpeer.Drain(t, client, queueURL)
	require.Len(t, got, 11)
	ids := map[string]bool{}
	for _, m := range got {
		var ev CloudEvent
		require.NoError(t, json.Unmarshal([]byte(aws.ToString(m.Body)), &ev))
		ids[ev.ID] = true
	}
	assert.Len(t, ids, 11)
	assert.False(t, ids["item-3"], "the rejected item is not in the queue")
	assert.True(t, ids["item-7"], "the retried item is in the queue")
}
