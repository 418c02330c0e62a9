package transform

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/sqsgate/sqsgate/internal/uuid"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/sqsgate/sqsgate/internal/apigw"
	"github.com/sqsgate/sqsgate/internal/sqsmsg"
)

// Defaults for Config's zero values.
const (
	DefaultMaxBatchItems = 500
	DefaultConcurrency   = 8
	DefaultMaxAttempts   = 3
	DefaultBackoff       = 100 * time.Millisecond
	// MaxBodyBytes is Lambda's synchronous payload limit; API Gateway cannot
	// hand the function more.
	MaxBodyBytes = 6 << 20
	// maxReportedErrors caps the schema errors one response lists.
	maxReportedErrors = 100
	// ValidateOnlyParam is the query parameter that turns a request into a
	// dry run (?VALIDATE_ONLY=true); its name is matched without case.
	ValidateOnlyParam = "VALIDATE_ONLY"
)

// Config configures a Handler. Zero values take the defaults above.
type Config struct {
	// QueueURL is where messages go; a name ending in ".fifo" means a FIFO
	// queue: MessageGroupId is the caller's subject and
	// MessageDeduplicationId the event id, and batches are sent one at a
	// time, in order, stopping at the first item SQS did not store.
	QueueURL string
	// Schema names a bundled JSON Schema (SchemaNames); "" is DefaultSchema.
	Schema string
	// Source is the CloudEvents source; "" is DefaultSource.
	Source string
	// MaxBatchItems bounds the items one batch request may hold.
	MaxBatchItems int
	// Concurrency bounds the SendMessageBatch calls in flight.
	Concurrency int
	// MaxAttempts bounds how often an entry SQS fails as retryable is sent.
	MaxAttempts int
	// Backoff is the pause before the first retry; it doubles after each.
	Backoff time.Duration
}

// Deps are the outside services and clocks a Handler uses. main builds the
// SQS client once, at cold start, and passes it as both senders.
type Deps struct {
	// Sender and BatchSender are the SQS calls of the two routes; both
	// are required.
	Sender      MessageSender
	BatchSender BatchSender
	// Now stamps the envelopes' time (nil: time.Now); Sleep waits between
	// retries (nil: SleepContext); NewID makes ids for events without an
	// idempotency key, and may be called from several goroutines at once
	// (nil: random UUIDs).
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	NewID func() string
}

// Handler serves POST /v1/events and POST /v1/events/batch.
type Handler struct {
	queueURL     string
	fifo         bool
	schema       *Schema
	source       string
	maxItems     int
	concurrency  int
	maxAttempts  int
	firstBackoff time.Duration
	single       MessageSender
	batch        BatchSender
	now          func() time.Time
	sleep        func(context.Context, time.Duration) error
	newID        func() string
	logger       *slog.Logger
}

// New checks cfg, compiles the schema it names and returns a Handler.
// logger may be nil.
func New(cfg Config, deps Deps, logger *slog.Logger) (*Handler, error) {
	if cfg.QueueURL == "" {
		return nil, errors.New("transform: QueueURL is required")
	}
	if deps.Sender == nil || deps.BatchSender == nil {
		return nil, errors.New("transform: Sender and BatchSender are required")
	}
	// Zero means the default; below zero is a mistake.
	if cfg.MaxBatchItems < 0 || cfg.Concurrency < 0 || cfg.MaxAttempts < 0 {
		return nil, errors.New("transform: MaxBatchItems, Concurrency and MaxAttempts must not be negative")
	}
	if cfg.Backoff < 0 {
		return nil, errors.New("transform: Backoff must not be negative")
	}
	schema, err := LoadSchema(cfg.Schema)
	if err != nil {
		return nil, fmt.Errorf("transform: %w", err)
	}
	h := &Handler{
		queueURL:     cfg.QueueURL,
		fifo:         strings.HasSuffix(cfg.QueueURL, ".fifo"),
		schema:       schema,
		source:       orDefault(cfg.Source, DefaultSource),
		maxItems:     orDefault(cfg.MaxBatchItems, DefaultMaxBatchItems),
		concurrency:  orDefault(cfg.Concurrency, DefaultConcurrency),
		maxAttempts:  orDefault(cfg.MaxAttempts, DefaultMaxAttempts),
		firstBackoff: orDefault(cfg.Backoff, DefaultBackoff),
		single:       deps.Sender,
		batch:        deps.BatchSender,
		now:          deps.Now,
		sleep:        deps.Sleep,
		newID:        deps.NewID,
		logger:       logger,
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.sleep == nil {
		h.sleep = SleepContext
	}
	if h.newID == nil {
		h.newID = uuid.New
	}
	if h.logger == nil {
		h.logger = slog.New(slog.DiscardHandler)
	}
	if err := sqsmsg.ValidateAttributes(map[string]sqsmsg.Attribute{AttributeSource: {DataType: "String", StringValue: h.source}}); err != nil {
		return nil, fmt.Errorf("transform: Source: %w", err)
	}
	return h, nil
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// summary is what the request's log line says; never payloads.
type summary struct {
	batch, dryRun        bool
	items, calls, failed int
	status               int
	code                 string
}

func (s *summary) route() string {
	if s.batch {
		return "batch"
	}
	return "single"
}

// Handle serves one API Gateway HTTP API (payload 2.0) request. Every
// outcome, rejections included, is an HTTP response; the error is always
// nil, so Lambda never retries or reports a function error for a request.
func (h *Handler) Handle(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	start := h.now()
	var s summary
	resp := h.handle(ctx, &req, start, &s)
	s.status = resp.StatusCode
	attrs := []slog.Attr{
		slog.String("request_id", req.RequestContext.RequestID),
		slog.String("route", s.route()),
		slog.Int("status", s.status),
		slog.Int("items", s.items),
		slog.Int("calls", s.calls),
		slog.Int("failed", s.failed),
		slog.Bool("validate_only", s.dryRun),
		slog.Int64("duration_ms", h.now().Sub(start).Milliseconds()),
	}
	if s.code != "" {
		attrs = append(attrs, slog.String("code", s.code))
	}
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		attrs = append(attrs, slog.String("aws_request_id", lc.AwsRequestID))
	}
	h.logger.LogAttrs(ctx, slog.LevelInfo, "transformer request", attrs...)
	return resp, nil
}

func (h *Handler) handle(ctx context.Context, req *events.APIGatewayV2HTTPRequest, now time.Time, s *summary) events.APIGatewayV2HTTPResponse {
	reject := func(err error) events.APIGatewayV2HTTPResponse {
		resp, code := h.rejection(ctx, err)
		s.code = code
		return resp
	}
	batch, err := routeOf(req)
	if err != nil {
		return reject(err)
	}
	s.batch = batch
	caller, err := callerOf(req)
	if err != nil {
		return reject(err)
	}
	s.dryRun, err = validateOnly(req.QueryStringParameters)
	if err != nil {
		return reject(err)
	}
	body, err := apigw.Body(req, MaxBodyBytes)
	if errors.Is(err, apigw.ErrBodyTooLarge) {
		return reject(ErrBodyTooLarge.Detail("", err))
	}
	if err != nil {
		return reject(&RequestError{Err: ErrInvalidRequest, Message: "the body is not valid base64"})
	}
	in, err := h.input(req, body, batch)
	if err != nil {
		return reject(err)
	}
	s.items = in.len()
	msgs, err := h.prepare(in, caller, now)
	if err != nil {
		return reject(err)
	}

	calls := planCalls(msgs, batch)
	s.calls = len(calls)
	if s.dryRun {
		return apigw.JSON(http.StatusOK, h.plan(msgs, calls, batch))
	}
	resp, failed, err := h.send(ctx, msgs, calls, batch)
	s.failed = failed
	if err != nil {
		return reject(err)
	}
	return resp
}
