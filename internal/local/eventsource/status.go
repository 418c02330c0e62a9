package eventsource

import (
	"sync"
	"time"
)

// States of a mapping in a Status.
const (
	StatePolling  = "polling"
	StateDisabled = "disabled"                 // Enabled: false in the template
	StateOff      = "off (--no-event-sources)" // no runner was started
)

// Status is a read-only view of one mapping and what its pollers did,
// for the local console.
type Status struct {
	Function                string  `json:"function"`
	Event                   string  `json:"event"`
	QueueURL                string  `json:"queueUrl"`
	BatchSize               int     `json:"batchSize"`
	BatchingWindowSeconds   float64 `json:"batchingWindowSeconds"`
	MaximumConcurrency      int     `json:"maximumConcurrency"` // 0: DefaultPollers
	Filters                 int     `json:"filters"`
	ReportBatchItemFailures bool    `json:"reportBatchItemFailures"`
	State                   string  `json:"state"`
	Counters
}

// Counters are a mapping's totals since start.
type Counters struct {
	Batches         int64     `json:"batches"`
	RecordsInvoked  int64     `json:"recordsInvoked"`
	RecordsFailed   int64     `json:"recordsFailed"` // returned to the queue: partial or whole-batch failures
	RecordsFiltered int64     `json:"recordsFiltered"`
	LastOutcome     string    `json:"lastOutcome,omitempty"`
	LastBatchAt     time.Time `json:"lastBatchAt,omitzero"`
}

// counters is a mapping's Counters under its own lock: pollers of one
// mapping update them concurrently.
type counters struct {
	mu sync.Mutex
	c  Counters
}

func (c *counters) add(b Batch, failures int, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.c.Batches++
	c.c.RecordsInvoked += int64(b.Invoked)
	c.c.RecordsFailed += int64(failures)
	c.c.RecordsFiltered += int64(b.Filtered)
	c.c.LastOutcome = b.Outcome
	c.c.LastBatchAt = at
}

func (c *counters) get() Counters {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.c
}

// StatusOf describes mappings no runner polls, in the given state (for
// --no-event-sources); their counters are zero.
func StatusOf(ms []Mapping, state string) []Status {
	out := make([]Status, 0, len(ms))
	for _, m := range ms {
		out = append(out, statusOf(m, state))
	}
	return out
}

func statusOf(m Mapping, state string) Status {
	return Status{
		Function: m.Function, Event: m.Name, QueueURL: m.QueueURL,
		BatchSize: m.BatchSize, BatchingWindowSeconds: m.BatchingWindow.Seconds(),
		MaximumConcurrency: m.MaximumConcurrency, Filters: len(m.FilterPatterns),
		ReportBatchItemFailures: m.ReportBatchItemFailures, State: state,
	}
}

// Status returns every mapping's settings, state and counters, in the
// order of Options.Mappings.
func (r *Runner) Status() []Status {
	out := make([]Status, 0, len(r.mappings))
	for _, m := range r.mappings {
		state := StatePolling
		if !m.Enabled {
			state = StateDisabled
		}
		s := statusOf(m.Mapping, state)
		s.Counters = m.stats.get()
		out = append(out, s)
	}
	return out
}
