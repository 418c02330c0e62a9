package webhook

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sqsgate/sqsgate/internal/apigw"
	"github.com/sqsgate/sqsgate/internal/deadline"
	"github.com/sqsgate/sqsgate/internal/secrets"
	"github.com/sqsgate/sqsgate/internal/sqsmsg"
	"github.com/sqsgate/sqsgate/internal/webhook/github"
	"github.com/sqsgate/sqsgate/internal/webhook/internal/sigcheck"
)

// Routes the handler serves.
const (
	GitHubPath = "/webhooks/github"
	PaddlePath = "/webhooks/paddle"
)

// DefaultMaxBodyBytes caps the raw request body. A 1 MiB JSON document can
// nearly triple when GitHub percent-encodes it into a form, so the cap sits
// above 3 MiB; Lambda's own 6 MB request limit is the outer bound.
const DefaultMaxBodyBytes = 4 << 20

// Provider names, as they appear in the provider attribute.
const (
	ProviderGitHub = "github"
	ProviderPaddle = "paddle"
)

// Sender is the one SQS call the handler makes.
type Sender interface {
	SendMessage(ctx context.Context, in *sqs.SendMessageInput, optFns ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
}

var _ Sender = (*sqs.Client)(nil)

// SecretSource supplies the current webhook secrets of one provider.
type SecretSource interface {
	// Secrets returns the secrets to verify with; none means reject.
	Secrets(ctx context.Context) []string
	// RefreshAfterMismatch may fetch the secrets again after a mismatch
	// (a rotation); changed says whether verifying again is worthwhile.
	RefreshAfterMismatch(ctx context.Context) (secrets []string, changed bool)
}

var _ SecretSource = (*secrets.Source)(nil)

// Handler turns verified webhook deliveries into SQS messages.
type Handler struct {
	// Secrets supplies each provider's secrets, by provider name; a
	// provider without a source rejects every delivery.
	Secrets map[string]SecretSource
	// Windows sets a provider's replay window, by provider name (Paddle's
	// PADDLE_TOLERANCE); absent or zero means the provider's default.
	Windows map[string]time.Duration
	// Sender sends to QueueURL; FIFO adds group and deduplication ids.
	Sender   Sender
	QueueURL string
	FIFO     bool
	// MaxBodyBytes caps the decoded request body; zero means
	// DefaultMaxBodyBytes.
	MaxBodyBytes int
	// Now is the clock for the replay windows and received_at.
	Now func() time.Time
	// Logger receives one JSON line per request; nil discards.
	Logger *slog.Logger
}

// message is what one delivery becomes. Until verified is set, event and
// deliveryID are only what the request claims, kept for the log line.
type message struct {
	provider    string
	body        string
	event       string
	deliveryID  string
	contentType string
	group       string
	verified    bool
	// verifiedBy is the scheme that verified the delivery.
	verifiedBy string
	// reply, when set, is the answer instead of a message on the queue
	// (Slack's url_verification).
	reply *events.APIGatewayV2HTTPResponse
}

// maxLoggedIDLength caps a claimed event or delivery id in a log line: an
// unverified request must not be able to write long lines.
const maxLoggedIDLength = 128

func capped(s string) string {
	if len(s) > maxLoggedIDLength {
		return s[:maxLoggedIDLength]
	}
	return s
}

// Errors answered before or after verification, with stable codes.
var (
	errNotFound         = apigw.Errorf(http.StatusNotFound, "not_found", "no webhook route at this path", nil)
	errMethodNotAllowed = apigw.Errorf(http.StatusMethodNotAllowed, "method_not_allowed", "webhooks are delivered with POST", nil)
)

// Handle serves one HTTP API request. It never returns an error: every
// failure is an HTTP answer, so API Gateway passes it to the provider
// instead of a 500 from Lambda.
func (h *Handler) Handle(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	start := h.now()
	// Secrets Manager and SQS get a deadline short of Lambda's, so a call
	// that hangs ends in a 503 the provider retries, not in a timeout.
	ctx, cancel := deadline.WithMargin(ctx)
	defer cancel()
	log := h.logger().With("request_id", req.RequestContext.RequestID)
	provider, path := route(&req)
	var name string
	if provider != nil {
		name = provider.Name
	}
	log = log.With("provider", name, "path", path)

	var msg *message
	var err error
	switch {
	case provider == nil:
		err = errNotFound
	case method(&req) != http.MethodPost:
		err = errMethodNotAllowed
	default:
		msg, err = h.deliver(ctx, provider, &req, start)
	}
	// Every line names the delivery, verified or only claimed, so a
	// rejection can be found at the provider.
	if msg == nil {
		msg = &message{}
	}
	log = log.With("event", capped(msg.event), "delivery_id", capped(msg.deliveryID), "verified", msg.verified)
	if err == nil && msg.reply != nil {
		log.InfoContext(ctx, "webhook answered, nothing queued", "outcome", "answered", "status", msg.reply.StatusCode,
			"duration_ms", h.now().Sub(start).Milliseconds())
		return *msg.reply, nil
	}
	var messageID string
	if err == nil {
		messageID, err = h.enqueue(ctx, msg, start)
	}
	if err == nil {
		log.InfoContext(ctx, "webhook enqueued", "outcome", "accepted", "status", http.StatusAccepted,
			"message_id", messageID, "bytes", len(msg.body), "duration_ms", h.now().Sub(start).Milliseconds())
		return apigw.JSON(http.StatusAccepted, struct {
			MessageID string `json:"messageId"`
		}{messageID}), nil
	}
	resp := apigw.ErrorResponse(err)
	level := slog.LevelWarn
	if resp.StatusCode >= 500 {
		level = slog.LevelError
	}
	var e *apigw.Error
	code := "internal_error"
	if errors.As(err, &e) {
		code = e.Code
	}
	log.Log(ctx, level, "webhook rejected", "outcome", "rejected", "status", resp.StatusCode, "code", code,
		"error", err.Error(), "duration_ms", h.now().Sub(start).Milliseconds())
	return resp, nil
}

// bodyString returns the delivered body as a string: the event's own string
// when it was not base64-encoded (the same bytes, without another copy).
func bodyString(req *events.APIGatewayV2HTTPRequest, body []byte) string {
	if !req.IsBase64Encoded {
		return req.Body
	}
	return string(body)
}

// verifyWithRefresh verifies with the current secrets and, on a mismatch,
// once more if the source fetched different ones (a rotation).
func verifyWithRefresh(ctx context.Context, src SecretSource, verify func([]string) error, mismatch error) error {
	if src == nil {
		return verify(nil)
	}
	err := verify(src.Secrets(ctx))
	if errors.Is(err, mismatch) {
		if fresh, changed := src.RefreshAfterMismatch(ctx); changed {
			err = verify(fresh)
		}
	}
	return err
}

// verificationError maps the kinds of verification failure (package
// sigcheck) to answers, the same for every provider. The underlying error
// goes to the log only; it never holds the signature. A header the
// provider could not read is already an answer.
func verificationError(err error) error {
	var status int
	var code, text string
	var answer *apigw.Error
	switch {
	case errors.Is(err, sigcheck.ErrNoSecret):
		status, code, text = http.StatusServiceUnavailable, "secret_unavailable", "the webhook secret is not available; try again later"
	case errors.Is(err, github.ErrSHA1Only):
		status, code, text = http.StatusUnauthorized, "sha256_signature_required", "an X-Hub-Signature-256 signature is required; sha1 alone is not accepted"
	case errors.Is(err, sigcheck.ErrMissingSignature):
		status, code, text = http.StatusUnauthorized, "missing_signature", "the request carries no signature"
	case errors.Is(err, sigcheck.ErrMalformedSignature):
		status, code, text = http.StatusUnauthorized, "malformed_signature", "the signature header is malformed"
	case errors.Is(err, sigcheck.ErrStaleTimestamp):
		status, code, text = http.StatusUnauthorized, "stale_timestamp", "the signature timestamp is outside the allowed window"
	case errors.Is(err, sigcheck.ErrSignatureMismatch):
		status, code, text = http.StatusUnauthorized, "invalid_signature", "the signature does not match"
	case errors.As(err, &answer):
		return err
	default:
		status, code, text = http.StatusInternalServerError, "internal_error", "internal error"
	}
	return apigw.Errorf(status, code, text, err)
}

func (h *Handler) body(req *events.APIGatewayV2HTTPRequest) ([]byte, error) {
	limit := h.MaxBodyBytes
	if limit <= 0 {
		limit = DefaultMaxBodyBytes
	}
	body, err := apigw.Body(req, limit)
	switch {
	case errors.Is(err, apigw.ErrBodyTooLarge):
		return nil, apigw.Errorf(http.StatusRequestEntityTooLarge, "payload_too_large", "the request body is larger than this endpoint accepts", err)
	case err != nil:
		return nil, apigw.Errorf(http.StatusBadRequest, "malformed_request", "the request body could not be decoded", err)
	}
	return body, nil
}

// singleHeader reads a header that must not be repeated: with two
// signatures (or two delivery ids) it would be open which one was meant.
func singleHeader(headers map[string]string, name string) (string, error) {
	v, _, err := apigw.SingleHeader(headers, name)
	if err != nil {
		return "", apigw.Errorf(http.StatusBadRequest, "repeated_header", "the "+name+" header must appear once", err)
	}
	return v, nil
}

func requiredHeader(headers map[string]string, name string) (string, error) {
	v, err := singleHeader(headers, name)
	if err != nil {
		return "", err
	}
	if v = strings.TrimSpace(v); v == "" {
		return "", apigw.Errorf(http.StatusBadRequest, "missing_header", "the "+name+" header is required", nil)
	}
	return v, nil
}

// input builds the one SendMessage call for msg after checking it against
// SQS's rules, so a body SQS would refuse is answered, not retried.
func (h *Handler) input(msg *message, now time.Time) (*sqs.SendMessageInput, error) {
	attrs := map[string]sqsmsg.Attribute{
		"provider":    {DataType: "String", StringValue: msg.provider},
		"event":       {DataType: "String", StringValue: msg.event},
		"delivery_id": {DataType: "String", StringValue: msg.deliveryID},
		"received_at": {DataType: "String", StringValue: now.UTC().Format(time.RFC3339)},
	}
	if msg.contentType != "" {
		attrs["content_type"] = sqsmsg.Attribute{DataType: "String", StringValue: msg.contentType}
	}
	if msg.verifiedBy != "" {
		attrs["verified_by"] = sqsmsg.Attribute{DataType: "String", StringValue: msg.verifiedBy}
	}
	if sqsmsg.MessageSize(msg.body, attrs) > sqsmsg.MaxMessageBytes {
		return nil, apigw.Errorf(http.StatusRequestEntityTooLarge, "payload_too_large", "the payload is larger than an SQS message can hold (1 MiB)", sqsmsg.ErrBodyTooLarge)
	}
	if err := sqsmsg.ValidateBody(msg.body); err != nil {
		return nil, apigw.Errorf(http.StatusBadRequest, "invalid_payload", "the payload is empty or contains characters SQS does not accept", err)
	}
	if err := sqsmsg.ValidateAttributes(attrs); err != nil {
		return nil, apigw.Errorf(http.StatusBadRequest, "invalid_metadata", "the event name, delivery id or content type contains characters SQS does not accept", err)
	}
	in := &sqs.SendMessageInput{
		QueueUrl:          aws.String(h.QueueURL),
		MessageBody:       aws.String(msg.body),
		MessageAttributes: make(map[string]types.MessageAttributeValue, len(attrs)),
	}
	for name, a := range attrs {
		in.MessageAttributes[name] = types.MessageAttributeValue{DataType: aws.String(a.DataType), StringValue: aws.String(a.StringValue)}
	}
	if h.FIFO {
		if err := sqsmsg.ValidateFIFOID(msg.deliveryID); err != nil {
			return nil, apigw.Errorf(http.StatusBadRequest, "invalid_metadata", "the delivery id cannot serve as a FIFO deduplication id", err)
		}
		group := msg.group
		if sqsmsg.ValidateFIFOID(group) != nil {
			group = msg.provider
		}
		in.MessageGroupId = aws.String(group)
		in.MessageDeduplicationId = aws.String(msg.deliveryID)
	}
	return in, nil
}

// enqueue sends msg (the SDK retries per its retryer) and insists on a
// MessageId: without one nothing proves the message was stored.
func (h *Handler) enqueue(ctx context.Context, msg *message, now time.Time) (string, error) {
	in, err := h.input(msg, now)
	if err != nil {
		return "", err
	}
	out, err := h.Sender.SendMessage(ctx, in)
	if err != nil {
		return "", apigw.Errorf(http.StatusServiceUnavailable, "queue_unavailable", "the queue is unavailable; retry later", err)
	}
	if out == nil || aws.ToString(out.MessageId) == "" {
		return "", apigw.Errorf(http.StatusServiceUnavailable, "queue_unavailable", "the queue did not confirm the message; retry later", errors.New("SendMessage returned no MessageId"))
	}
	return *out.MessageId, nil
}

// route finds the provider from the route key API Gateway matched, or else
// from the path, with a named stage's prefix removed.
func route(req *events.APIGatewayV2HTTPRequest) (provider *Provider, path string) {
	path = req.RawPath
	if path == "" {
		path = req.RequestContext.HTTP.Path
	}
	if _, key, ok := strings.Cut(req.RouteKey, " "); ok {
		if p := providerByPath(key); p != nil {
			return p, path
		}
	}
	trimmed := path
	if stage := req.RequestContext.Stage; stage != "" && stage != "$default" {
		trimmed = strings.TrimPrefix(path, "/"+stage)
	}
	return providerByPath(trimmed), path
}

func method(req *events.APIGatewayV2HTTPRequest) string {
	if m := req.RequestContext.HTTP.Method; m != "" {
		return m
	}
	if m, _, ok := strings.Cut(req.RouteKey, " "); ok && m != "ANY" {
		return m
	}
	return http.MethodPost
}

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

func (h *Handler) logger() *slog.Logger {
	if h.Logger != nil {
		return h.Logger
	}
	return slog.New(slog.DiscardHandler)
}
