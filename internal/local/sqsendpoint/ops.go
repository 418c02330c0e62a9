// What every operation family shares: resolving the queue a request
// names, batch rules, list tokens and store failures.

package sqsendpoint

import (
	"encoding/base64"

	"github.com/sqsgate/sqsgate/internal/sqsmsg"
)

// decodeQueueInput decodes the request into in and resolves the queue its
// QueueUrl names (queueURL points into in). Operations whose parameters
// SQS validates decode, validate, then resolveQueue instead: AWS checks
// parameters before it looks the queue up, so an invalid parameter with a
// QueueUrl that names no queue is InvalidParameterValue.
func (s *Server) decodeQueueInput(c *call, in any, queueURL *string) (*queue, *Error) {
	if err := c.decode(in); err != nil {
		return nil, asError(err)
	}
	return s.resolveQueue(c, *queueURL)
}

// resolveQueue finds the queue a QueueUrl names in the request's region,
// falling back to the request path for query clients that post to the
// queue URL itself.
func (s *Server) resolveQueue(c *call, queueURL string) (*queue, *Error) {
	if queueURL == "" {
		return s.queueByURL(c.region, c.pathQueue)
	}
	return s.queueByURL(c.region, queueURL)
}

// checkBatch applies the rules every batch request shares; entry names
// the request's entry type for SQS's empty-batch message.
func checkBatch(entry string, ids []string) *Error {
	if len(ids) == 0 {
		return errEmptyBatch(entry)
	}
	if len(ids) > sqsmsg.MaxBatchEntries {
		return errTooManyEntries(len(ids))
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if sqsmsg.ValidateBatchEntryID(id) != nil {
			return errInvalidBatchEntryID()
		}
		if seen[id] {
			return errBatchIDsNotDistinct(id)
		}
		seen[id] = true
	}
	return nil
}

func batchFailure(id string, err error) batchResultErrorEntry {
	e, ok := err.(*Error)
	if !ok {
		e = errInternal()
	}
	return batchResultErrorEntry{Id: id, SenderFault: e.Sender, Code: e.Code, Message: e.Message}
}

func encodeToken(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func decodeToken(t string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(t)
	return string(b), err
}

// storeFailed logs a store error and returns what the client sees.
func (s *Server) storeFailed(err error) *Error {
	s.log.Error("sqs store write failed", "err", err)
	return errInternal()
}
