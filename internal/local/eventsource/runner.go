package eventsource

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// Mapping is one SQS event source mapping.
type Mapping struct {
	Function string // function to invoke
	Name     string // the event's name, for logs
	QueueURL string
	QueueARN string
	FIFO     bool
	// BatchSize (default 10) and BatchingWindow bound a batch.
	BatchSize      int
	BatchingWindow time.Duration
	// ReportBatchItemFailures: the function may answer batchItemFailures.
	ReportBatchItemFailures bool
	// MaximumConcurrency bounds concurrent invocations; 0 = DefaultPollers.
	MaximumConcurrency int
	// FilterPatterns are FilterCriteria patterns; none = every record.
	FilterPatterns []string
	Enabled        bool
}

// DefaultPollers is how many batches a mapping without MaximumConcurrency
// processes at once: the five Lambda starts with ("Configuring scaling
// behavior for SQS event source mappings").
const DefaultPollers = 5

// longPoll is the WaitTimeSeconds of every receive (the SQS maximum), as
// Lambda's pollers long-poll.
const longPoll = 20

// SQS is what the pollers call.
type SQS interface {
	ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, opts ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error)
	DeleteMessageBatch(ctx context.Context, in *sqs.DeleteMessageBatchInput, opts ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error)
}

var _ SQS = (*sqs.Client)(nil)

// Invoker invokes a function synchronously: its response payload, and
// whether the function failed (an error, a crash or a timeout: Lambda's
// X-Amz-Function-Error). err is a failure to invoke at all.
type Invoker func(ctx context.Context, function string, payload []byte) (response []byte, functionError bool, err error)

// Outcomes of a batch, as logged and reported.
const (
	OutcomeSuccess         = "success"          // every record deleted
	OutcomePartial         = "partial_failure"  // batchItemFailures returned
	OutcomeFunctionError   = "function_error"   // error or timeout: the whole batch returns
	OutcomeInvalidResponse = "invalid_response" // bad batchItemFailures: the whole batch returns
	OutcomeInvokeError     = "invoke_error"     // the function could not be invoked
	OutcomeFiltered        = "filtered"         // no record matched FilterCriteria
)

// Batch describes one processed batch.
type Batch struct {
	Function, Name string
	Size           int // records received
	Filtered       int // deleted without invocation
	Invoked        int // records in the event
	Failed         []string
	Outcome        string
	Err            error
}

// Options configure a Runner.
type Options struct {
	Mappings []Mapping
	SQS      SQS
	Invoke   Invoker
	Region   string
	Logger   *slog.Logger
	// OnBatch, if set, is called after each batch (tests, benchmarks).
	OnBatch func(Batch)
	// Now is the clock of the batching window; nil is time.Now.
	Now func() time.Time
	// RetryDelay is how long a poller waits after a failed receive;
	// 0 is one second.
	RetryDelay time.Duration
}

// Runner polls every enabled mapping until Close.
type Runner struct {
	opts     Options
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	mappings []*mapping
}

type mapping struct {
	Mapping
	filters []*Filter
	stats   counters
}

// Start checks every mapping and starts the pollers of the enabled ones.
func Start(opts Options) (*Runner, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.RetryDelay == 0 {
		opts.RetryDelay = time.Second
	}
	var ms []*mapping
	for _, m := range opts.Mappings {
		if m.BatchSize == 0 {
			m.BatchSize = 10
		}
		mm := &mapping{Mapping: m}
		for i, p := range m.FilterPatterns {
			f, err := ParseFilter(p)
			if err != nil {
				return nil, fmt.Errorf("%s event %s: FilterCriteria.Filters[%d]: %w", m.Function, m.Name, i, err)
			}
			mm.filters = append(mm.filters, f)
		}
		ms = append(ms, mm)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &Runner{opts: opts, cancel: cancel, mappings: ms}
	for _, m := range ms {
		if !m.Enabled {
			continue
		}
		n := m.MaximumConcurrency
		if n == 0 {
			n = DefaultPollers
		}
		for range n {
			r.wg.Add(1)
			go func() {
				defer r.wg.Done()
				r.poll(ctx, m)
			}()
		}
	}
	return r, nil
}

// Close stops the pollers and waits for them. A batch in flight is left
// on the queue; it reappears after its visibility timeout.
func (r *Runner) Close() error {
	r.cancel()
	r.wg.Wait()
	return nil
}

func (r *Runner) poll(ctx context.Context, m *mapping) {
	for ctx.Err() == nil {
		msgs, err := r.gather(ctx, m)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			r.opts.Logger.Warn("event source receive failed", "function", m.Function, "event", m.Name, "queue_url", m.QueueURL, "error", err.Error())
			select {
			case <-ctx.Done():
				return
			case <-time.After(r.opts.RetryDelay):
			}
		}
		if len(msgs) > 0 {
			r.process(ctx, m, msgs)
		}
	}
}

// gather long-polls until a record arrives, then keeps receiving until the
// batch is full or the batching window, counted from the first record,
// has passed. Without a window one receive makes the batch.
func (r *Runner) gather(ctx context.Context, m *mapping) ([]types.Message, error) {
	var batch []types.Message
	var deadline time.Time
	for len(batch) < m.BatchSize {
		wait := int32(longPoll)
		if len(batch) > 0 {
			if m.BatchingWindow <= 0 {
				break
			}
			left := deadline.Sub(r.opts.Now())
			if left <= 0 {
				break
			}
			wait = int32(min((left+time.Second-1)/time.Second, longPoll))
		}
		out, err := r.opts.SQS.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl:                    aws.String(m.QueueURL),
			MaxNumberOfMessages:         int32(min(10, m.BatchSize-len(batch))),
			WaitTimeSeconds:             wait,
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
			// The older spelling too, for endpoints that only read it.
			AttributeNames:        []types.QueueAttributeName{types.QueueAttributeNameAll},
			MessageAttributeNames: []string{"All"},
		})
		if err != nil {
			// What was received stays in flight and returns after its
			// visibility timeout, as when a Lambda poller fails.
			return nil, err
		}
		if len(batch) == 0 && len(out.Messages) > 0 {
			deadline = r.opts.Now().Add(m.BatchingWindow)
		}
		batch = append(batch, out.Messages...)
	}
	return batch, nil
}

// process filters, invokes and deletes one batch.
func (r *Runner) process(ctx context.Context, m *mapping, msgs []types.Message) {
	start := time.Now()
	b := Batch{Function: m.Function, Name: m.Name, Size: len(msgs)}
	var records []record
	var filtered []string
	for _, msg := range msgs {
		rec := newRecord(msg, m.QueueARN, r.opts.Region)
		if m.matches(rec) {
			records = append(records, rec)
		} else {
			filtered = append(filtered, rec.ReceiptHandle)
		}
	}
	b.Filtered = len(filtered)
	b.Invoked = len(records)
	r.delete(ctx, m, filtered)
	if len(records) == 0 {
		b.Outcome = OutcomeFiltered
		r.report(m, b, start)
		return
	}
	payload, _ := json.Marshal(struct {
		Records []record `json:"Records"`
	}{records})
	resp, fnErr, err := r.opts.Invoke(ctx, m.Function, payload)
	switch {
	case err != nil:
		b.Outcome, b.Err = OutcomeInvokeError, err
	case fnErr:
		b.Outcome, b.Err = OutcomeFunctionError, errors.New(truncate(string(resp)))
	case !m.ReportBatchItemFailures:
		b.Outcome = OutcomeSuccess
		r.delete(ctx, m, handles(records, nil))
	default:
		failed, err := batchItemFailures(resp, records)
		switch {
		case err != nil:
			b.Outcome, b.Err = OutcomeInvalidResponse, err
		case len(failed) > 0:
			b.Outcome = OutcomePartial
			b.Failed = sortedIDs(records, failed)
			r.delete(ctx, m, handles(records, failed))
		default:
			b.Outcome = OutcomeSuccess
			r.delete(ctx, m, handles(records, nil))
		}
	}
	r.report(m, b, start)
}

func (m *mapping) matches(rec record) bool {
	if len(m.filters) == 0 {
		return true
	}
	in := rec.filterInput()
	for _, f := range m.filters {
		if f.Match(in) {
			return true
		}
	}
	return false
}

// batchItemFailures reads a partial batch response by Lambda's rules
// ("Handling errors for an SQS event source in Lambda",
// https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html):
// success for null, {}, a null or empty list; a whole-batch failure for
// invalid JSON or an itemIdentifier that is missing, null, empty or not a
// message of the batch.
func batchItemFailures(resp []byte, records []record) (map[string]bool, error) {
	if len(resp) == 0 || string(resp) == "null" {
		return nil, nil
	}
	var out struct {
		BatchItemFailures []map[string]any `json:"batchItemFailures"`
	}
	if err := json.Unmarshal(resp, &out); err != nil {
		return nil, fmt.Errorf("response is not a batch response: %v", err)
	}
	ids := map[string]bool{}
	for _, r := range records {
		ids[r.MessageID] = true
	}
	failed := map[string]bool{}
	for _, f := range out.BatchItemFailures {
		id, ok := f["itemIdentifier"].(string)
		switch {
		case f == nil || !ok:
			return nil, errors.New("a batchItemFailures entry has no itemIdentifier string")
		case id == "":
			return nil, errors.New("empty itemIdentifier")
		case !ids[id]:
			return nil, fmt.Errorf("itemIdentifier %q is not a message of the batch", truncate(id))
		}
		failed[id] = true
	}
	return failed, nil
}

// handles are the receipt handles of records not in keep.
func handles(records []record, keep map[string]bool) []string {
	var out []string
	for _, r := range records {
		if !keep[r.MessageID] {
			out = append(out, r.ReceiptHandle)
		}
	}
	return out
}

func sortedIDs(records []record, set map[string]bool) []string {
	var out []string
	for _, r := range records {
		if set[r.MessageID] {
			out = append(out, r.MessageID)
		}
	}
	return out
}

// delete removes records by receipt handle, ten per DeleteMessageBatch.
func (r *Runner) delete(ctx context.Context, m *mapping, receipts []string) {
	for len(receipts) > 0 {
		n := min(10, len(receipts))
		var entries []types.DeleteMessageBatchRequestEntry
		for i, h := range receipts[:n] {
			entries = append(entries, types.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: aws.String(h)})
		}
		out, err := r.opts.SQS.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(m.QueueURL), Entries: entries})
		if err != nil {
			r.opts.Logger.Warn("event source delete failed; the records return after their visibility timeout", "function", m.Function, "event", m.Name, "queue_url", m.QueueURL, "error", err.Error())
		} else if len(out.Failed) > 0 {
			r.opts.Logger.Warn("event source delete failed for some records", "function", m.Function, "event", m.Name, "queue_url", m.QueueURL, "failed", len(out.Failed), "code", deref(out.Failed[0].Code))
		}
		receipts = receipts[n:]
	}
}

func (r *Runner) report(m *mapping, b Batch, start time.Time) {
	failures := len(b.Failed)
	level := slog.LevelInfo
	var extra []any
	switch b.Outcome {
	case OutcomePartial:
		extra = []any{"failed_ids", b.Failed}
	case OutcomeFunctionError, OutcomeInvalidResponse, OutcomeInvokeError:
		level = slog.LevelWarn
		failures = b.Invoked
		extra = []any{"error", b.Err.Error()}
	}
	attrs := append([]any{"function", m.Function, "event", m.Name, "queue_url", m.QueueURL, "size", b.Size,
		"filtered", b.Filtered, "outcome", b.Outcome, "failures", failures,
		"duration_ms", float64(time.Since(start).Microseconds()) / 1000}, extra...)
	r.opts.Logger.Log(context.Background(), level, "event source batch", attrs...)
	m.stats.add(b, failures, r.opts.Now())
	if r.opts.OnBatch != nil {
		r.opts.OnBatch(b)
	}
}

func truncate(s string) string {
	if len(s) > 256 {
		return s[:256] + "…"
	}
	return s
}
