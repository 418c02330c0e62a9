package transform

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/sqsgate/sqsgate/internal/apigw"
)

// The transformer's answers to a whole request, one per stable code (see
// doc.go). Code below the edge returns them, wrapped in a RequestError or
// an ItemError that says where the request failed; rejection answers with
// apigw.Answer, the mapping both functions share.
var (
	ErrRouteNotFound     = apigw.NewError(http.StatusNotFound, "route_not_found", "use POST /v1/events or POST /v1/events/batch")
	ErrMethodNotAllowed  = apigw.NewError(http.StatusMethodNotAllowed, "method_not_allowed", "use POST")
	ErrMissingIdentity   = apigw.NewError(http.StatusUnauthorized, "missing_identity", "the request carries no authenticated caller")
	ErrBodyTooLarge      = apigw.NewError(http.StatusRequestEntityTooLarge, "body_too_large", fmt.Sprintf("the body is larger than %d bytes", MaxBodyBytes))
	ErrUnsupportedMedia  = apigw.NewError(http.StatusUnsupportedMediaType, "unsupported_media_type", "unsupported Content-Type")
	ErrInvalidJSON       = apigw.NewError(http.StatusBadRequest, "invalid_json", "the body is not valid JSON")
	ErrInvalidItem       = apigw.NewError(http.StatusBadRequest, "invalid_item", "an item is malformed")
	ErrEmptyBatch        = apigw.NewError(http.StatusBadRequest, "empty_batch", "the batch holds no items")
	ErrRepeatedHeader    = apigw.NewError(http.StatusBadRequest, "repeated_header", "a header that must appear once was repeated")
	ErrInvalidRequest    = apigw.NewError(http.StatusBadRequest, "invalid_request", "the request is malformed")
	ErrInvalidCharacters = apigw.NewError(http.StatusBadRequest, "invalid_characters", "an item contains characters SQS does not accept")
	ErrTooManyItems      = apigw.NewError(http.StatusRequestEntityTooLarge, "too_many_items", "the batch holds too many items")
	ErrItemTooLarge      = apigw.NewError(http.StatusRequestEntityTooLarge, "item_too_large", "an item is larger than SQS accepts")
	ErrValidation        = apigw.NewError(http.StatusUnprocessableEntity, "validation_failed", "an item does not match the schema")
	ErrNothingEnqueued   = apigw.NewError(http.StatusServiceUnavailable, "sqs_unavailable", "SQS did not accept the event; send it again")
)

// RequestError rejects a whole request before anything is sent. Err is one
// of the sentinels; Items locate the failing items, when there are some.
type RequestError struct {
	Err     error
	Message string
	Items   []ItemError
}

func (e *RequestError) Error() string { return e.Err.Error() + ": " + e.Message }
func (e *RequestError) Unwrap() error { return e.Err }

// PublicMessage is the message the client sees; empty means the kind's.
func (e *RequestError) PublicMessage() string { return e.Message }

// ItemError locates a problem in one item of a request: its index, and for
// schema violations the JSON pointer of the failing field within the item's
// data and the schema keyword it breaks.
type ItemError struct {
	Index   int    `json:"index"`
	Pointer string `json:"pointer,omitempty"`
	Rule    string `json:"rule,omitempty"`
	Message string `json:"message"`
	// Err is the kind of failure, one of the sentinels above.
	Err error `json:"-"`
}

func (e *ItemError) Error() string {
	return fmt.Sprintf("item %d: %v: %s", e.Index, e.Err, e.Message)
}

func (e *ItemError) Unwrap() error { return e.Err }

// PublicMessage names the item and says that the request was not sent.
func (e *ItemError) PublicMessage() string {
	return fmt.Sprintf("item %d: %s; nothing was sent", e.Index, e.Message)
}

// ErrorBody is the body of a whole-request rejection: every function's
// {"code","message"}, plus Errors locating the failing items.
type ErrorBody struct {
	apigw.ErrorBody
	Errors []ItemError `json:"errors,omitempty"`
}

// rejection answers a whole-request error and returns its stable code.
func (h *Handler) rejection(ctx context.Context, err error) (events.APIGatewayV2HTTPResponse, string) {
	status, answer := apigw.Answer(err)
	body := ErrorBody{ErrorBody: answer}
	var re *RequestError
	var ie *ItemError
	switch {
	case errors.As(err, &re):
		body.Errors = re.Items
	case errors.As(err, &ie):
		body.Errors = []ItemError{*ie}
	}
	if status == http.StatusInternalServerError {
		h.logger.LogAttrs(ctx, slog.LevelError, "transformer failed", slog.String("error", err.Error()))
	}
	return apigw.JSON(status, body), answer.Code
}
