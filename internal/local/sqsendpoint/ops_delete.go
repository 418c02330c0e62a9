package sqsendpoint

import (
	"sort"
	"time"

	"github.com/sqsgate/sqsgate/internal/uuid"
)

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

// moveOut takes m out of src for dest, journalling the removal and the
// arrival in the same commit so a crash never loses or duplicates it.
// deadLetter moves keep the receive count and record the source; redrives
// start the message over. Callers hold src.mu (and not dest.mu).
func (s *Server) moveOut(m *message, src, dest *queue, deadLetter bool, ops *[]op) moved {
	src.remove(m)
	*ops = append(*ops, op{kind: opDeleteMessage, queue: src.name, key: seqKey(m.Seq)})
	if deadLetter {
		m.DeadLetterSource = src.arn
	} else {
		m.ReceiveCount, m.FirstReceive, m.DeadLetterSource = 0, 0, ""
	}
	m.Seq = s.seq.Add(1)
	m.receipt = ""
	m.index = -1
	m.DelayUntil = 0
	*ops = append(*ops, op{kind: opPutMessage, queue: dest.name, key: seqKey(m.Seq), msg: m})
	return moved{m: m, dest: dest}
}

// deliverMoves inserts moved messages into their destinations' memory;
// moveOut already journalled them. Callers hold no queue lock.
func (s *Server) deliverMoves(moves []moved, now time.Time) int {
	n := 0
	for _, mv := range moves {
		q := mv.dest
		q.mu.Lock()
		if q.deleted {
			q.mu.Unlock()
			s.log.Warn("message dropped: destination queue deleted", "queue", q.name, "message_id", mv.m.ID)
			continue
		}
		mv.m.visibleAt = now
		q.add(mv.m)
		q.notify()
		q.mu.Unlock()
		n++
	}
	return n
}

// moveTask is one StartMessageMoveTask. Moves run to completion when the
// task starts, so every task is COMPLETED by the time a client lists it.
type moveTask struct {
	result moveTaskResult
}

// startMessageMoveTask moves the visible messages of a dead-letter queue to
// DestinationArn, or back to the queue each came from.
func (s *Server) startMessageMoveTask(in *startMessageMoveTaskInput) (string, error) {
	if in.SourceArn == "" {
		return "", errMissingParameter("SourceArn")
	}
	src := s.queueByARN(in.SourceArn)
	if src == nil {
		return "", errResourceNotFound("The resource that you specified for the SourceArn parameter doesn't exist.")
	}
	if in.MaxNumberOfMessagesPerSecond != nil && (*in.MaxNumberOfMessagesPerSecond < 1 || *in.MaxNumberOfMessagesPerSecond > 500) {
		return "", errInvalidParameterValue("Value for parameter MaxNumberOfMessagesPerSecond must be between 1 and 500.")
	}
	var dest *queue
	if in.DestinationArn != "" {
		if dest = s.queueByARN(in.DestinationArn); dest == nil {
			return "", errResourceNotFound("The resource that you specified for the DestinationArn parameter doesn't exist.")
		}
	}
	if len(s.sourcesOf(src)) == 0 {
		return "", errInvalidParameterValue("Source queue must be configured as a Dead Letter Queue.")
	}
	now := s.now()
	var moves []moved
	var ops []op
	failed := 0
	byARN := s.queuesByARN()
	src.mu.Lock()
	var candidates []*message
	for _, m := range src.byID {
		if !m.inFlight(now) && !m.visibleAt.After(now) && !src.expired(m, now) {
			candidates = append(candidates, m)
		}
	}
	sort.Slice(candidates, func(i, j int) bool { return candidates[i].Seq < candidates[j].Seq })
	for _, m := range candidates {
		target := dest
		if target == nil {
			target = byARN[m.DeadLetterSource]
		}
		if target == nil || target == src {
			failed++
			continue
		}
		if target.fifo != src.fifo {
			failed++
			continue
		}
		moves = append(moves, s.moveOut(m, src, target, false, &ops))
	}
	src.mu.Unlock()
	c := s.store.write(s.seq.Load(), ops...)
	movedCount := s.deliverMoves(moves, now)
	task := &moveTask{result: moveTaskResult{
		Status:                            "COMPLETED",
		SourceArn:                         in.SourceArn,
		DestinationArn:                    in.DestinationArn,
		MaxNumberOfMessagesPerSecond:      in.MaxNumberOfMessagesPerSecond,
		ApproximateNumberOfMessagesMoved:  int64(movedCount),
		ApproximateNumberOfMessagesToMove: int64(movedCount + failed),
		StartedTimestamp:                  now.UnixMilli(),
	}}
	if failed > 0 {
		task.result.FailureReason = "Some messages have no source queue to return to; give DestinationArn."
	}
	handle := encodeToken(in.SourceArn + "\x00" + uuid.New())
	s.mu.Lock()
	s.tasks = append(s.tasks, task)
	s.mu.Unlock()
	if err := c.wait(); err != nil {
		return "", s.storeFailed(err)
	}
	return handle, nil
}

func (s *Server) queuesByARN() map[string]*queue {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make(map[string]*queue, len(s.queues))
	for _, q := range s.queues {
		out[q.arn] = q
	}
	return out
}

func (s *Server) sourcesOf(dlq *queue) []string {
	names, _, _ := s.deadLetterSources(dlq, "", nil)
	return names
}

func (s *Server) listMessageMoveTasks(in *listMessageMoveTasksInput) ([]moveTaskResult, error) {
	if in.SourceArn == "" {
		return nil, errMissingParameter("SourceArn")
	}
	if s.queueByARN(in.SourceArn) == nil {
		return nil, errResourceNotFound("The resource that you specified for the SourceArn parameter doesn't exist.")
	}
	limit := 1
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > 10 {
			return nil, errInvalidParameterValue("Value for parameter MaxResults must be between 1 and 10.")
		}
		limit = *in.MaxResults
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []moveTaskResult{}
	for i := len(s.tasks) - 1; i >= 0 && len(out) < limit; i-- {
		if s.tasks[i].result.SourceArn == in.SourceArn {
			out = append(out, s.tasks[i].result)
		}
	}
	return out, nil
}

func (s *Server) cancelMessageMoveTask(in *cancelMessageMoveTaskInput) error {
	if in.TaskHandle == "" {
		return errMissingParameter("TaskHandle")
	}
	// Tasks finish when they start, so there is never one to cancel.
	return errResourceNotFound("Task does not exist or is not running.")
}
