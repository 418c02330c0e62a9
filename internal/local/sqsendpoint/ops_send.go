// Send operations: SendMessage and SendMessageBatch, from validation
// to the FIFO deduplication window.

package sqsendpoint

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/sqsgate/sqsgate/internal/sqsmsg"
	"github.com/sqsgate/sqsgate/internal/uuid"
)

func (s *Server) opSendMessage(c *call) (any, error) {
	var in sendMessageInput
	q, err := s.decodeQueueInput(c, &in, &in.QueueUrl)
	if err != nil {
		return nil, err
	}
	out, serr := s.sendMessage(q, in.messageInput)
	if serr != nil {
		return nil, serr
	}
	return &out, nil
}

func (s *Server) opSendMessageBatch(c *call) (any, error) {
	var in sendMessageBatchInput
	q, err := s.decodeQueueInput(c, &in, &in.QueueUrl)
	if err != nil {
		return nil, err
	}
	return s.sendMessageBatch(q, in.Entries)
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
