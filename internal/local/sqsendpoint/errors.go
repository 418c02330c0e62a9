package sqsendpoint

import (
	"fmt"
	"net/http"

	"github.com/sqsgate/sqsgate/internal/sqsmsg"
)

// Error is an SQS error as both protocols report it. Code is the error's
// shape name in the JSON protocol (`__type` com.amazonaws.sqs#Code);
// QueryCode is the code the query protocol and the x-amzn-query-error
// header use, which differs for a few legacy errors.
type Error struct {
	Code      string
	QueryCode string
	Status    int
	Sender    bool
	Message   string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func senderError(code, queryCode string, status int, format string, args ...any) *Error {
	if queryCode == "" {
		queryCode = code
	}
	return &Error{Code: code, QueryCode: queryCode, Status: status, Sender: true, Message: fmt.Sprintf(format, args...)}
}

// Constructors for the errors SQS documents. Query codes come from the
// query-protocol SQS model (awsQueryError codes); the JSON names from the
// JSON model aws-sdk-go-v2 generates its error types from.
func errInvalidParameterValue(format string, args ...any) *Error {
	return senderError("InvalidParameterValue", "", http.StatusBadRequest, format, args...)
}

func errMissingParameter(name string) *Error {
	return senderError("MissingParameter", "", http.StatusBadRequest, "The request must contain the parameter %s.", name)
}

func errInvalidAttributeName(name string) *Error {
	return senderError("InvalidAttributeName", "", http.StatusBadRequest, "Unknown Attribute %s.", name)
}

// errFIFOOnlyAttribute: DeduplicationScope or FifoThroughputLimit on a
// standard queue (AWS's words, recorded in LocalStack's AWS-validated
// test_create_standard_queue_with_fifo_attribute_raises_error).
func errFIFOOnlyAttribute(name string) *Error {
	return senderError("InvalidAttributeName", "", http.StatusBadRequest, "You can specify the %s only when FifoQueue is set to true.", name)
}

func errInvalidAttributeValue(name, reason string) *Error {
	return senderError("InvalidAttributeValue", "", http.StatusBadRequest, "Invalid value for the parameter %s. Reason: %s", name, reason)
}

func errQueueDoesNotExist() *Error {
	return senderError("QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", http.StatusBadRequest,
		"The specified queue does not exist.")
}

func errQueueNameExists(attribute string) *Error {
	return senderError("QueueNameExists", "QueueAlreadyExists", http.StatusBadRequest,
		"A queue already exists with the same name and a different value for attribute %s", attribute)
}

func errQueueDeletedRecently() *Error {
	return senderError("QueueDeletedRecently", "AWS.SimpleQueueService.QueueDeletedRecently", http.StatusBadRequest,
		"You must wait 60 seconds after deleting a queue before you can create another queue with the same name.")
}

func errPurgeQueueInProgress(name string) *Error {
	return senderError("PurgeQueueInProgress", "AWS.SimpleQueueService.PurgeQueueInProgress", http.StatusForbidden,
		"Only one PurgeQueue operation on %s is allowed every 60 seconds.", name)
}

func errInvalidMessageContents(format string, args ...any) *Error {
	return senderError("InvalidMessageContents", "", http.StatusBadRequest, format, args...)
}

// maxEchoed bounds how much of a client's value an error message repeats.
const maxEchoed = 2048

func errReceiptHandleIsInvalid(handle string) *Error {
	return senderError("ReceiptHandleIsInvalid", "", http.StatusBadRequest,
		"The input receipt handle \"%s\" is not a valid receipt handle.", truncate(handle, maxEchoed))
}

// errReceiptHandleExpired: a FIFO message deleted with a handle after it
// became visible again.
func errReceiptHandleExpired(handle string) *Error {
	return errInvalidParameterValue("Value %s for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.", truncate(handle, maxEchoed))
}

// errReceiptHandleGone: ChangeMessageVisibility on a message that is gone.
func errReceiptHandleGone(handle string) *Error {
	return errInvalidParameterValue("Value %s for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.", truncate(handle, maxEchoed))
}

func errInvalidFIFOID(parameter, value string) *Error {
	return errInvalidParameterValue("Value %s for parameter %s is invalid. Reason: %s can only include alphanumeric and punctuation characters. 1 to 128 in length.", truncate(value, maxEchoed), parameter, parameter)
}

func errEmptyBatch(entry string) *Error {
	return senderError("EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest", http.StatusBadRequest,
		"There should be at least one %s in the request.", entry)
}

func errTooManyEntries(n int) *Error {
	return senderError("TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", http.StatusBadRequest,
		"Maximum number of entries per request are 10. You have sent %d.", n)
}

func errBatchIDsNotDistinct(id string) *Error {
	return senderError("BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", http.StatusBadRequest,
		"Id %s repeated.", truncate(id, 80))
}

func errInvalidBatchEntryID() *Error {
	return senderError("InvalidBatchEntryId", "AWS.SimpleQueueService.InvalidBatchEntryId", http.StatusBadRequest,
		"A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.")
}

func errBatchRequestTooLong(size int) *Error {
	return senderError("BatchRequestTooLong", "AWS.SimpleQueueService.BatchRequestTooLong", http.StatusBadRequest,
		"Batch requests cannot be longer than %d bytes. You have sent %d bytes.", sqsmsg.MaxBatchBytes, size)
}

func errOverLimit(format string, args ...any) *Error {
	return senderError("OverLimit", "", http.StatusForbidden, format, args...)
}

func errResourceNotFound(format string, args ...any) *Error {
	return senderError("ResourceNotFoundException", "", http.StatusBadRequest, format, args...)
}

func errInvalidAction(action string) *Error {
	return senderError("InvalidAction", "", http.StatusBadRequest, "The action %s is not valid for this endpoint.", truncate(action, 64))
}

func errInternal() *Error {
	return &Error{Code: "InternalFailure", QueryCode: "InternalFailure", Status: http.StatusInternalServerError,
		Message: "The request processing has failed because of an unknown error."}
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
