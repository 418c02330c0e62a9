package eventsource

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sqsgate/sqsgate/internal/local/sqsendpoint"
)

// TestStatusCountsBatches: Status reports each mapping's settings and state
// and, once a batch is reported, the counters match what the batches did.
func TestStatusCountsBatches(t *testing.T) {
	srv, err := sqsendpoint.New(sqsendpoint.Options{})
	require.NoError(t, err)
	ts := httptest.NewServer(srv)
	t.Cleanup(func() { ts.Close(); srv.Close() })
	b := backend{"embedded", newClient(ts.URL)}
	url, arn, _ := b.queue(t, false, 300, 0) // a failed record stays in flight: no second batch
	b.send(t, url, msg{body: `{"kind":"order"}`}, msg{body: `{"kind":"order"}`}, msg{body: `{"kind":"refund"}`})
	m := newMapping(url, arn)
	m.MaximumConcurrency = 1
	m.BatchingWindow = 0
	m.FilterPatterns = []string{`{"body":{"kind":["order"]}}`}
	off := newMapping(url, arn)
	off.Name, off.Enabled = "Off", false

	batches := make(chan Batch, 10)
	r, err := Start(Options{
		Mappings: []Mapping{m, off}, SQS: b.client, Region: "us-east-1",
		OnBatch: func(x Batch) { batches <- x },
		Invoke: func(_ context.Context, _ string, payload []byte) ([]byte, bool, error) {
			var ev events.SQSEvent
			require.NoError(t, json.Unmarshal(payload, &ev))
			return failuresOf(ev.Records[0].MessageId), false, nil
		},
	})
	require.NoError(t, err)
	t.Cleanup(func() { r.Close() })

	var all []Batch
	for sizes(all) < 3 {
		select {
		case x := <-batches:
			all = append(all, x)
		case <-time.After(30 * time.Second):
			t.Fatal("no batch within 30s")
		}
	}
	st := r.Status()
	require.Len(t, st, 2)
	assert.Equal(t, "Fn", st[0].Function)
	assert.Equal(t, "Ingest", st[0].Event)
	assert.Equal(t, url, st[0].QueueURL)
	assert.Equal(t, 10, st[0].BatchSize)
	assert.Equal(t, 1, st[0].MaximumConcurrency)
	assert.Equal(t, 1, st[0].Filters)
	assert.True(t, st[0].ReportBatchItemFailures)
	assert.Equal(t, StatePolling, st[0].State)
	assert.Equal(t, int64(len(all)), st[0].Batches)
	assert.Equal(t, int64(2), st[0].RecordsInvoked)
	assert.Equal(t, int64(1), st[0].RecordsFiltered)
	assert.Equal(t, int64(countOutcome(all, OutcomePartial)), st[0].RecordsFailed)
	assert.Equal(t, all[len(all)-1].Outcome, st[0].LastOutcome)
	assert.False(t, st[0].LastBatchAt.IsZero())

	assert.Equal(t, StateDisabled, st[1].State)
	assert.Equal(t, "Off", st[1].Event)
	assert.Equal(t, Counters{}, st[1].Counters)

	offline := StatusOf([]Mapping{m}, StateOff)
	assert.Equal(t, StateOff, offline[0].State)
	assert.Equal(t, Counters{}, offline[0].Counters)
}
