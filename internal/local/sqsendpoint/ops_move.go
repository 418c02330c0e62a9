// Move tasks and message moves: StartMessageMoveTask,
// ListMessageMoveTasks, CancelMessageMoveTask, and the dead-letter moves
// a receive makes.

package sqsendpoint

import (
	"sort"
	"time"

	"github.com/sqsgate/sqsgate/internal/uuid"
)

func (s *Server) opStartMessageMoveTask(c *call) (any, error) {
	var in startMessageMoveTaskInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	handle, err := s.startMessageMoveTask(c.region, &in)
	if err != nil {
		return nil, err
	}
	return &startMessageMoveTaskOutput{TaskHandle: handle}, nil
}

func (s *Server) opListMessageMoveTasks(c *call) (any, error) {
	var in listMessageMoveTasksInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	results, err := s.listMessageMoveTasks(c.region, &in)
	if err != nil {
		return nil, err
	}
	return &listMessageMoveTasksOutput{Results: results}, nil
}

func (s *Server) opCancelMessageMoveTask(c *call) (any, error) {
	var in cancelMessageMoveTaskInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	return nil, s.cancelMessageMoveTask(&in)
}

// moveTask is one StartMessageMoveTask. Moves run to completion when the
// task starts, so every task is COMPLETED by the time a client lists it.
type moveTask struct {
	result moveTaskResult
}

// startMessageMoveTask moves the visible messages of a dead-letter queue to
// DestinationArn, or back to the queue each came from.
func (s *Server) startMessageMoveTask(region string, in *startMessageMoveTaskInput) (string, error) {
	if in.SourceArn == "" {
		return "", errMissingParameter("SourceArn")
	}
	src := s.queueByARN(region, in.SourceArn)
	if src == nil {
		return "", errResourceNotFound("The resource that you specified for the SourceArn parameter doesn't exist.")
	}
	if in.MaxNumberOfMessagesPerSecond != nil && (*in.MaxNumberOfMessagesPerSecond < 1 || *in.MaxNumberOfMessagesPerSecond > 500) {
		return "", errInvalidParameterValue("Value for parameter MaxNumberOfMessagesPerSecond must be between 1 and 500.")
	}
	var dest *queue
	if in.DestinationArn != "" {
		if dest = s.queueByARN(region, in.DestinationArn); dest == nil {
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
		mv, moveOps := s.moveOut(m, src, target, false)
		moves = append(moves, mv)
		ops = append(ops, moveOps...)
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

func (s *Server) listMessageMoveTasks(region string, in *listMessageMoveTasksInput) ([]moveTaskResult, error) {
	if in.SourceArn == "" {
		return nil, errMissingParameter("SourceArn")
	}
	if s.queueByARN(region, in.SourceArn) == nil {
		return nil, errResourceNotFound("The resource that you specified for the SourceArn parameter doesn't exist.")
	}
	limit := 1
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > 10 {
			return nil, errInvalidParameterValue("Value for parameter MaxResults must be between 1 and 10.")
		}
		limit = *in.MaxResults
	}
	s.mu.Lock()
	defer s.mu.Unlock()
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

func (s *Server) queuesByARN() map[string]*queue {
	all := s.queues.all()
	out := make(map[string]*queue, len(all))
	for _, q := range all {
		out[q.arn] = q
	}
	return out
}

func (s *Server) sourcesOf(dlq *queue) []string {
	names, _, _ := s.deadLetterSources(dlq, "", nil)
	return names
}

// moved is a message leaving a queue for another (dead-letter moves).
type moved struct {
	m    *message
	dest *queue
}

// moveOut takes m out of src for dest and returns the ops that journal
// the removal and the arrival, to be written in one commit so a crash
// never loses or duplicates it. deadLetter moves keep the receive count
// and record the source; redrives start the message over. Callers hold
// src.mu (and not dest.mu).
func (s *Server) moveOut(m *message, src, dest *queue, deadLetter bool) (moved, []op) {
	src.remove(m)
	removal := op{kind: opDeleteMessage, queue: src.key, key: seqKey(m.Seq)}
	if deadLetter {
		m.DeadLetterSource = src.arn
	} else {
		m.ReceiveCount, m.FirstReceive, m.DeadLetterSource = 0, 0, ""
	}
	m.Seq = s.seq.Add(1)
	m.receipt = ""
	m.index = -1
	m.DelayUntil = 0
	arrival := op{kind: opPutMessage, queue: dest.key, key: seqKey(m.Seq), msg: m}
	return moved{m: m, dest: dest}, []op{removal, arrival}
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
