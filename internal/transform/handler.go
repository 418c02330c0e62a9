package transform

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sqsgate/sqsgate/internal/uuid"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/sqsgate/sqsgate/internal/apigw"
	"github.com/sqsgate/sqsgate/internal/deadline"
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

// Request headers the producer may set.
const (
	// HeaderType sets the CloudEvents type: for the single route, and as
	// the default for batch items that name none (CloudEvents' HTTP binding
	// calls it ce-type).
	HeaderType = "Ce-Type"
	// HeaderIdempotencyKey sets the single route's event id; batch items
	// carry their own "id".
	HeaderIdempotencyKey = "Idempotency-Key"
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

	Sender      MessageSender
	BatchSender BatchSender
	// Now stamps the envelopes' time; Sleep waits between retries; NewID
	// makes ids for events without an idempotency key, and may be called
	// from several goroutines at once.
	Now    func() time.Time
	Sleep  func(ctx context.Context, d time.Duration) error
	NewID  func() string
	Logger *slog.Logger
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
func New(cfg Config) (*Handler, error) {
	if cfg.QueueURL == "" {
		return nil, errors.New("transform: QueueURL is required")
	}
	if cfg.Sender == nil || cfg.BatchSender == nil {
		return nil, errors.New("transform: Sender and BatchSender are required")
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
		single:       cfg.Sender,
		batch:        cfg.BatchSender,
		now:          cfg.Now,
		sleep:        cfg.Sleep,
		newID:        cfg.NewID,
		logger:       cfg.Logger,
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
	if h.maxItems < 1 || h.concurrency < 1 || h.maxAttempts < 1 {
		return nil, errors.New("transform: MaxBatchItems, Concurrency and MaxAttempts must be positive")
	}
	if h.firstBackoff < 0 {
		return nil, errors.New("transform: Backoff must not be negative")
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

// Result is one item's outcome: its event id and either the SQS message id
// or the error that kept it out of the queue.
type Result struct {
	Index     int              `json:"index"`
	ID        string           `json:"id"`
	MessageID string           `json:"messageId,omitempty"`
	Error     *apigw.ErrorBody `json:"error,omitempty"`
}

// ResultsBody is the 202 and 207 response body.
type ResultsBody struct {
	Results []Result `json:"results"`
}

// ErrorBody is the body of a whole-request rejection: every function's
// {"code","message"}, plus Errors locating the failing items.
type ErrorBody struct {
	apigw.ErrorBody
	Errors []ItemError `json:"errors,omitempty"`
}

// PlanBody is the dry-run response: the SQS calls that would be made.
type PlanBody struct {
	ValidateOnly bool          `json:"validateOnly"`
	Calls        []PlannedCall `json:"calls"`
}

// PlannedCall is one SendMessage or SendMessageBatch call of a dry run.
type PlannedCall struct {
	Action  string         `json:"action"`
	Entries []PlannedEntry `json:"entries"`
}

// PlannedEntry is one message of a dry run, with the envelope as JSON.
type PlannedEntry struct {
	Index                  int               `json:"index"`
	ID                     string            `json:"id"`
	Size                   int               `json:"size"`
	MessageAttributes      map[string]string `json:"messageAttributes"`
	MessageGroupID         string            `json:"messageGroupId,omitempty"`
	MessageDeduplicationID string            `json:"messageDeduplicationId,omitempty"`
	Body                   json.RawMessage   `json:"body"`
}

// RequestError rejects a whole request before anything is sent. Err is one
// of the sentinels; Items locate the failing items, when there are some.
type RequestError struct {
	Err     error
	Message string
	Items   []ItemError
}

func (e *RequestError) Error() string { return e.Err.Error() + ": " + e.Message }
func (e *RequestError) Unwrap() error { return e.Err }

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
		slog.String("requestId", req.RequestContext.RequestID),
		slog.String("route", s.route()),
		slog.Int("status", s.status),
		slog.Int("items", s.items),
		slog.Int("calls", s.calls),
		slog.Int("failed", s.failed),
		slog.Bool("validateOnly", s.dryRun),
		slog.Int64("durationMs", h.now().Sub(start).Milliseconds()),
	}
	if s.code != "" {
		attrs = append(attrs, slog.String("code", s.code))
	}
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		attrs = append(attrs, slog.String("awsRequestId", lc.AwsRequestID))
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
	if err != nil {
		if errors.Is(err, apigw.ErrBodyTooLarge) {
			return reject(err)
		}
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

	var calls [][]int
	if batch {
		sizes := make([]int, len(msgs))
		for i := range msgs {
			sizes[i] = msgs[i].Size
		}
		calls = Pack(sizes)
	} else {
		calls = [][]int{{0}}
	}
	s.calls = len(calls)
	if s.dryRun {
		return apigw.JSON(http.StatusOK, h.plan(msgs, calls, batch))
	}

	// SQS calls end short of Lambda's deadline, so the answer (with the
	// per-item results of a batch) still reaches the caller.
	ctx, cancel := deadline.WithMargin(ctx)
	defer cancel()
	results := make([]Result, len(msgs))
	if !batch {
		id, err := h.sendOne(ctx, &msgs[0])
		if err != nil {
			h.logger.LogAttrs(ctx, slog.LevelWarn, "SendMessage failed", slog.String("error", err.Error()))
			s.failed = 1
			return reject(ErrNothingEnqueued)
		}
		results[0] = Result{Index: 0, ID: msgs[0].ID, MessageID: id}
		return apigw.JSON(http.StatusAccepted, ResultsBody{Results: results})
	}
	outcomes := h.sendBatches(ctx, msgs, calls)
	for i, o := range outcomes {
		results[i] = Result{Index: i, ID: msgs[i].ID, MessageID: o.messageID, Error: o.err}
		if o.err != nil {
			s.failed++
		}
	}
	status := http.StatusAccepted
	if s.failed > 0 {
		// Some or all items failed: each result says which, so the caller
		// resends only those, with the same ids.
		status = http.StatusMultiStatus
	}
	return apigw.JSON(status, ResultsBody{Results: results})
}

// input is a request's events before they are decoded and checked.
type input struct {
	// raws are the batch route's items; nil for the single route.
	raws []RawItem
	// single is the single route's event.
	single      Item
	defaultType string
}

func (in *input) len() int {
	if in.raws == nil {
		return 1
	}
	return len(in.raws)
}

// item decodes the i-th item and parses its data for the validator (doc
// is nil when the data is too large for SQS anyway); safe to call from
// several goroutines.
func (in *input) item(i int) (it Item, doc any, err error) {
	if in.raws == nil {
		if len(in.single.Data) > sqsmsg.MaxMessageBytes {
			return in.single, nil, nil
		}
		doc, err := DecodeData(in.single.Data)
		if err != nil {
			return Item{}, nil, &ItemError{Index: 0, Message: "the event is not valid JSON", Err: ErrInvalidJSON}
		}
		return in.single, doc, nil
	}
	it, doc, err = in.raws[i].decode(i)
	if err == nil && it.Type == "" {
		it.Type = in.defaultType
	}
	return it, doc, err
}

// input reads the request's events: the single route's body is the data;
// the batch route's body is an array or NDJSON of wrapped items, split here
// and decoded later, in parallel, with their validation.
func (h *Handler) input(req *events.APIGatewayV2HTTPRequest, body []byte, batch bool) (*input, error) {
	mediaType := ""
	if ct, ok := apigw.Header(req.Headers, "Content-Type"); ok && strings.TrimSpace(ct) != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil {
			return nil, &RequestError{Err: ErrUnsupportedMedia, Message: "the Content-Type header cannot be parsed"}
		}
		mediaType = mt
	}
	// HTTP API joins a repeated header's values with commas: read as one,
	// two types or two keys would become one type and one deduplication id.
	defaultType := DefaultType
	t, hasType, err := apigw.SingleHeader(req.Headers, HeaderType)
	if err != nil {
		return nil, &RequestError{Err: ErrRepeatedHeader, Message: HeaderType + " must be sent once (a comma means it was repeated)"}
	}
	if hasType {
		if err := checkToken(t, maxTypeLength); err != nil {
			return nil, &RequestError{Err: ErrInvalidRequest, Message: HeaderType + " " + err.Error()}
		}
		defaultType = t
	}
	key, hasKey, err := apigw.SingleHeader(req.Headers, HeaderIdempotencyKey)
	if err != nil {
		return nil, &RequestError{Err: ErrRepeatedHeader, Message: HeaderIdempotencyKey + " must be sent once (a comma means it was repeated)"}
	}

	if !batch {
		if mediaType != "" && mediaType != "application/json" && !strings.HasSuffix(mediaType, "+json") {
			return nil, &RequestError{Err: ErrUnsupportedMedia, Message: "send the event as application/json"}
		}
		if hasKey {
			if err := checkToken(key, maxIDLength); err != nil {
				return nil, &RequestError{Err: ErrInvalidRequest, Message: HeaderIdempotencyKey + " " + err.Error()}
			}
		}
		data := trimSpace(body)
		if len(data) == 0 {
			return nil, &ItemError{Index: 0, Message: "the body is empty; send the event as JSON", Err: ErrInvalidJSON}
		}
		return &input{single: Item{Type: defaultType, ID: key, Data: data}, defaultType: defaultType}, nil
	}

	if hasKey {
		return nil, &RequestError{Err: ErrInvalidRequest, Message: HeaderIdempotencyKey + ` applies to /v1/events; give each batch item its own "id"`}
	}
	var ndjson bool
	switch mediaType {
	case "", "application/json":
	case "application/x-ndjson", "application/ndjson", "application/jsonl":
		ndjson = true
	default:
		return nil, &RequestError{Err: ErrUnsupportedMedia, Message: "send a batch as application/json (an array) or application/x-ndjson"}
	}
	raws, err := SplitBatch(body, ndjson, h.maxItems)
	if errors.Is(err, ErrTooManyItems) {
		return nil, &RequestError{Err: ErrTooManyItems, Message: fmt.Sprintf("a batch may hold at most %d items", h.maxItems)}
	}
	if err != nil {
		return nil, err
	}
	return &input{raws: raws, defaultType: defaultType}, nil
}

// prepare decodes and checks every item and wraps each in its envelope.
// Nothing is sent unless every item passes, so a request is rejected as a
// whole, by the first failing check in this order: malformed items and
// repeated ids (400), then messages SQS would refuse (413, 400), then the
// schema (422), whose failures are all listed.
//
// Items are independent and this is the CPU work of a request, so large
// batches are split across the available CPUs (Lambda gives more than one
// from 1,769 MB); a compiled schema is safe for concurrent use.
func (h *Handler) prepare(in *input, c Caller, now time.Time) ([]Message, error) {
	n := in.len()
	env := newEnvelopeWriter(h.source, now.UTC().Format(time.RFC3339Nano), c)
	msgs := make([]Message, n)
	producerIDs := make([]string, n)
	workers := min(runtime.GOMAXPROCS(0), 1+n/minItemsPerWorker)
	chunk := (n + workers - 1) / workers
	// Per worker: the first malformed item, the first message SQS would
	// refuse, and the schema violations, each in item order.
	malformed, refused := make([]error, workers), make([]error, workers)
	violations := make([][]ItemError, workers)
	failing := make([]int, workers)
	work := func(w int) {
		lo, hi := w*chunk, min((w+1)*chunk, n)
		var attrs map[string]sqsmsg.Attribute
		for i := lo; i < hi; i++ {
			it, doc, err := in.item(i)
			if err != nil {
				malformed[w] = err
				return
			}
			producerIDs[i] = it.ID
			id := it.ID
			if id == "" {
				id = h.newID()
			}
			body := env.write(id, it.Type, it.Data)
			if attrs == nil || attrs[AttributeType].StringValue != it.Type {
				// Read-only once built, so items of one type share it.
				attrs = map[string]sqsmsg.Attribute{
					AttributeType:   {DataType: "String", StringValue: it.Type},
					AttributeSource: {DataType: "String", StringValue: h.source},
				}
			}
			m := Message{Index: i, ID: id, Body: body, Attributes: attrs, Size: sqsmsg.MessageSize(body, attrs)}
			if h.fifo {
				m.GroupID, m.DeduplicationID = c.Subject, id
			}
			msgs[i] = m
			if refused[w] != nil {
				continue
			}
			if m.Size > sqsmsg.MaxMessageBytes {
				refused[w] = &ItemError{Index: i, Message: fmt.Sprintf("the enveloped message would be %d bytes; SQS accepts at most %d", m.Size, sqsmsg.MaxMessageBytes), Err: ErrItemTooLarge}
				continue
			}
			if sqsmsg.InvalidCharIndex(body) >= 0 {
				refused[w] = &ItemError{Index: i, Message: "the event contains a character SQS does not accept (e.g. U+FFFE or invalid UTF-8)", Err: ErrInvalidCharacters}
				continue
			}
			vs := h.schema.Validate(doc)
			if len(vs) > 0 {
				failing[w]++
			}
			for _, v := range vs {
				if len(violations[w]) < maxReportedErrors {
					violations[w] = append(violations[w], ItemError{Index: i, Pointer: v.Pointer, Rule: v.Rule, Message: v.Message, Err: ErrValidation})
				}
			}
		}
	}
	if workers == 1 {
		work(0) // no goroutine for a single event or a small batch
	} else {
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() { work(w) })
		}
		wg.Wait()
	}

	// Chunks are in item order, so the first error found is the first item's.
	for _, err := range malformed {
		if err != nil {
			return nil, err
		}
	}
	seen := make(map[string]int)
	for i, id := range producerIDs {
		if id == "" {
			continue
		}
		if j, dup := seen[id]; dup {
			return nil, &ItemError{Index: i, Pointer: "/id", Message: fmt.Sprintf("id repeats the id of item %d", j), Err: ErrInvalidItem}
		}
		seen[id] = i
	}
	for _, err := range refused {
		if err != nil {
			return nil, err
		}
	}
	var invalid []ItemError
	for _, v := range violations {
		invalid = append(invalid, v...)
	}
	if len(invalid) > 0 {
		invalid = invalid[:min(len(invalid), maxReportedErrors)]
		msg := fmt.Sprintf("%d item(s) do not match the %q schema; nothing was sent", sum(failing), h.schema.Name())
		return nil, &RequestError{Err: ErrValidation, Message: msg, Items: invalid}
	}
	return msgs, nil
}

// minItemsPerWorker keeps small requests on one goroutine, where starting
// more would cost more than it saves.
const minItemsPerWorker = 64

func sum(ns []int) int {
	t := 0
	for _, n := range ns {
		t += n
	}
	return t
}

func (h *Handler) plan(msgs []Message, calls [][]int, batch bool) PlanBody {
	action := "SendMessageBatch"
	if !batch {
		action = "SendMessage"
	}
	body := PlanBody{ValidateOnly: true, Calls: make([]PlannedCall, 0, len(calls))}
	for _, call := range calls {
		pc := PlannedCall{Action: action}
		for _, i := range call {
			m := &msgs[i]
			attrs := make(map[string]string, len(m.Attributes))
			for name, a := range m.Attributes {
				attrs[name] = a.StringValue
			}
			pc.Entries = append(pc.Entries, PlannedEntry{
				Index: m.Index, ID: m.ID, Size: m.Size, MessageAttributes: attrs,
				MessageGroupID: m.GroupID, MessageDeduplicationID: m.DeduplicationID,
				Body: json.RawMessage(m.Body),
			})
		}
		body.Calls = append(body.Calls, pc)
	}
	return body
}

// rejection maps a whole-request error to its response and stable code.
func (h *Handler) rejection(ctx context.Context, err error) (events.APIGatewayV2HTTPResponse, string) {
	var re *RequestError
	var ie *ItemError
	body := ErrorBody{}
	sentinel := err
	switch {
	case errors.As(err, &re):
		sentinel, body.Message, body.Errors = re.Err, re.Message, re.Items
	case errors.As(err, &ie):
		sentinel, body.Errors = ie.Err, []ItemError{*ie}
		body.Message = fmt.Sprintf("item %d: %s; nothing was sent", ie.Index, ie.Message)
	}
	status, code, message := classify(sentinel)
	body.Code = code
	if body.Message == "" {
		body.Message = message
	}
	if status == http.StatusInternalServerError {
		h.logger.LogAttrs(ctx, slog.LevelError, "transformer failed", slog.String("error", err.Error()))
	}
	return apigw.JSON(status, body), code
}

// classify gives each sentinel its status, stable code and default message.
func classify(err error) (status int, code, message string) {
	switch {
	case errors.Is(err, ErrRouteNotFound):
		return http.StatusNotFound, "route_not_found", "use POST /v1/events or POST /v1/events/batch"
	case errors.Is(err, ErrMethodNotAllowed):
		return http.StatusMethodNotAllowed, "method_not_allowed", "use POST"
	case errors.Is(err, ErrMissingIdentity):
		return http.StatusUnauthorized, "missing_identity", "the request carries no authenticated caller"
	case errors.Is(err, apigw.ErrBodyTooLarge):
		return http.StatusRequestEntityTooLarge, "body_too_large", fmt.Sprintf("the body is larger than %d bytes", MaxBodyBytes)
	case errors.Is(err, ErrUnsupportedMedia):
		return http.StatusUnsupportedMediaType, "unsupported_media_type", "unsupported Content-Type"
	case errors.Is(err, ErrInvalidJSON):
		return http.StatusBadRequest, "invalid_json", "the body is not valid JSON"
	case errors.Is(err, ErrInvalidItem):
		return http.StatusBadRequest, "invalid_item", "an item is malformed"
	case errors.Is(err, ErrEmptyBatch):
		return http.StatusBadRequest, "empty_batch", "the batch holds no items"
	case errors.Is(err, ErrRepeatedHeader):
		return http.StatusBadRequest, "repeated_header", "a header that must appear once was repeated"
	case errors.Is(err, ErrInvalidRequest):
		return http.StatusBadRequest, "invalid_request", "the request is malformed"
	case errors.Is(err, ErrInvalidCharacters):
		return http.StatusBadRequest, "invalid_characters", "an item contains characters SQS does not accept"
	case errors.Is(err, ErrTooManyItems):
		return http.StatusRequestEntityTooLarge, "too_many_items", "the batch holds too many items"
	case errors.Is(err, ErrItemTooLarge):
		return http.StatusRequestEntityTooLarge, "item_too_large", "an item is larger than SQS accepts"
	case errors.Is(err, ErrValidation):
		return http.StatusUnprocessableEntity, "validation_failed", "an item does not match the schema"
	case errors.Is(err, ErrNothingEnqueued):
		return http.StatusServiceUnavailable, "sqs_unavailable", "SQS did not accept the event; send it again"
	}
	return http.StatusInternalServerError, "internal_error", "internal error"
}

// routeOf tells the two routes apart by route key, or by path behind a
// $default route or a stage prefix.
func routeOf(req *events.APIGatewayV2HTTPRequest) (batch bool, err error) {
	method, path := req.RequestContext.HTTP.Method, req.RawPath
	if m, p, ok := strings.Cut(req.RouteKey, " "); ok {
		method, path = m, p
	}
	if method != "" && method != http.MethodPost && method != "ANY" {
		return false, ErrMethodNotAllowed
	}
	path = strings.TrimSuffix(path, "/")
	switch {
	case strings.HasSuffix(path, "/events/batch"):
		return true, nil
	case strings.HasSuffix(path, "/events"):
		return false, nil
	}
	return false, ErrRouteNotFound
}

// callerOf reads the caller from the Lambda authorizer's context (or a JWT
// authorizer's claims). The route sits behind an authorizer, so a missing
// subject means a misconfigured route, and nothing is sent.
func callerOf(req *events.APIGatewayV2HTTPRequest) (Caller, error) {
	rc := &req.RequestContext
	c := Caller{RequestID: rc.RequestID, SourceIP: rc.HTTP.SourceIP, UserAgent: rc.HTTP.UserAgent}
	if a := rc.Authorizer; a != nil {
		if sub, ok := a.Lambda["sub"].(string); ok {
			c.Subject = sub
		} else if a.JWT != nil {
			c.Subject = a.JWT.Claims["sub"]
		}
	}
	if c.Subject == "" {
		return Caller{}, ErrMissingIdentity
	}
	return c, nil
}

// validateOnly reads ValidateOnlyParam. Query names are case-sensitive in
// the event, so the parameter may arrive under two spellings; that is
// refused, as a repeat (joined with a comma) is, rather than left to map
// order to choose between a dry run and a real send.
func validateOnly(query map[string]string) (bool, error) {
	on, found := false, false
	for k, v := range query {
		if !strings.EqualFold(k, ValidateOnlyParam) {
			continue
		}
		if found {
			return false, &RequestError{Err: ErrInvalidRequest, Message: ValidateOnlyParam + " must be given once"}
		}
		var err error
		if on, err = strconv.ParseBool(v); err != nil {
			return false, &RequestError{Err: ErrInvalidRequest, Message: ValidateOnlyParam + " must be true or false"}
		}
		found = true
	}
	return on, nil
}
