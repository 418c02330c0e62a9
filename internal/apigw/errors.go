package apigw

import (
	"errors"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
)

// Error is a kind of failure and its answer: an HTTP status, a stable
// snake_case code and a default message safe to show. A function declares
// each kind once, as a package-level sentinel, returns it (or Detail of it)
// from wherever the failure is found, and ErrorResponse turns the error
// into the answer at the edge. errors.Is matches the kind.
type Error struct {
	Status  int
	Code    string
	Message string
}

// NewError declares a kind of failure.
func NewError(status int, code, message string) *Error {
	return &Error{Status: status, Code: code, Message: message}
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Detail returns an error of kind e that answers with message (when not
// empty) instead of e's default, and keeps cause for the logs only.
// errors.Is finds both e and cause in it.
func (e *Error) Detail(message string, cause error) error {
	return &detailed{kind: e, message: message, cause: cause}
}

// detailed is an Error with a specific safe message and a cause.
type detailed struct {
	kind    *Error
	message string
	cause   error
}

func (d *detailed) Error() string {
	s := d.kind.Code + ": " + d.PublicMessage()
	if d.message == "" {
		s = d.kind.Error()
	}
	if d.cause != nil {
		s += ": " + d.cause.Error()
	}
	return s
}

func (d *detailed) PublicMessage() string { return d.message }

func (d *detailed) Unwrap() []error {
	if d.cause == nil {
		return []error{d.kind}
	}
	return []error{d.kind, d.cause}
}

// PublicMessager is an error that carries a message safe to show, more
// specific than its kind's default (Detail's errors, and a function's own
// error types that locate a failure).
type PublicMessager interface {
	PublicMessage() string
}

// ErrInternal answers any error whose chain holds no Error: a bug or an
// unexpected failure, whose detail stays in the logs.
var ErrInternal = NewError(http.StatusInternalServerError, "internal_error", "internal error")

// Answer is the one mapping from an error to what the client sees: the
// status and code of the first Error in err's chain, or ErrInternal's, and
// the message of the outermost PublicMessager in the chain when it is not
// empty, else the kind's default. Nothing else of err is shown.
func Answer(err error) (status int, body ErrorBody) {
	kind := ErrInternal
	if !errors.As(err, &kind) {
		return ErrInternal.Status, ErrorBody{Code: ErrInternal.Code, Message: ErrInternal.Message}
	}
	body = ErrorBody{Code: kind.Code, Message: kind.Message}
	var pm PublicMessager
	if errors.As(err, &pm) {
		if m := pm.PublicMessage(); m != "" {
			body.Message = m
		}
	}
	return kind.Status, body
}

// ErrorBody is the JSON every error response carries.
type ErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ErrorResponse is Answer as a JSON response.
func ErrorResponse(err error) events.APIGatewayV2HTTPResponse {
	status, body := Answer(err)
	return JSON(status, body)
}
