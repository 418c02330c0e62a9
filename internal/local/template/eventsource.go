package template

import (
	"encoding/json"
	"strconv"
	"time"
)

// EventSourceMapping is a function's SQS event: what Lambda's poller for
// the queue does (Lambda Developer Guide, "Using Lambda with Amazon SQS").
type EventSourceMapping struct {
	Function string // logical ID
	Name     string // the event's name under Events
	Queue    *Queue
	// BatchSize: records per invocation (default 10).
	BatchSize int
	// BatchingWindow is MaximumBatchingWindowInSeconds (default 0).
	BatchingWindow time.Duration
	// ReportBatchItemFailures: FunctionResponseTypes holds it.
	ReportBatchItemFailures bool
	// MaximumConcurrency is ScalingConfig.MaximumConcurrency; 0 = unset.
	MaximumConcurrency int
	// FilterPatterns are FilterCriteria.Filters[].Pattern, as JSON text.
	FilterPatterns []string
	Enabled        bool
}

var sqsEventProperties = map[string]bool{
	"Queue": true, "BatchSize": true, "MaximumBatchingWindowInSeconds": true,
	"FunctionResponseTypes": true, "ScalingConfig": true, "FilterCriteria": true,
	"Enabled": true,
}

var sqsEventNoop = map[string]string{
	"KmsKeyArn":               "filter criteria are not encrypted locally",
	"MetricsConfig":           "no CloudWatch locally",
	"ProvisionedPollerConfig": "pollers are not provisioned locally",
}

// AWS's limits (Lambda API Reference, CreateEventSourceMapping; Lambda
// Developer Guide, "Lambda event filtering" quotas).
const (
	maxBatchStandard  = 10000
	maxBatchFIFO      = 10
	maxBatchingWindow = 300
	maxFilters        = 5
)

// sqsEvents reads every function's SQS events; functions and queues are
// resolved by then.
func (l *loader) sqsEvents() error {
	for _, fe := range l.events {
		for _, name := range sortedKeys(fe.events) {
			ev, _ := fe.events[name].(map[string]any)
			if str(ev["Type"]) != "SQS" {
				continue
			}
			m, err := l.sqsEvent(fe.function, name, ev)
			if err != nil {
				return err
			}
			l.app.EventSources = append(l.app.EventSources, m)
		}
	}
	return nil
}

func (l *loader) sqsEvent(fn, name string, ev map[string]any) (*EventSourceMapping, error) {
	at := "Events." + name + ".Properties"
	props, _ := ev["Properties"].(map[string]any)
	fail := func(prop, format string, args ...any) error {
		return invalidProperty(fn, join(at, prop), format, args...)
	}
	for _, k := range sortedKeys(props) {
		if sqsEventProperties[k] {
			continue
		}
		if reason, ok := sqsEventNoop[k]; ok {
			l.note(fn, "event "+name+": "+k+": "+reason)
			continue
		}
		return nil, unsupportedProperty(fn, join(at, k), "SQS event property %s is not emulated", k)
	}
	m := &EventSourceMapping{Function: fn, Name: name, BatchSize: 10, Enabled: true}
	arn := str(props["Queue"])
	for _, q := range l.app.Queues {
		if q.ARN == arn {
			m.Queue = q
		}
	}
	if m.Queue == nil {
		return nil, fail("Queue", "%q is not the ARN of a queue in this template", arn)
	}
	intProp := func(prop string, lo, hi int) (int, bool, error) {
		v, ok := props[prop]
		if !ok {
			return 0, false, nil
		}
		n, err := strconv.Atoi(str(v))
		if err != nil || n < lo || n > hi {
			return 0, true, fail(prop, "%s %q is not %d..%d", prop, str(v), lo, hi)
		}
		return n, true, nil
	}
	maxBatch := maxBatchStandard
	if m.Queue.FIFO {
		maxBatch = maxBatchFIFO
	}
	if n, ok, err := intProp("BatchSize", 1, maxBatch); err != nil {
		return nil, err
	} else if ok {
		m.BatchSize = n
	}
	if m.Queue.FIFO {
		if _, ok := props["MaximumBatchingWindowInSeconds"]; ok {
			return nil, fail("MaximumBatchingWindowInSeconds", "a FIFO queue's mapping takes no batching window")
		}
	}
	if n, _, err := intProp("MaximumBatchingWindowInSeconds", 0, maxBatchingWindow); err != nil {
		return nil, err
	} else {
		m.BatchingWindow = time.Duration(n) * time.Second
	}
	if m.BatchSize > 10 && m.BatchingWindow < time.Second {
		return nil, fail("BatchSize", "a BatchSize above 10 needs MaximumBatchingWindowInSeconds of at least 1")
	}
	if types, ok := props["FunctionResponseTypes"]; ok {
		list, _ := types.([]any)
		for _, t := range list {
			if str(t) != "ReportBatchItemFailures" {
				return nil, fail("FunctionResponseTypes", "only ReportBatchItemFailures is a response type (%q)", str(t))
			}
			m.ReportBatchItemFailures = true
		}
	}
	if sc, ok := props["ScalingConfig"].(map[string]any); ok {
		if v, ok := sc["MaximumConcurrency"]; ok {
			n, err := strconv.Atoi(str(v))
			if err != nil || n < 2 || n > 1000 {
				return nil, fail("ScalingConfig.MaximumConcurrency", "%q is not 2..1000", str(v))
			}
			m.MaximumConcurrency = n
		}
	}
	if fc, ok := props["FilterCriteria"].(map[string]any); ok {
		filters, _ := fc["Filters"].([]any)
		if len(filters) > maxFilters {
			return nil, fail("FilterCriteria.Filters", "%d filters; Lambda allows %d per mapping", len(filters), maxFilters)
		}
		for i, f := range filters {
			fm, _ := f.(map[string]any)
			p := str(fm["Pattern"])
			var obj map[string]any
			if err := json.Unmarshal([]byte(p), &obj); err != nil {
				return nil, fail("FilterCriteria.Filters."+strconv.Itoa(i)+".Pattern", "not a JSON object: %v", err)
			}
			m.FilterPatterns = append(m.FilterPatterns, p)
		}
	}
	if v, ok := props["Enabled"]; ok {
		b, err := strconv.ParseBool(str(v))
		if err != nil {
			return nil, fail("Enabled", "%q is not a boolean", str(v))
		}
		m.Enabled = b
	}
	// Lambda refuses a mapping whose queue's visibility timeout is shorter
	// than the function's timeout (CreateEventSourceMapping: "Queue
	// visibility timeout ... is less than Function timeout").
	visibility := 30 * time.Second
	if v, ok := m.Queue.Attributes["VisibilityTimeout"]; ok {
		n, _ := strconv.Atoi(v)
		visibility = time.Duration(n) * time.Second
	}
	for _, f := range l.app.Functions {
		if f.LogicalID == fn && visibility < f.Timeout {
			return nil, fail("Queue", "queue %s's visibility timeout (%s) is less than the function's timeout (%s); Lambda refuses this mapping", m.Queue.LogicalID, visibility, f.Timeout)
		}
	}
	return m, nil
}
