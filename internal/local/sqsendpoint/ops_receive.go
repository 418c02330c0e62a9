// Receive: ReceiveMessage, its long poll, one pass over a queue, FIFO
// receive attempts, and how a delivery is rendered.

package sqsendpoint

import (
	"container/heap"
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/sqsgate/sqsgate/internal/sqsmsg"
)

func (s *Server) opReceiveMessage(c *call) (any, error) {
	var in receiveMessageInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	// AWS checks the parameters before it resolves the queue.
	if err := in.check(); err != nil {
		return nil, err
	}
	q, err := s.resolveQueue(c, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	o := s.receiveOptions(q, &in)
	got, rerr := s.receive(c.r.Context(), q, o)
	if rerr != nil {
		return nil, rerr
	}
	system := append(append([]string(nil), in.AttributeNames...), in.MessageSystemAttributeNames...)
	out := &receiveMessageOutput{}
	for _, d := range got {
		m, err := s.received(q, d, system, in.MessageAttributeNames)
		if errors.Is(err, errBodyGone) {
			continue // deleted by another consumer since this receive
		}
		if err != nil {
			return nil, s.storeFailed(err)
		}
		out.Messages = append(out.Messages, m)
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

// check validates ReceiveMessage's ranges, with SQS's messages.
func (in *receiveMessageInput) check() *Error {
	if n := in.MaxNumberOfMessages; n != nil && (*n < 1 || *n > 10) {
		return errInvalidParameterValue("Value %d for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.", *n)
	}
	if n := in.VisibilityTimeout; n != nil && (*n < 0 || *n > 43200) {
		return errInvalidParameterValue("Value %d for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, if provided.", *n)
	}
	if n := in.WaitTimeSeconds; n != nil && (*n < 0 || *n > 20) {
		return errInvalidParameterValue("Value %d for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.", *n)
	}
	return nil
}

// receiveOptions applies checked parameters over the queue's defaults.
func (s *Server) receiveOptions(q *queue, in *receiveMessageInput) receiveOptions {
	q.mu.Lock()
	o := receiveOptions{max: 1, visibility: q.cfg.visibility, wait: q.cfg.wait}
	q.mu.Unlock()
	if in.MaxNumberOfMessages != nil {
		o.max = *in.MaxNumberOfMessages
	}
	if in.VisibilityTimeout != nil {
		o.visibility = time.Duration(*in.VisibilityTimeout) * time.Second
	}
	if in.WaitTimeSeconds != nil {
		o.wait = time.Duration(*in.WaitTimeSeconds) * time.Second
	}
	if q.fifo {
		o.attemptID = in.ReceiveRequestAttemptId
	}
	return o
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
// timer for the next visibility change, never by sleeping in a loop; the
// end of the request or of the server ends the wait with no messages.
func (s *Server) receive(ctx context.Context, q *queue, o receiveOptions) ([]delivery, error) {
	deadline := s.now().Add(o.wait)
	for {
		now := s.now()
		r := s.receiveOnce(q, o, now)
		if r.err != nil {
			return nil, r.err
		}
		if len(r.deliveries) > 0 || !now.Before(deadline) {
			return r.deliveries, nil
		}
		wake := deadline
		if !r.next.IsZero() && r.next.Before(wake) {
			wake = r.next
		}
		if s.log.Enabled(ctx, slog.LevelDebug) {
			// An event tests and users can watch for: a receive is waiting.
			s.log.Debug("sqs receive waiting", "queue", q.name, "wait_ms", wake.Sub(now).Milliseconds())
		}
		if !s.waitForChange(ctx, r.changed, wake.Sub(now)) {
			return nil, nil
		}
	}
}

// waitForChange waits until changed is closed or d has passed. It reports
// false when the request or the server ended first.
func (s *Server) waitForChange(ctx context.Context, changed <-chan struct{}, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-changed:
	case <-timer.C:
	case <-ctx.Done():
		return false
	case <-s.closing:
		return false
	}
	return true
}

// receivePass is what one receive over a queue found.
type receivePass struct {
	deliveries []delivery
	// changed is closed when a message may have become receivable.
	changed <-chan struct{}
	// next is when a message becomes visible without any new event; zero
	// if none will.
	next time.Time
	err  *Error
}

// receiveOnce is one receive over q, under one hold of its lock: it takes
// up to o.max receivable messages, drops those past retention and moves
// those past maxReceiveCount to the dead-letter queue, then journals what
// changed.
func (s *Server) receiveOnce(q *queue, o receiveOptions, now time.Time) receivePass {
	q.mu.Lock()
	if q.deleted {
		q.mu.Unlock()
		return receivePass{err: errQueueDoesNotExist()}
	}
	if o.attemptID != "" {
		if replay := q.replayAttempt(o.attemptID, now, o.visibility); replay != nil {
			q.mu.Unlock()
			return receivePass{deliveries: replay}
		}
	}
	p := &pass{s: s, q: q, now: now, visibility: o.visibility, durable: s.store != nil}
	if r := q.cfg.redrive; r != nil {
		// The registry is read without a lock, so the dead-letter queue is
		// resolved here, under q's lock, against the policy in force.
		if dlq := s.queueByARN(q.region, r.DeadLetterTargetArn); dlq != nil && dlq != q {
			p.dlq, p.maxReceives = dlq, r.MaxReceiveCount
		}
	}
	if q.fifo {
		p.takeFIFO(o.max)
		if o.attemptID != "" && len(p.deliveries) > 0 {
			q.rememberAttempt(o.attemptID, p.deliveries, now)
		}
	} else {
		p.takeStandard(o.max)
	}
	out := receivePass{deliveries: p.deliveries, changed: q.changed, next: q.nextChange(now)}
	q.mu.Unlock()
	if len(p.journal) > 0 {
		if len(p.moves) > 0 {
			// A dead-letter move is a change to keep: commit it now.
			s.store.write(s.seq.Load(), p.journal...)
		} else {
			// Receive state is journalled without waiting: a lost update
			// only makes a message visible again with a lower receive
			// count, which at-least-once delivery allows.
			s.store.writeLazy(s.seq.Load(), p.journal...)
		}
	}
	s.deliverMoves(p.moves, now)
	return out
}

// pass is the work of one receiveOnce while the queue's lock is held.
type pass struct {
	s           *Server
	q           *queue
	now         time.Time
	visibility  time.Duration
	dlq         *queue // where messages past maxReceives go; nil: nowhere
	maxReceives int
	durable     bool // journal the changes

	deliveries []delivery
	moves      []moved
	journal    []op
}

// take handles one receivable candidate and reports whether it was
// delivered; if not, it left the queue (expired or dead-lettered).
func (p *pass) take(m *message) bool {
	q := p.q
	if q.expired(m, p.now) {
		q.remove(m)
		if p.durable {
			p.journal = append(p.journal, op{kind: opDeleteMessage, queue: q.key, key: seqKey(m.Seq)})
		}
		return false
	}
	if p.dlq != nil && m.ReceiveCount >= p.maxReceives {
		mv, ops := p.s.moveOut(m, q, p.dlq, true)
		p.moves = append(p.moves, mv)
		if p.durable {
			p.journal = append(p.journal, ops...)
		}
		return false
	}
	m.ReceiveCount++
	if m.FirstReceive == 0 {
		m.FirstReceive = p.now.UnixMilli()
	}
	m.receipt = newReceiptHandle(q.arn, m.ID)
	m.received = p.now
	m.visibleAt = p.now.Add(p.visibility)
	if p.durable {
		p.journal = append(p.journal, op{kind: opPutReceive, queue: q.key, key: seqKey(m.Seq), value: receiveState{m.ReceiveCount, m.FirstReceive}.encode()})
	}
	p.deliveries = append(p.deliveries, delivery{m: m, seq: m.Seq, receipt: m.receipt, receiveCount: m.ReceiveCount, firstReceive: m.FirstReceive, deadLetterSource: m.DeadLetterSource})
	return true
}

// takeStandard pops the earliest visible messages of a standard queue;
// the delivered ones go back into the heap at their new visibility.
func (p *pass) takeStandard(max int) {
	q := p.q
	var held []*message
	for len(held) < max && len(q.ready) > 0 && !q.ready[0].visibleAt.After(p.now) {
		m := heap.Pop(&q.ready).(*message)
		if p.take(m) {
			held = append(held, m)
		}
	}
	for _, m := range held {
		heap.Push(&q.ready, m)
	}
}

// takeFIFO takes messages in order from groups that have nothing in
// flight, filling the batch from one group before moving to the next.
func (p *pass) takeFIFO(max int) {
	q := p.q
	for _, g := range append([]*fifoGroup(nil), q.order...) {
		if g.locked(p.now) {
			continue
		}
		// take may remove the message from g.msgs (expired, or moved to
		// the dead-letter queue); then the next one slides into place.
		for i := 0; i < len(g.msgs); {
			m := g.msgs[i]
			if m.visibleAt.After(p.now) {
				break
			}
			if !p.take(m) {
				if i < len(g.msgs) && g.msgs[i] == m {
					i++
				}
				continue
			}
			i++
			if len(p.deliveries) >= max {
				return
			}
		}
	}
}

// locked reports whether a message of the group is in flight, which holds
// the whole group back.
func (g *fifoGroup) locked(now time.Time) bool {
	for _, m := range g.msgs {
		if m.receipt == "" {
			return false
		}
		if m.inFlight(now) {
			return true
		}
	}
	return false
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

// received renders one delivery with the attributes the caller asked for.
// It reads only message fields fixed at send time; the rest was copied
// into the delivery under the queue lock.
func (s *Server) received(q *queue, d delivery, system, names []string) (receivedMessage, error) {
	m := d.m
	body, err := s.body(m)
	if err != nil {
		return receivedMessage{}, err
	}
	out := receivedMessage{MessageId: m.ID, ReceiptHandle: d.receipt, MD5OfBody: m.md5Body, Body: body}
	all := map[string]string{
		"SenderId":                         s.accountID,
		"SentTimestamp":                    strconv.FormatInt(m.Sent, 10),
		"ApproximateReceiveCount":          strconv.Itoa(d.receiveCount),
		"ApproximateFirstReceiveTimestamp": strconv.FormatInt(d.firstReceive, 10),
	}
	if m.GroupID != "" {
		all["MessageGroupId"] = m.GroupID
	}
	if q.fifo {
		all["MessageDeduplicationId"] = m.DedupID
		all["SequenceNumber"] = sequenceNumber(d.seq)
	}
	if a, ok := m.SystemAttributes["AWSTraceHeader"]; ok {
		all["AWSTraceHeader"] = a.StringValue
	}
	if d.deadLetterSource != "" {
		all["DeadLetterQueueSourceArn"] = d.deadLetterSource
	}
	for _, n := range system {
		if n == "All" {
			out.Attributes = all
			break
		}
		if v, ok := all[n]; ok {
			if out.Attributes == nil {
				out.Attributes = nameValueMap{}
			}
			out.Attributes[n] = v
		}
	}
	var selected map[string]sqsmsg.Attribute
	for name, a := range m.Attributes {
		if attributeWanted(name, names) {
			if selected == nil {
				selected = map[string]sqsmsg.Attribute{}
			}
			selected[name] = a
		}
	}
	if len(selected) == 0 {
		return out, nil
	}
	out.MessageAttributes = make(messageAttributeMap, len(selected))
	for name, a := range selected {
		out.MessageAttributes[name] = attributeValue{DataType: a.DataType, StringValue: a.StringValue, BinaryValue: a.BinaryValue}
	}
	// SQS digests the attributes it returns, so a receive that selects
	// some gets the digest of those (the CLI reference's receive-message
	// examples show two digests for one message), and one that selects
	// none gets no digest.
	if len(selected) == len(m.Attributes) {
		out.MD5OfMessageAttributes = m.md5Attrs
	} else {
		out.MD5OfMessageAttributes = sqsmsg.MD5OfAttributes(selected)
	}
	return out, nil
}

// attributeWanted applies MessageAttributeNames as SQS does (API
// Reference, ReceiveMessage, MessageAttributeNames; the prefix rule as
// AWS answers it in LocalStack's AWS-validated
// test_receive_message_message_attribute_names_filters): "All", ".*" and
// "*" select every attribute, "<prefix>.*" those whose name starts with
// <prefix> ("Hel.*" selects Hello and Help.Me), any other name only
// itself.
func attributeWanted(name string, names []string) bool {
	for _, n := range names {
		if n == "All" || n == ".*" || n == "*" || n == name {
			return true
		}
		if p, ok := strings.CutSuffix(n, ".*"); ok && strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}
