package webhook

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sqsgate/sqsgate/internal/apigw"
	"github.com/sqsgate/sqsgate/internal/deadline"
	"github.com/sqsgate/sqsgate/internal/secrets"
	"github.com/sqsgate/sqsgate/internal/sqsmsg"
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

// Handler turns verified webhook deliveries into SQS messages. Build it
// with New.
type Handler struct {
	// secrets supplies each provider's secrets, by provider name; a
	// provider without a source rejects every delivery.
	secrets map[string]SecretSource
	// windows sets a provider's replay window, by provider name; absent
	// or zero means the provider's default.
	windows      map[string]time.Duration
	sender       Sender
	queueURL     string
	fifo         bool
	maxBodyBytes int
	now          func() time.Time
	logger       *slog.Logger
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

func capped(s string) string { return s[:min(len(s), maxLoggedIDLength)] }

// Handle serves one HTTP API request. It never returns an error: every
// failure is an HTTP answer, so API Gateway passes it to the provider
// instead of a 500 from Lambda.
func (h *Handler) Handle(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	start := h.now()
	// Secrets Manager and SQS get a deadline short of Lambda's, so a call
	// that hangs ends in a 503 the provider retries, not in a timeout.
	ctx, cancel := deadline.WithMargin(ctx)
	defer cancel()
	log := h.logger.With("request_id", req.RequestContext.RequestID)
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		log = log.With("aws_request_id", lc.AwsRequestID)
	}
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
		err = ErrNotFound
	case method(&req) != http.MethodPost:
		err = ErrMethodNotAllowed
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
	status, body := apigw.Answer(err)
	log.Log(ctx, levelFor(status), "webhook rejected", "outcome", "rejected", "status", status, "code", body.Code,
		"error", err.Error(), "duration_ms", h.now().Sub(start).Milliseconds())
	return apigw.JSON(status, body), nil
}

// levelFor logs a 5xx, our failure or AWS's, as an error and a 4xx, the
// sender's, as a warning.
func levelFor(status int) slog.Level {
	if status >= http.StatusInternalServerError {
		return slog.LevelError
	}
	return slog.LevelWarn
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

func (h *Handler) body(req *events.APIGatewayV2HTTPRequest) ([]byte, error) {
	body, err := apigw.Body(req, h.maxBodyBytes)
	switch {
	case errors.Is(err, apigw.ErrBodyTooLarge):
		return nil, ErrPayloadTooLarge.Detail("", err)
	case err != nil:
		return nil, ErrMalformedRequest.Detail("", err)
	}
	return body, nil
}

// singleHeader reads a header that must not be repeated: with two
// signatures (or two delivery ids) it would be open which one was meant.
func singleHeader(headers map[string]string, name string) (string, error) {
	v, _, err := apigw.SingleHeader(headers, name)
	if err != nil {
		return "", ErrRepeatedHeader.Detail("the "+name+" header must appear once", err)
	}
	return v, nil
}

func requiredHeader(headers map[string]string, name string) (string, error) {
	v, err := singleHeader(headers, name)
	if err != nil {
		return "", err
	}
	if v = strings.TrimSpace(v); v == "" {
		return "", ErrMissingHeader.Detail("the "+name+" header is required", nil)
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
		return nil, ErrPayloadTooLarge.Detail("the payload is larger than an SQS message can hold (1 MiB)", sqsmsg.ErrBodyTooLarge)
	}
	if err := sqsmsg.ValidateBody(msg.body); err != nil {
		return nil, ErrInvalidPayload.Detail("", err)
	}
	if err := sqsmsg.ValidateAttributes(attrs); err != nil {
		return nil, ErrInvalidMetadata.Detail("", err)
	}
	in := &sqs.SendMessageInput{
		QueueUrl:          aws.String(h.queueURL),
		MessageBody:       aws.String(msg.body),
		MessageAttributes: make(map[string]types.MessageAttributeValue, len(attrs)),
	}
	for name, a := range attrs {
		in.MessageAttributes[name] = types.MessageAttributeValue{DataType: aws.String(a.DataType), StringValue: aws.String(a.StringValue)}
	}
	if h.fifo {
		if err := sqsmsg.ValidateFIFOID(msg.deliveryID); err != nil {
			return nil, ErrInvalidMetadata.Detail("the delivery id cannot serve as a FIFO deduplication id", err)
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
	out, err := h.sender.SendMessage(ctx, in)
	if err != nil {
		return "", ErrQueueUnavailable.Detail("", err)
	}
	if out == nil || aws.ToString(out.MessageId) == "" {
		return "", ErrQueueUnavailable.Detail("the queue did not confirm the message; retry later", errors.New("SendMessage returned no MessageId"))
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
