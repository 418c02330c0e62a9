package platform

import (
	"testing"

	"github.com/sqsgate/sqsgate/internal/local/eventsource"
	"github.com/sqsgate/sqsgate/internal/local/template"
)

// TestEventSourcesReachTheConsole: startEventSources leaves the console a
// view of the mappings in the state the start summary gives them: off under
// --no-event-sources, disabled for Enabled: false (no runner polls either,
// so no runtime or SQS endpoint is needed).
func TestEventSourcesReachTheConsole(t *testing.T) {
	q := &template.Queue{LogicalID: "IngestQueue", URL: "http://127.0.0.1:1/000000000000/ingest", ARN: "arn:aws:sqs:us-east-1:000000000000:ingest"}
	ingest := &template.EventSourceMapping{Function: "ProcessorFunction", Name: "Ingest", Queue: q, BatchSize: 7, MaximumConcurrency: 3,
		FilterPatterns: []string{`{"body":{"a":["b"]}}`}, Enabled: true}
	paused := &template.EventSourceMapping{Function: "ProcessorFunction", Name: "Paused", Queue: q, BatchSize: 10}
	start := func(noEventSources bool, ms ...*template.EventSourceMapping) []eventsource.Status {
		t.Helper()
		p := &Platform{App: &template.App{EventSources: ms}, cfg: Config{NoEventSources: noEventSources, Logger: discard(), Region: DefaultRegion}}
		if err := p.startEventSources(nil); err != nil {
			t.Fatal(err)
		}
		defer func() {
			for _, f := range p.closers {
				f()
			}
		}()
		if p.eventSources == nil {
			t.Fatal("no event source view for the console")
		}
		return p.eventSources()
	}

	off := start(true, ingest, paused)
	if len(off) != 2 || off[0].State != eventsource.StateOff || off[1].State != eventsource.StateOff {
		t.Fatalf("under --no-event-sources: %+v, want both off", off)
	}
	if s := off[0]; s.Function != "ProcessorFunction" || s.Event != "Ingest" || s.QueueURL != q.URL || s.BatchSize != 7 || s.MaximumConcurrency != 3 || s.Filters != 1 {
		t.Errorf("settings %+v, want the template's", s)
	}

	disabled := start(false, paused)
	if len(disabled) != 1 || disabled[0].State != eventsource.StateDisabled || disabled[0].Event != "Paused" {
		t.Errorf("Enabled: false: %+v, want it disabled", disabled)
	}
}
