package console_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sqsgate/sqsgate/internal/local/console"
	"github.com/sqsgate/sqsgate/internal/local/eventsource"
)

type eventSourcesAnswer struct {
	Mappings []struct {
		Function                string  `json:"function"`
		Event                   string  `json:"event"`
		QueueURL                string  `json:"queueUrl"`
		BatchSize               int     `json:"batchSize"`
		BatchingWindowSeconds   float64 `json:"batchingWindowSeconds"`
		MaximumConcurrency      int     `json:"maximumConcurrency"`
		Filters                 int     `json:"filters"`
		ReportBatchItemFailures bool    `json:"reportBatchItemFailures"`
		State                   string  `json:"state"`
		Batches                 int     `json:"batches"`
		RecordsInvoked          int     `json:"recordsInvoked"`
		RecordsFailed           int     `json:"recordsFailed"`
		RecordsFiltered         int     `json:"recordsFiltered"`
		LastOutcome             string  `json:"lastOutcome"`
		LastBatchAt             string  `json:"lastBatchAt"`
	} `json:"mappings"`
}

// TestEventSourcesAfterABatch: a mapping run by eventsource with an
// in-process function shows in the console API with its settings, state
// and the counters of the batch it processed.
func TestEventSourcesAfterABatch(t *testing.T) {
	batches := make(chan eventsource.Batch, 10)
	var runner *eventsource.Runner
	r := newRig(t, func(r *rig, o *console.Options) {
		m := eventsource.Mapping{Function: "ProcessorFunction", Name: "Ingest", QueueURL: r.ingest,
			QueueARN: "arn:aws:sqs:us-east-1:000000000000:sqsgate-ingest", BatchSize: 5, BatchingWindow: 0,
			MaximumConcurrency: 2, FilterPatterns: []string{`{"body":{"kind":["order"]}}`, `{"body":{"kind":["refund"]}}`}, Enabled: true}
		var err error
		runner, err = eventsource.Start(eventsource.Options{
			Mappings: []eventsource.Mapping{m}, SQS: r.sqs, Region: "us-east-1",
			OnBatch: func(b eventsource.Batch) { batches <- b },
			Invoke:  func(context.Context, string, []byte) ([]byte, bool, error) { return []byte(`{}`), false, nil },
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { runner.Close() })
		o.EventSources = runner.Status
	})
	var before eventSourcesAnswer
	if code := getJSON(t, r.URL+"/_sqsgate/api/event-sources", &before); code != 200 || len(before.Mappings) != 1 ||
		before.Mappings[0].Batches != 0 || before.Mappings[0].LastOutcome != "" {
		t.Fatalf("before any message: %d %+v", code, before)
	}
	if _, err := r.sqs.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: aws.String(r.ingest), MessageBody: aws.String(`{"kind":"order"}`)}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-batches:
	case <-time.After(30 * time.Second):
		t.Fatal("no batch within 30s")
	}
	var got eventSourcesAnswer
	if code := getJSON(t, r.URL+"/_sqsgate/api/event-sources", &got); code != 200 || len(got.Mappings) != 1 {
		t.Fatalf("status %d, %+v", code, got)
	}
	m := got.Mappings[0]
	if m.Function != "ProcessorFunction" || m.Event != "Ingest" || m.QueueURL != r.ingest || m.BatchSize != 5 ||
		m.MaximumConcurrency != 2 || m.Filters != 2 || m.ReportBatchItemFailures || m.State != "polling" {
		t.Errorf("mapping settings %+v", m)
	}
	if m.Batches != 1 || m.RecordsInvoked != 1 || m.RecordsFailed != 0 || m.RecordsFiltered != 0 ||
		m.LastOutcome != "success" || m.LastBatchAt == "" {
		t.Errorf("counters after one batch of one record %+v", m)
	}
}

// TestEventSourcesNone: without mappings the call answers an empty list,
// never null, so the page can say there are none.
func TestEventSourcesNone(t *testing.T) {
	r := newRig(t)
	var got map[string][]any
	if code := getJSON(t, r.URL+"/_sqsgate/api/event-sources", &got); code != 200 || got["mappings"] == nil || len(got["mappings"]) != 0 {
		t.Errorf("status %d, %v", code, got)
	}
}
