// Delete and visibility: DeleteMessage(Batch) and
// ChangeMessageVisibility(Batch), which resolve receipt handles.

package sqsendpoint

import "time"

// Receipt handles, as AWS is observed to treat them (LocalStack's
// AWS-validated SQS tests, moto): every handle issued for a message stays
// usable while the message exists, not only the latest. DeleteMessage with
// an earlier handle deletes the message (the API Reference says such a
// delete succeeds but "will not" / "might not" delete it; AWS deletes it),
// and ChangeMessageVisibility with an earlier handle changes its
// visibility (LocalStack test_terminate_visibility_timeout_after_receive).
// On a FIFO queue a handle whose message became visible again is expired
// for DeleteMessage. A handle of a message already deleted deletes nothing
// and succeeds, and fails ChangeMessageVisibility; a malformed handle or
// one from another queue is ReceiptHandleIsInvalid.

func (s *Server) opDeleteMessage(c *call) (any, error) {
	var in deleteMessageInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.ReceiptHandle == "" {
		return nil, errMissingParameter("ReceiptHandle")
	}
	q, err := s.resolveQueue(c, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	return nil, s.deleteMessage(q, in.ReceiptHandle)
}

func (s *Server) opDeleteMessageBatch(c *call) (any, error) {
	var in deleteMessageBatchInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	ids := make([]string, len(in.Entries))
	for i, e := range in.Entries {
		ids[i] = e.Id
	}
	if err := checkBatch("DeleteMessageBatchRequestEntry", ids); err != nil {
		return nil, err
	}
	q, err := s.resolveQueue(c, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	return s.deleteMessageBatch(q, in.Entries)
}

func (s *Server) opChangeMessageVisibility(c *call) (any, error) {
	var in changeVisibilityInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.ReceiptHandle == "" {
		return nil, errMissingParameter("ReceiptHandle")
	}
	if _, err := checkVisibility(in.VisibilityTimeout); err != nil {
		return nil, err
	}
	q, err := s.resolveQueue(c, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	return nil, s.changeVisibility(q, in.ReceiptHandle, in.VisibilityTimeout)
}

func (s *Server) opChangeMessageVisibilityBatch(c *call) (any, error) {
	var in changeVisibilityBatchInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	ids := make([]string, len(in.Entries))
	for i, e := range in.Entries {
		ids[i] = e.Id
	}
	if err := checkBatch("ChangeMessageVisibilityBatchRequestEntry", ids); err != nil {
		return nil, err
	}
	q, err := s.resolveQueue(c, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	return s.changeVisibilityBatch(q, in.Entries)
}

// findByReceipt resolves a receipt handle in q: nil with no error when the
// message is gone (deleted or moved). Callers hold q.mu.
func (q *queue) findByReceipt(handle string) (*message, *Error) {
	if handle == "" {
		return nil, errMissingParameter("ReceiptHandle")
	}
	queueARN, id, ok := parseReceiptHandle(handle)
	if !ok || queueARN != q.arn {
		return nil, errReceiptHandleIsInvalid(handle)
	}
	return q.byID[id], nil
}

func (s *Server) deleteMessage(q *queue, handle string) error {
	now := s.now()
	q.mu.Lock()
	c, err := s.deleteLocked(q, handle, now)
	q.mu.Unlock()
	if err != nil {
		return err
	}
	if err := c.wait(); err != nil {
		return s.storeFailed(err)
	}
	return nil
}

func (s *Server) deleteLocked(q *queue, handle string, now time.Time) (*commit, *Error) {
	if q.deleted {
		return nil, errQueueDoesNotExist()
	}
	m, err := q.findByReceipt(handle)
	if err != nil || m == nil {
		return nil, err
	}
	if q.fifo && !m.inFlight(now) {
		return nil, errReceiptHandleExpired(handle)
	}
	q.remove(m)
	// The message may have held its FIFO group, or a long poll may wait
	// on the next one.
	q.notify()
	return s.store.write(0, op{kind: opDeleteMessage, queue: q.key, key: seqKey(m.Seq)}), nil
}

func (s *Server) deleteMessageBatch(q *queue, entries []deleteMessageBatchEntry) (*deleteMessageBatchOutput, error) {
	now := s.now()
	out := &deleteMessageBatchOutput{Successful: []batchIDEntry{}, Failed: []batchResultErrorEntry{}}
	var last *commit
	q.mu.Lock()
	for _, e := range entries {
		c, err := s.deleteLocked(q, e.ReceiptHandle, now)
		if err != nil {
			if err.Code == "QueueDoesNotExist" {
				q.mu.Unlock()
				return nil, err
			}
			out.Failed = append(out.Failed, batchFailure(e.Id, err))
			continue
		}
		if c != nil {
			last = c
		}
		out.Successful = append(out.Successful, batchIDEntry{Id: e.Id})
	}
	q.mu.Unlock()
	// Commits complete in order, so waiting for the last covers all.
	if err := last.wait(); err != nil {
		return nil, s.storeFailed(err)
	}
	return out, nil
}

const maxVisibility = 12 * time.Hour

func checkVisibility(v *int) (time.Duration, *Error) {
	if v == nil {
		return 0, errMissingParameter("VisibilityTimeout")
	}
	if *v < 0 || *v > 43200 {
		return 0, errInvalidParameterValue("Value %d for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200.", *v)
	}
	return time.Duration(*v) * time.Second, nil
}

// changeVisibilityLocked sets a message's visibility to now plus the
// timeout, whichever of its handles names it and whether or not its
// previous timeout has run out (AWS answers 200 then: LocalStack's
// AWS-validated test_change_message_visibility_after_visibility_timeout_expiration).
// Callers hold q.mu.
func (s *Server) changeVisibilityLocked(q *queue, handle string, v *int, now time.Time) *Error {
	if q.deleted {
		return errQueueDoesNotExist()
	}
	d, err := checkVisibility(v)
	if err != nil {
		return err
	}
	m, err := q.findByReceipt(handle)
	if err != nil {
		return err
	}
	if m == nil {
		return errReceiptHandleGone(handle)
	}
	if m.receipt == "" {
		// Received before a restart: the handle is this message's, and
		// the change makes it in flight again.
		m.receipt, m.received = handle, now
	}
	// Developer Guide, visibility timeout: at most 12 hours from the
	// receive, however often it is extended.
	if now.Add(d).Sub(m.received) > maxVisibility {
		return errInvalidParameterValue("Value %d for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds]", *v)
	}
	q.setVisibleAt(m, now.Add(d))
	// Long polls may be timed to the old visibility; let them recompute.
	q.notify()
	return nil
}

func (s *Server) changeVisibility(q *queue, handle string, v *int) error {
	now := s.now()
	q.mu.Lock()
	defer q.mu.Unlock()
	if err := s.changeVisibilityLocked(q, handle, v, now); err != nil {
		return err
	}
	return nil
}

func (s *Server) changeVisibilityBatch(q *queue, entries []changeVisibilityBatchEntry) (*changeVisibilityBatchOutput, error) {
	now := s.now()
	out := &changeVisibilityBatchOutput{Successful: []batchIDEntry{}, Failed: []batchResultErrorEntry{}}
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, e := range entries {
		if err := s.changeVisibilityLocked(q, e.ReceiptHandle, e.VisibilityTimeout, now); err != nil {
			if err.Code == "QueueDoesNotExist" {
				return nil, err
			}
			out.Failed = append(out.Failed, batchFailure(e.Id, err))
			continue
		}
		out.Successful = append(out.Successful, batchIDEntry{Id: e.Id})
	}
	return out, nil
}
