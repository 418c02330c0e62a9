package consumer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Message attributes the webhook function sets on every message.
const (
	AttributeProvider   = "provider"
	AttributeEvent      = "event"
	AttributeDeliveryID = "delivery_id"
)

// Kinds of record.
const (
	KindWebhook    = "webhook"
	KindCloudEvent = "cloudevent"
)

// Errors a record can fail with before its handler runs.
var (
	// ErrNoHandler: no handler is registered for the record's route. The
	// record fails (it returns, and reaches the dead-letter queue after
	// maxReceiveCount) rather than being dropped unseen.
	ErrNoHandler = errors.New("consumer: no handler for this record")
	// ErrUndecodable: the record is neither a webhook message nor a
	// CloudEvents envelope.
	ErrUndecodable = errors.New("consumer: record is not a webhook message or a CloudEvent")
	// ErrPanic wraps a panic in a record's handler.
	ErrPanic = errors.New("consumer: handler panicked")
	// ErrEarlierFailureInGroup: an earlier record of the same FIFO message
	// group failed, so this one was not run.
	ErrEarlierFailureInGroup = errors.New("consumer: an earlier record of this message group failed")
)

// CloudEvent is the CloudEvents 1.0 envelope the transformer writes.
type CloudEvent struct {
	SpecVersion     string          `json:"specversion"`
	ID              string          `json:"id"`
	Source          string          `json:"source"`
	Type            string          `json:"type"`
	Time            string          `json:"time,omitempty"`
	Subject         string          `json:"subject,omitempty"`
	DataContentType string          `json:"datacontenttype,omitempty"`
	Data            json.RawMessage `json:"data"`
}

// Record is one SQS record, unwrapped.
type Record struct {
	// Message is the record as Lambda delivered it.
	Message events.SQSMessage
	// Kind is KindWebhook or KindCloudEvent.
	Kind string
	// Route is what the record was routed by: "provider/event" for a
	// webhook, the CloudEvents type for a CloudEvent.
	Route string
	// Provider and Event are set for webhook messages.
	Provider, Event string
	// ID is the idempotency key: the webhook delivery_id or the
	// CloudEvents id ("" when the message carries none).
	ID string
	// Data is the payload: the webhook document as delivered, or the
	// CloudEvent's data.
	Data json.RawMessage
	// CloudEvent is the whole envelope of a transformer message.
	CloudEvent *CloudEvent
}

// Handler processes one record; an error fails only that record.
type Handler func(ctx context.Context, r Record) error

// Idempotency remembers which records were processed. Seen is asked before
// a record with an ID runs (true skips it as a success); Done is told after
// its handler succeeded. An error from either fails the record, so a store
// outage causes a retry, never a skipped record.
type Idempotency interface {
	Seen(ctx context.Context, key string) (bool, error)
	Done(ctx context.Context, key string) error
}

// Options configure a Batch.
type Options struct {
	// Idempotency is optional.
	Idempotency Idempotency
	// Logger gets one line per record; nil discards.
	Logger *slog.Logger
	// Now is the clock for durations; nil is time.Now.
	Now func() time.Time
}

// Batch routes the records of an SQS event to handlers.
type Batch struct {
	routes   map[string]Handler
	fallback Handler
	opts     Options
}

// New returns a Batch with no handlers.
func New(opts Options) *Batch {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Batch{routes: map[string]Handler{}, opts: opts}
}

// WebhookRoute is the route of a webhook message.
func WebhookRoute(provider, event string) string { return provider + "/" + event }

// Webhook registers h for webhook messages of provider and event; event
// "*" matches every event of the provider.
func (b *Batch) Webhook(provider, event string, h Handler) *Batch {
	b.routes[WebhookRoute(provider, event)] = h
	return b
}

// CloudEvent registers h for transformer messages of CloudEvents type typ.
func (b *Batch) CloudEvent(typ string, h Handler) *Batch {
	b.routes[typ] = h
	return b
}

// Default registers h for records no other handler matches.
func (b *Batch) Default(h Handler) *Batch {
	b.fallback = h
	return b
}

// Handle processes an SQS event and returns the partial batch response.
// Its signature is what lambda.Start takes.
func (b *Batch) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	resp := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}
	failedGroups := map[string]bool{}
	for _, m := range ev.Records {
		group := m.Attributes["MessageGroupId"]
		var err error
		var rec Record
		start := b.opts.Now()
		skipped := false
		if group != "" && failedGroups[group] {
			err = ErrEarlierFailureInGroup
		} else {
			rec, err = Decode(m)
			if err == nil {
				skipped, err = b.process(ctx, rec)
			}
		}
		if err != nil {
			if group != "" {
				failedGroups[group] = true
			}
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
		}
		b.log(ctx, m, rec, skipped, err, b.opts.Now().Sub(start))
	}
	return resp, nil
}

// process runs one record through the idempotency hook and its handler.
func (b *Batch) process(ctx context.Context, rec Record) (skipped bool, err error) {
	h := b.routes[rec.Route]
	if h == nil && rec.Kind == KindWebhook {
		h = b.routes[WebhookRoute(rec.Provider, "*")]
	}
	if h == nil {
		h = b.fallback
	}
	if h == nil {
		return false, fmt.Errorf("%w: %s", ErrNoHandler, rec.Route)
	}
	idem := b.opts.Idempotency
	if idem != nil && rec.ID != "" {
		seen, err := idem.Seen(ctx, rec.ID)
		if err != nil {
			return false, fmt.Errorf("idempotency check: %w", err)
		}
		if seen {
			return true, nil
		}
	}
	if err := run(ctx, h, rec); err != nil {
		return false, err
	}
	if idem != nil && rec.ID != "" {
		if err := idem.Done(ctx, rec.ID); err != nil {
			return false, fmt.Errorf("idempotency record: %w", err)
		}
	}
	return false, nil
}

// run calls h, turning a panic into the record's error.
func run(ctx context.Context, h Handler, rec Record) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &PanicError{Value: p, Stack: debug.Stack()}
		}
	}()
	return h(ctx, rec)
}

// PanicError is a recovered panic; errors.Is(err, ErrPanic) holds.
type PanicError struct {
	Value any
	Stack []byte
}

func (e *PanicError) Error() string     { return fmt.Sprintf("%v: %v", ErrPanic, e.Value) }
func (e *PanicError) Is(err error) bool { return err == ErrPanic }

// Decode unwraps one SQS record: a message with a provider attribute is a
// webhook message; any other is read as a CloudEvents envelope.
func Decode(m events.SQSMessage) (Record, error) {
	rec := Record{Message: m}
	if p, ok := m.MessageAttributes[AttributeProvider]; ok && p.StringValue != nil {
		rec.Kind = KindWebhook
		rec.Provider = *p.StringValue
		rec.Event = attr(m, AttributeEvent)
		rec.ID = attr(m, AttributeDeliveryID)
		rec.Route = WebhookRoute(rec.Provider, rec.Event)
		rec.Data = json.RawMessage(m.Body)
		return rec, nil
	}
	var ce CloudEvent
	if err := json.Unmarshal([]byte(m.Body), &ce); err != nil || ce.Type == "" || !strings.HasPrefix(ce.SpecVersion, "1.") {
		return rec, ErrUndecodable
	}
	rec.Kind = KindCloudEvent
	rec.Route = ce.Type
	rec.ID = ce.ID
	rec.Data = ce.Data
	rec.CloudEvent = &ce
	return rec, nil
}

func attr(m events.SQSMessage, name string) string {
	if a, ok := m.MessageAttributes[name]; ok && a.StringValue != nil {
		return *a.StringValue
	}
	return ""
}

// log writes the record's one line: which record, how it was routed, and
// how it ended. The body never appears.
func (b *Batch) log(ctx context.Context, m events.SQSMessage, rec Record, skipped bool, err error, took time.Duration) {
	outcome := "ok"
	switch {
	case err != nil:
		outcome = "failed"
	case skipped:
		outcome = "duplicate"
	}
	attrs := []slog.Attr{
		slog.String("message_id", m.MessageId),
		slog.String("outcome", outcome),
		slog.String("kind", rec.Kind),
		slog.String("route", rec.Route),
		slog.String("receive_count", m.Attributes["ApproximateReceiveCount"]),
		slog.Float64("duration_ms", float64(took.Microseconds())/1000),
	}
	if rec.Kind == KindWebhook {
		attrs = append(attrs, slog.String("provider", rec.Provider), slog.String("event", rec.Event), slog.String("delivery_id", rec.ID))
	} else if rec.Kind == KindCloudEvent {
		attrs = append(attrs, slog.String("cloudevent_id", rec.ID))
	}
	if g := m.Attributes["MessageGroupId"]; g != "" {
		attrs = append(attrs, slog.String("message_group_id", g))
	}
	level := slog.LevelInfo
	if err != nil {
		level = slog.LevelWarn
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	b.opts.Logger.LogAttrs(ctx, level, "record", attrs...)
}
