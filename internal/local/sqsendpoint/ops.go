package sqsendpoint

import (
	"container/heap"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/sqsgate/sqsgate/internal/uuid"

	"github.com/sqsgate/sqsgate/internal/sqsmsg"
)

func encodeToken(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func decodeToken(t string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(t)
	return string(b), err
}

// toAttributes converts wire attributes and validates them as SQS does.
func toAttributes(in map[string]attributeValue) (map[string]sqsmsg.Attribute, *Error) {
	if len(in) == 0 {
		return nil, nil
	}
	out := make(map[string]sqsmsg.Attribute, len(in))
	for name, v := range in {
		if len(v.StringListValues) > 0 || len(v.BinaryListValues) > 0 {
			return nil, errInvalidParameterValue("Message attribute list values are not supported.")
		}
		if v.DataType == "" {
			return nil, errInvalidParameterValue("The message attribute '%s' must contain non-empty message attribute type.", truncate(name, 256))
		}
		a := sqsmsg.Attribute{DataType: v.DataType, StringValue: v.StringValue, BinaryValue: v.BinaryValue}
		switch sqsmsg.BaseType(v.DataType) {
		case "Number":
			if _, err := strconv.ParseFloat(strings.TrimSpace(v.StringValue), 64); err != nil {
				return nil, errInvalidParameterValue("Can't cast the value of message (user) attribute '%s' to a number.", truncate(name, 256))
			}
		case "Binary":
			if v.StringValue != "" {
				return nil, errInvalidParameterValue("Message attribute '%s' of type Binary must carry a BinaryValue.", truncate(name, 256))
			}
		}
		out[name] = a
	}
	if err := sqsmsg.ValidateAttributes(out); err != nil {
		return nil, errInvalidParameterValue("%s", err.Error())
	}
	return out, nil
}

func toSystemAttributes(in map[string]attributeValue) (map[string]sqsmsg.Attribute, *Error) {
	if len(in) == 0 {
		return nil, nil
	}
	out := map[string]sqsmsg.Attribute{}
	for name, v := range in {
		if name != "AWSTraceHeader" {
			return nil, errInvalidParameterValue("Message system attribute name '%s' is invalid.", truncate(name, 256))
		}
		if v.DataType != "String" || v.StringValue == "" {
			return nil, errInvalidParameterValue("Message system attribute AWSTraceHeader must be a non-empty String.")
		}
		out[name] = sqsmsg.Attribute{DataType: v.DataType, StringValue: v.StringValue}
	}
	return out, nil
}

// prepare validates one message against its queue and builds it. Callers
// hold q.mu (the queue's config is read).
func (s *Server) prepare(q *queue, r messageInput, now time.Time) (*message, *Error) {
	if r.MessageBody == "" {
		return nil, errMissingParameter("MessageBody")
	}
	if err := sqsmsg.ValidateBody(r.MessageBody); err != nil {
		return nil, errInvalidMessageContents("Invalid characters found. Valid values are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF")
	}
	attrs, err := toAttributes(r.MessageAttributes)
	if err != nil {
		return nil, err
	}
	system, err := toSystemAttributes(r.MessageSystemAttributes)
	if err != nil {
		return nil, err
	}
	if size := sqsmsg.MessageSize(r.MessageBody, attrs); size > q.cfg.maxMessageBytes {
		return nil, errInvalidParameterValue("One or more parameters are invalid. Reason: Message must be shorter than %d bytes.", q.cfg.maxMessageBytes)
	}
	delay := q.cfg.delay
	if r.DelaySeconds != nil {
		if q.fifo {
			return nil, errInvalidParameterValue("Value %d for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.", *r.DelaySeconds)
		}
		if *r.DelaySeconds < 0 || *r.DelaySeconds > 900 {
			return nil, errInvalidParameterValue("Value %d for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.", *r.DelaySeconds)
		}
		delay = time.Duration(*r.DelaySeconds) * time.Second
	}
	m := &message{
		ID: uuid.New(), Body: r.MessageBody, Attributes: attrs, SystemAttributes: system,
		Sent: now.UnixMilli(), GroupID: r.MessageGroupId, DedupID: r.MessageDeduplicationId, index: -1,
	}
	if q.fifo {
		if r.MessageGroupId == "" {
			return nil, errMissingParameter("MessageGroupId")
		}
		if sqsmsg.ValidateFIFOID(r.MessageGroupId) != nil {
			return nil, errInvalidParameterValue("Value %s for parameter MessageGroupId is invalid. Reason: MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.", truncate(r.MessageGroupId, 128))
		}
		if m.DedupID == "" {
			if !q.cfg.contentDedup {
				return nil, errInvalidParameterValue("The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
			}
			sum := sha256.Sum256([]byte(r.MessageBody))
			m.DedupID = hex.EncodeToString(sum[:])
		} else if sqsmsg.ValidateFIFOID(m.DedupID) != nil {
			return nil, errInvalidParameterValue("Value %s for parameter MessageDeduplicationId is invalid. Reason: MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length.", truncate(m.DedupID, 128))
		}
	} else {
		if r.MessageDeduplicationId != "" {
			return nil, errInvalidParameterValue("The request include parameter MessageDeduplicationId that is not valid for this queue type")
		}
		// Standard queues accept MessageGroupId since fair queues (2025).
		if r.MessageGroupId != "" && sqsmsg.ValidateFIFOID(r.MessageGroupId) != nil {
			return nil, errInvalidParameterValue("Value %s for parameter MessageGroupId is invalid.", truncate(r.MessageGroupId, 128))
		}
	}
	m.visibleAt = now.Add(delay)
	if delay > 0 {
		m.DelayUntil = m.visibleAt.UnixMilli()
	}
	m.digest()
	return m, nil
}

func (q *queue) dedupKey(m *message) string {
	if q.cfg.dedupByGroup {
		return m.GroupID + "\x00" + m.DedupID
	}
	return m.DedupID
}

// enqueue adds prepared messages to q (deduplicating FIFO sends) and
// journals them. It returns, per message, the send result (the original
// message's id on a duplicate) and the commit to wait for. Results are
// built under the lock: once enqueued, a message may be received and
// moved by another client at any moment.
func (s *Server) enqueue(q *queue, msgs []*message, now time.Time) ([]sendMessageOutput, *commit, *Error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.deleted {
		return nil, nil, errQueueDoesNotExist()
	}
	out := make([]sendMessageOutput, len(msgs))
	var ops []op
	var seq uint64
	for i, m := range msgs {
		if q.fifo {
			key := q.dedupKey(m)
			if d, ok := q.dedup[key]; ok && d.Expires > now.UnixMilli() {
				m.ID, m.Seq = d.MessageID, d.Seq
				out[i] = sendResult(q, m)
				continue
			}
		}
		seq = s.seq.Add(1)
		m.Seq = seq
		q.add(m)
		out[i] = sendResult(q, m)
		if s.store != nil {
			ops = append(ops, op{kind: opPutMessage, queue: q.name, key: seqKey(m.Seq), msg: m})
		}
		if q.fifo {
			d := dedupRecord{Key: q.dedupKey(m), MessageID: m.ID, Seq: m.Seq, Expires: now.Add(dedupWindow).UnixMilli()}
			q.dedup[d.Key] = d
			if s.store != nil {
				b, _ := json.Marshal(d)
				ops = append(ops, op{kind: opPutDedup, queue: q.name, key: []byte(d.Key), value: b})
			}
		}
	}
	q.expireDedup(now, &ops, s.store != nil)
	q.notify()
	var c *commit
	if len(ops) > 0 {
		c = s.store.write(seq, ops...)
	}
	return out, c, nil
}

// expireDedup forgets deduplication records past the window, a few at a
// time so a send never pays for a large sweep.
func (q *queue) expireDedup(now time.Time, ops *[]op, durable bool) {
	n := 0
	for k, d := range q.dedup {
		if n++; n > 16 {
			return
		}
		if d.Expires <= now.UnixMilli() {
			delete(q.dedup, k)
			if durable {
				*ops = append(*ops, op{kind: opDeleteDedup, queue: q.name, key: []byte(k)})
			}
		}
	}
}

func sendResult(q *queue, m *message) sendMessageOutput {
	out := sendMessageOutput{MD5OfMessageBody: m.md5Body, MD5OfMessageAttributes: m.md5Attrs, MessageId: m.ID}
	if len(m.SystemAttributes) > 0 {
		out.MD5OfMessageSystemAttributes = sqsmsg.MD5OfAttributes(m.SystemAttributes)
	}
	if q.fifo {
		out.SequenceNumber = m.sequenceNumber()
	}
	return out
}

func (s *Server) sendMessage(q *queue, r messageInput) (sendMessageOutput, error) {
	now := s.now()
	q.mu.Lock()
	m, err := s.prepare(q, r, now)
	q.mu.Unlock()
	if err != nil {
		return sendMessageOutput{}, err
	}
	out, c, err := s.enqueue(q, []*message{m}, now)
	if err != nil {
		return sendMessageOutput{}, err
	}
	if err := c.wait(); err != nil {
		return sendMessageOutput{}, s.storeFailed(err)
	}
	return out[0], nil
}

// checkBatch applies the rules every batch request shares.
func checkBatch(ids []string) *Error {
	if len(ids) == 0 {
		return errEmptyBatch()
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

func (s *Server) sendMessageBatch(q *queue, entries []sendMessageBatchEntry) (*sendMessageBatchOutput, error) {
	ids := make([]string, len(entries))
	total := 0
	for i, e := range entries {
		ids[i] = e.Id
		attrs := make(map[string]sqsmsg.Attribute, len(e.MessageAttributes))
		for k, v := range e.MessageAttributes {
			attrs[k] = sqsmsg.Attribute{DataType: v.DataType, StringValue: v.StringValue, BinaryValue: v.BinaryValue}
		}
		total += sqsmsg.MessageSize(e.MessageBody, attrs)
	}
	if err := checkBatch(ids); err != nil {
		return nil, err
	}
	if total > sqsmsg.MaxBatchBytes {
		return nil, errBatchRequestTooLong(total)
	}
	now := s.now()
	out := &sendMessageBatchOutput{Successful: []sendMessageBatchResultEntry{}, Failed: []batchResultErrorEntry{}}
	var prepared []*message
	var preparedIDs []string
	q.mu.Lock()
	for _, e := range entries {
		m, err := s.prepare(q, e.messageInput, now)
		if err != nil {
			out.Failed = append(out.Failed, batchFailure(e.Id, err))
			continue
		}
		prepared = append(prepared, m)
		preparedIDs = append(preparedIDs, e.Id)
	}
	q.mu.Unlock()
	if len(prepared) == 0 {
		return out, nil
	}
	sent, c, err := s.enqueue(q, prepared, now)
	if err != nil {
		return nil, err
	}
	if err := c.wait(); err != nil {
		return nil, s.storeFailed(err)
	}
	for i, r := range sent {
		out.Successful = append(out.Successful, sendMessageBatchResultEntry{Id: preparedIDs[i], sendMessageOutput: r})
	}
	return out, nil
}

// receiveOptions are ReceiveMessage's validated parameters.
type receiveOptions struct {
	max        int
	visibility time.Duration
	wait       time.Duration
	attemptID  string // FIFO ReceiveRequestAttemptId
}

// receiveAttempt remembers what a FIFO receive with a
// ReceiveRequestAttemptId returned, so a retry gets the same messages and
// receipt handles while none of them was deleted or had its visibility
// changed.
type receiveAttempt struct {
	deliveries []delivery
	visibleAt  []time.Time
	expires    time.Time
}

const attemptWindow = 5 * time.Minute

// replayAttempt returns the deliveries of an earlier attempt if they are
// all intact, resetting their visibility. Callers hold q.mu.
func (q *queue) replayAttempt(id string, now time.Time, visibility time.Duration) []delivery {
	a, ok := q.attempts[id]
	if !ok {
		return nil
	}
	if !now.Before(a.expires) {
		delete(q.attempts, id)
		return nil
	}
	for i, d := range a.deliveries {
		m := q.byID[d.m.ID]
		if m != d.m || m.receipt != d.receipt || !m.visibleAt.Equal(a.visibleAt[i]) {
			delete(q.attempts, id)
			return nil
		}
	}
	for i, d := range a.deliveries {
		q.setVisibleAt(d.m, now.Add(visibility))
		a.visibleAt[i] = d.m.visibleAt
	}
	return a.deliveries
}

// rememberAttempt records a FIFO receive under its attempt id, sweeping a
// few expired attempts. Callers hold q.mu.
func (q *queue) rememberAttempt(id string, out []delivery, now time.Time) {
	n := 0
	for k, a := range q.attempts {
		if n++; n > 16 {
			break
		}
		if !now.Before(a.expires) {
			delete(q.attempts, k)
		}
	}
	a := receiveAttempt{deliveries: out, visibleAt: make([]time.Time, len(out)), expires: now.Add(attemptWindow)}
	for i, d := range out {
		a.visibleAt[i] = d.m.visibleAt
	}
	q.attempts[id] = a
}

func (s *Server) receiveOptions(q *queue, in *receiveMessageInput) (receiveOptions, *Error) {
	q.mu.Lock()
	o := receiveOptions{max: 1, visibility: q.cfg.visibility, wait: q.cfg.wait}
	q.mu.Unlock()
	if in.MaxNumberOfMessages != nil {
		if n := *in.MaxNumberOfMessages; n < 1 || n > 10 {
			return o, errInvalidParameterValue("Value %d for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.", n)
		}
		o.max = *in.MaxNumberOfMessages
	}
	if in.VisibilityTimeout != nil {
		if n := *in.VisibilityTimeout; n < 0 || n > 43200 {
			return o, errInvalidParameterValue("Value %d for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, if provided.", n)
		}
		o.visibility = time.Duration(*in.VisibilityTimeout) * time.Second
	}
	if q.fifo {
		o.attemptID = in.ReceiveRequestAttemptId
	}
	if in.WaitTimeSeconds != nil {
		if n := *in.WaitTimeSeconds; n < 0 || n > 20 {
			return o, errInvalidParameterValue("Value %d for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.", n)
		}
		o.wait = time.Duration(*in.WaitTimeSeconds) * time.Second
	}
	return o, nil
}

// delivery is a message as handed to one receive, copied under the lock.
type delivery struct {
	m                *message
	receipt          string
	seq              uint64
	receiveCount     int
	firstReceive     int64
	deadLetterSource string
}

// receive long-polls: it returns as soon as any message is receivable, or
// when wait has passed. It waits on the queue's change channel and on a
// timer for the next visibility change, never by sleeping in a loop.
func (s *Server) receive(ctx context.Context, q *queue, o receiveOptions) ([]delivery, error) {
	deadline := s.now().Add(o.wait)
	for {
		got, changed, next, err := s.tryReceive(q, o)
		if err != nil || len(got) > 0 {
			return got, err
		}
		now := s.now()
		if !now.Before(deadline) {
			return nil, nil
		}
		wake := deadline
		if !next.IsZero() && next.Before(wake) {
			wake = next
		}
		timer := time.NewTimer(wake.Sub(now))
		select {
		case <-changed:
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return nil, nil
		case <-s.closing:
			timer.Stop()
			return nil, nil
		}
		timer.Stop()
	}
}

// moved is a message leaving a queue for another (dead-letter moves).
type moved struct {
	m    *message
	dest *queue
}

func (s *Server) tryReceive(q *queue, o receiveOptions) ([]delivery, <-chan struct{}, time.Time, error) {
	now := s.now()
	// Resolve the dead-letter queue before taking q.mu: the registry lock
	// is never taken while a queue lock is held.
	q.mu.Lock()
	redrive := q.cfg.redrive
	q.mu.Unlock()
	var dlq *queue
	if redrive != nil {
		dlq = s.queueByARN(redrive.DeadLetterTargetArn)
	}
	q.mu.Lock()
	if q.deleted {
		q.mu.Unlock()
		return nil, nil, time.Time{}, errQueueDoesNotExist()
	}
	maxReceives := 0
	if q.cfg.redrive != redrive {
		// The policy changed in between; apply it from the next receive.
		dlq = nil
	} else if redrive != nil {
		maxReceives = redrive.MaxReceiveCount
	}
	var out []delivery
	var ops []op
	var moves []moved
	durable := s.store != nil
	// take handles one candidate; it reports whether it was delivered.
	take := func(m *message) bool {
		if q.expired(m, now) {
			q.remove(m)
			if durable {
				ops = append(ops, op{kind: opDeleteMessage, queue: q.name, key: seqKey(m.Seq)})
			}
			return false
		}
		if dlq != nil && dlq != q && m.ReceiveCount >= maxReceives {
			moves = append(moves, s.moveOut(m, q, dlq, true, &ops))
			return false
		}
		m.ReceiveCount++
		if m.FirstReceive == 0 {
			m.FirstReceive = now.UnixMilli()
		}
		m.receipt = newReceiptHandle(q.name, m.ID)
		m.received = now
		m.visibleAt = now.Add(o.visibility)
		if durable {
			ops = append(ops, op{kind: opPutReceive, queue: q.name, key: seqKey(m.Seq), value: receiveState{m.ReceiveCount, m.FirstReceive}.encode()})
		}
		out = append(out, delivery{m: m, seq: m.Seq, receipt: m.receipt, receiveCount: m.ReceiveCount, firstReceive: m.FirstReceive, deadLetterSource: m.DeadLetterSource})
		return true
	}
	if o.attemptID != "" {
		if replay := q.replayAttempt(o.attemptID, now, o.visibility); replay != nil {
			q.mu.Unlock()
			return replay, nil, time.Time{}, nil
		}
	}
	if !q.fifo {
		var held []*message
		for len(out) < o.max && len(q.ready) > 0 && !q.ready[0].visibleAt.After(now) {
			m := heap.Pop(&q.ready).(*message)
			if take(m) {
				held = append(held, m)
			} else {
				delete(q.byID, m.ID)
			}
		}
		for _, m := range held {
			heap.Push(&q.ready, m)
		}
	} else {
		s.receiveFIFO(q, o, now, take)
		if o.attemptID != "" && len(out) > 0 {
			q.rememberAttempt(o.attemptID, out, now)
		}
	}
	changed := q.changed
	next := q.nextChange(now)
	q.mu.Unlock()
	if len(ops) > 0 && durable {
		// Receive state is journalled without waiting: a lost update only
		// makes a message visible again with a lower receive count, which
		// at-least-once delivery allows.
		if len(moves) > 0 {
			// A dead-letter move is a change to keep: commit it now.
			s.store.write(s.seq.Load(), ops...)
		} else {
			s.store.writeLazy(s.seq.Load(), ops...)
		}
	}
	s.deliverMoves(moves, now)
	return out, changed, next, nil
}

// receiveFIFO takes messages in order from groups that have nothing in
// flight, filling the batch from one group before moving to the next.
func (s *Server) receiveFIFO(q *queue, o receiveOptions, now time.Time, take func(*message) bool) {
	delivered := 0
	for _, g := range append([]*fifoGroup(nil), q.order...) {
		if len(g.msgs) == 0 {
			continue
		}
		locked := false
		for _, m := range g.msgs {
			if m.receipt == "" {
				break
			}
			if m.inFlight(now) {
				locked = true
				break
			}
		}
		if locked {
			continue
		}
		// take may remove the message from g.msgs (expired, or moved to
		// the dead-letter queue); then the next one slides into place.
		for i := 0; i < len(g.msgs); {
			m := g.msgs[i]
			if m.visibleAt.After(now) {
				break
			}
			if !take(m) {
				if i < len(g.msgs) && g.msgs[i] == m {
					i++
				}
				continue
			}
			i++
			if delivered++; delivered >= o.max {
				return
			}
		}
	}
}
