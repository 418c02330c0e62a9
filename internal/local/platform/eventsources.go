package platform

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/sqsgate/sqsgate/internal/local/eventsource"
	"github.com/sqsgate/sqsgate/internal/local/lambdaruntime"
	"github.com/sqsgate/sqsgate/internal/local/template"
)

// startEventSources runs the template's SQS event source mappings against
// the platform's SQS endpoint (internal/local/eventsource); Close stops
// them before the runtime they invoke.
func (p *Platform) startEventSources(rt *lambdaruntime.Runtime) error {
	cfg := p.cfg
	log := cfg.Logger.With("component", "eventsource")
	var mappings []eventsource.Mapping
	for _, m := range p.App.EventSources {
		mappings = append(mappings, mappingOf(m))
		state := "polling"
		switch {
		case cfg.NoEventSources:
			state = "off (--no-event-sources)"
		case !m.Enabled:
			state = "disabled (Enabled: false)"
		}
		log.Info("event source mapping", "function", m.Function, "event", m.Name, "queue_url", m.Queue.URL,
			"batch_size", m.BatchSize, "batching_window_s", m.BatchingWindow.Seconds(), "maximum_concurrency", m.MaximumConcurrency,
			"report_batch_item_failures", m.ReportBatchItemFailures, "filters", len(m.FilterPatterns), "state", state)
	}
	if len(mappings) == 0 {
		return nil
	}
	if cfg.NoEventSources {
		p.eventSources = func() []eventsource.Status { return eventsource.StatusOf(mappings, eventsource.StateOff) }
		return nil
	}
	r, err := eventsource.Start(eventsource.Options{
		Mappings: mappings,
		SQS:      newSQSClient(p.SQSEndpoint, cfg.Region, p.External),
		Region:   cfg.Region,
		Logger:   log,
		Invoke: func(ctx context.Context, function string, payload []byte) ([]byte, bool, error) {
			res, err := rt.Invoke(ctx, function, payload)
			if err != nil {
				return nil, false, err
			}
			return res.Payload, res.FunctionError != "", nil
		},
	})
	if err != nil {
		return fmt.Errorf("event source mappings: %w", err)
	}
	p.onClose(r.Close)
	p.eventSources = r.Status
	return nil
}

func mappingOf(m *template.EventSourceMapping) eventsource.Mapping {
	return eventsource.Mapping{
		Function:                m.Function,
		Name:                    m.Name,
		QueueURL:                m.Queue.URL,
		QueueARN:                m.Queue.ARN,
		FIFO:                    m.Queue.FIFO,
		BatchSize:               m.BatchSize,
		BatchingWindow:          m.BatchingWindow,
		ReportBatchItemFailures: m.ReportBatchItemFailures,
		MaximumConcurrency:      m.MaximumConcurrency,
		FilterPatterns:          m.FilterPatterns,
		Enabled:                 m.Enabled,
	}
}

// writeEventSources adds the mappings to the start summary.
func (p *Platform) writeEventSources(w io.Writer) {
	if len(p.App.EventSources) == 0 {
		return
	}
	fmt.Fprintf(w, "\nSQS event source mappings\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, m := range p.App.EventSources {
		state := "polling"
		switch {
		case p.cfg.NoEventSources:
			state = "off (--no-event-sources)"
		case !m.Enabled:
			state = "disabled"
		}
		fmt.Fprintf(tw, "  %s\t→ %s (%s)\tbatch %d, window %s, concurrency %s, %d filter(s), partial failures %v\t[%s]\n",
			m.Queue.LogicalID, m.Function, m.Name, m.BatchSize, m.BatchingWindow, concurrency(m.MaximumConcurrency), len(m.FilterPatterns), m.ReportBatchItemFailures, state)
	}
	tw.Flush()
}

func concurrency(n int) string {
	if n == 0 {
		return fmt.Sprintf("%d (default)", eventsource.DefaultPollers)
	}
	return fmt.Sprint(n)
}
