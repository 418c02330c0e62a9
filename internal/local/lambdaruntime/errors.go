package lambdaruntime

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Errors returned by Invoke for failures outside the function. A function's
// own failures (errors, panics, timeouts, crashes) are not errors: they are a
// Result with FunctionError set, as Lambda answers them.
var (
	// ErrFunctionNotFound: no function of that name was configured.
	ErrFunctionNotFound = errors.New("lambdaruntime: function not found")
	// ErrRequestTooLarge: the payload exceeds Lambda's 6 MB request limit.
	ErrRequestTooLarge = errors.New("lambdaruntime: request payload too large")
	// ErrInvalidRequestContent: the payload is not JSON.
	ErrInvalidRequestContent = errors.New("lambdaruntime: request payload is not JSON")
	// ErrClosed: the runtime was closed.
	ErrClosed = errors.New("lambdaruntime: runtime closed")
	// ErrStart: an execution environment could not be started (the
	// executable could not be run, no loopback port, ...).
	ErrStart = errors.New("lambdaruntime: cannot start execution environment")
)

// Limits Lambda applies to synchronous invocations.
const (
	// MaxRequestBytes is the largest synchronous invocation payload.
	MaxRequestBytes = 6 * 1024 * 1024
	// MaxResponseBytes is the largest function response; Lambda's own
	// message names 6291556 bytes, 100 bytes over 6 MiB.
	MaxResponseBytes = 6*1024*1024 + 100
)

// Error types Lambda uses for failures it detects itself.
const (
	ErrorTypeTimeout          = "Sandbox.Timedout"
	ErrorTypeExit             = "Runtime.ExitError"
	ErrorTypeOutOfMemory      = "Runtime.OutOfMemory"
	ErrorTypeResponseTooLarge = "Function.ResponseSizeTooLarge"
	ErrorTypeUnknown          = "Runtime.Unknown"
)

// FunctionErrorUnhandled is Result.FunctionError (and the
// X-Amz-Function-Error header) for every failed invocation.
const FunctionErrorUnhandled = "Unhandled"

// errorPayload is the JSON Lambda returns for a failed invocation.
type errorPayload struct {
	ErrorMessage string `json:"errorMessage"`
	ErrorType    string `json:"errorType"`
}

func (p errorPayload) marshal() []byte {
	b, _ := json.Marshal(p) // two strings: cannot fail
	return b
}

func timeoutPayload(requestID string, timeout time.Duration) []byte {
	return errorPayload{
		ErrorType:    ErrorTypeTimeout,
		ErrorMessage: fmt.Sprintf("RequestId: %s Error: Task timed out after %.2f seconds", requestID, timeout.Seconds()),
	}.marshal()
}

// exitPayload describes a runtime that exited; how is exec's text for the
// process state ("exit status 2", "signal: killed"), which is Lambda's too.
func exitPayload(requestID, errorType, how string) []byte {
	msg := fmt.Sprintf("RequestId: %s Error: Runtime exited with error: %s", requestID, how)
	if how == "exit status 0" {
		msg = fmt.Sprintf("RequestId: %s Error: Runtime exited without providing a reason", requestID)
	}
	return errorPayload{ErrorType: errorType, ErrorMessage: msg}.marshal()
}

func responseTooLargePayload() []byte {
	return errorPayload{
		ErrorType:    ErrorTypeResponseTooLarge,
		ErrorMessage: fmt.Sprintf("Response payload size exceeded maximum allowed payload size (%d bytes).", MaxResponseBytes),
	}.marshal()
}

// functionErrorPayload is what an invocation answers when the runtime posts
// an error: the body itself when it is a JSON object (aws-lambda-go posts
// {"errorMessage","errorType","stackTrace"}), else Lambda wraps it, typed by
// the Lambda-Runtime-Function-Error-Type header.
func functionErrorPayload(body []byte, errorType string) []byte {
	var obj map[string]json.RawMessage
	if json.Unmarshal(body, &obj) == nil {
		return body
	}
	if errorType == "" {
		errorType = ErrorTypeUnknown
	}
	return errorPayload{ErrorType: errorType, ErrorMessage: string(body)}.marshal()
}
