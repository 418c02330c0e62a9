// Delete and visibility: DeleteMessage(Batch) and
// ChangeMessageVisibility(Batch), which resolve receipt handles.

package sqsendpoint

import "time"

func (s *Server) opDeleteMessage(c *call) (any, error) {
	var in deleteMessageInput
	q, err := s.decodeQueueInput(c, &in, &in.QueueUrl)
	if err != nil {
		return nil, err
	}
	return nil, s.deleteMessage(q, in.ReceiptHandle)
}

func (s *Server) opDeleteMessageBatch(c *call) (any, error) {
	var in deleteMessageBatchInput
	q, err := s.decodeQueueInput(c, &in, &in.QueueUrl)
	if err != nil {
		return nil, err
	}
	return s.deleteMessageBatch(q, in.Entries)
}

func (s *Server) opChangeMessageVisibility(c *call) (any, error) {
	var in changeVisibilityInput
	q, err := s.decodeQueueInput(c, &in, &in.QueueUrl)
	if err != nil {
		return nil, err
	}
	return nil, s.changeVisibility(q, in.ReceiptHandle, in.VisibilityTimeout)
}

func (s *Server) opChangeMessageVisibilityBatch(c *call) (any, error) {
	var in changeVisibilityBatchInput
	q, err := s.decodeQueueInput(c, &in, &in.QueueUrl)
	if err != nil {
		return nil, err
	}
	return s.changeVisibilityBatch(q, in.Entries)
}

// findByReceipt resolves a receipt handle in q. It returns nil with no
// error when the message is gone (already deleted or moved), and
// stale=true when the handle is from an earlier receive. Callers hold q.mu.
func (q *queue) findByReceipt(handle string) (m *message, stale bool, err *Error) {
	if handle == "" {
		return nil, false, errMissingParameter("ReceiptHandle")
	}
	queueName, id, ok := parseReceiptHandle(handle)
	if !ok || queueName != q.name {
		return nil, false, errReceiptHandleIsInvalid(handle)
	}
	m = q.byID[id]
	if m == nil {
		return nil, false, nil
	}
	return m, m.receipt != handle, nil
}

// deleteMessage deletes the message a current receipt handle names. As SQS
// documents, a handle from an earlier receive succeeds without deleting,
// and deleting a message that is already gone succeeds.
func (s *Server) deleteMessage(q *queue, handle string) error {
	q.mu.Lock()
	c, err := s.deleteLocked(q, handle)
	q.mu.Unlock()
	if err != nil {
		return err
	}
	if err := c.wait(); err != nil {
		return s.storeFailed(err)
	}
	return nil
}

func (s *Server) deleteLocked(q *queue, handle string) (*commit, *Error) {
	if q.deleted {
		return nil, errQueueDoesNotExist()
	}
	m, stale, err := q.findByReceipt(handle)
	if err != nil || m == nil || stale {
		return nil, err
	}
	q.remove(m)
	if q.fifo {
		// The group may now be unlocked.
		q.notify()
	}
	return s.store.write(0, op{kind: opDeleteMessage, queue: q.name, key: seqKey(m.Seq)}), nil
}

func (s *Server) deleteMessageBatch(q *queue, entries []deleteMessageBatchEntry) (*deleteMessageBatchOutput, error) {
	ids := make([]string, len(entries))
	for i, e := range entries {
		ids[i] = e.Id
	}
	if err := checkBatch(ids); err != nil {
		return nil, err
	}
	out := &deleteMessageBatchOutput{Successful: []batchIDEntry{}, Failed: []batchResultErrorEntry{}}
	var last *commit
	q.mu.Lock()
	for _, e := range entries {
		c, err := s.deleteLocked(q, e.ReceiptHandle)
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

// changeVisibilityLocked resets the visibility of an in-flight message,
// counted from now. Callers hold q.mu.
func (s *Server) changeVisibilityLocked(q *queue, handle string, v *int, now time.Time) *Error {
	if q.deleted {
		return errQueueDoesNotExist()
	}
	d, err := checkVisibility(v)
	if err != nil {
		return err
	}
	m, stale, err := q.findByReceipt(handle)
	if err != nil {
		return err
	}
	if m == nil || stale {
		return errReceiptHandleExpired()
	}
	if !m.inFlight(now) {
		return errMessageNotInflight()
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
	ids := make([]string, len(entries))
	for i, e := range entries {
		ids[i] = e.Id
	}
	if err := checkBatch(ids); err != nil {
		return nil, err
	}
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
