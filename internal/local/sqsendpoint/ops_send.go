// Send operations: SendMessage and SendMessageBatch, from validation
// to the FIFO deduplication window.

package sqsendpoint

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sqsgate/sqsgate/internal/sqsmsg"
	"github.com/sqsgate/sqsgate/internal/uuid"
)

func (s *Server) opSendMessage(c *call) (any, error) {
	var in sendMessageInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	// AWS checks the parameters before it resolves the queue.
	checked, err := in.check()
	if err != nil {
		return nil, err
	}
	q, err := s.resolveQueue(c, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	out, serr := s.send(q, checked)
	if serr != nil {
		return nil, serr
	}
	return &out, nil
}

func (s *Server) opSendMessageBatch(c *call) (any, error) {
	var in sendMessageBatchInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if err := checkSendBatch(in.Entries); err != nil {
		return nil, err
	}
	q, err := s.resolveQueue(c, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	return s.sendMessageBatch(q, in.Entries)
}

// checkedMessage is a message whose queue-independent parameters passed,
// with its attributes converted.
type checkedMessage struct {
	in     *messageInput
	attrs  map[string]sqsmsg.Attribute
	system map[string]sqsmsg.Attribute
}

// check validates what does not depend on the queue, in the order and
// with the messages SQS uses.
func (r *messageInput) check() (checkedMessage, *Error) {
	if r.MessageBody == "" {
		return checkedMessage{}, errMissingParameter("MessageBody")
	}
	if err := sqsmsg.ValidateBody(r.MessageBody); err != nil {
		return checkedMessage{}, errInvalidMessageContents("Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF")
	}
	attrs, err := toAttributes(r.MessageAttributes)
	if err != nil {
		return checkedMessage{}, err
	}
	system, err := toSystemAttributes(r.MessageSystemAttributes)
	if err != nil {
		return checkedMessage{}, err
	}
	if d := r.DelaySeconds; d != nil && (*d < 0 || *d > 900) {
		return checkedMessage{}, errInvalidParameterValue("Value %d for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.", *d)
	}
	for _, id := range []struct{ name, value string }{{"MessageDeduplicationId", r.MessageDeduplicationId}, {"MessageGroupId", r.MessageGroupId}} {
		if id.value != "" && sqsmsg.ValidateFIFOID(id.value) != nil {
			return checkedMessage{}, errInvalidFIFOID(id.name, id.value)
		}
	}
	return checkedMessage{in: r, attrs: attrs, system: system}, nil
}

// sendMessage checks and sends one message.
func (s *Server) sendMessage(q *queue, r messageInput) (sendMessageOutput, error) {
	checked, err := r.check()
	if err != nil {
		return sendMessageOutput{}, err
	}
	return s.send(q, checked)
}

func (s *Server) send(q *queue, checked checkedMessage) (sendMessageOutput, error) {
	now := s.now()
	q.mu.Lock()
	if err := q.checkFIFOParameters(checked.in); err != nil {
		q.mu.Unlock()
		return sendMessageOutput{}, err
	}
	m, err := s.prepare(q, checked, now, false)
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

// checkSendBatch applies what SQS refuses for a whole SendMessageBatch
// before looking at its queue: the batch rules and the 1 MiB total.
func checkSendBatch(entries []sendMessageBatchEntry) *Error {
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
	if err := checkBatch("SendMessageBatchRequestEntry", ids); err != nil {
		return err
	}
	if total > sqsmsg.MaxBatchBytes {
		return errBatchRequestTooLong(total)
	}
	return nil
}

func (s *Server) sendMessageBatch(q *queue, entries []sendMessageBatchEntry) (*sendMessageBatchOutput, error) {
	now := s.now()
	out := &sendMessageBatchOutput{Successful: []sendMessageBatchResultEntry{}, Failed: []batchResultErrorEntry{}}
	var prepared []*message
	var preparedIDs []string
	q.mu.Lock()
	// A FIFO entry without its group or deduplication id fails the whole
	// request, as on SQS; other problems fail only their entry.
	for i := range entries {
		if err := q.checkFIFOParameters(&entries[i].messageInput); err != nil {
			q.mu.Unlock()
			if err.Code == "MissingParameter" {
				// In a batch SQS reports the missing group id as an invalid
				// value, with the same message.
				err = errInvalidParameterValue("%s", err.Message)
			}
			return nil, err
		}
	}
	for i := range entries {
		e := &entries[i]
		checked, err := e.check()
		var m *message
		if err == nil {
			m, err = s.prepare(q, checked, now, true)
		}
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

// checkFIFOParameters applies the queue type's rules for MessageGroupId
// and MessageDeduplicationId. Callers hold q.mu.
func (q *queue) checkFIFOParameters(r *messageInput) *Error {
	if !q.fifo {
		// Standard queues take MessageGroupId since fair queues (2025);
		// MessageDeduplicationId has no meaning on them.
		if r.MessageDeduplicationId != "" {
			return errInvalidParameterValue("Value %s for parameter MessageDeduplicationId is invalid. Reason: The request include parameter that is not valid for this queue type.", r.MessageDeduplicationId)
		}
		return nil
	}
	if r.MessageGroupId == "" {
		return errMissingParameter("MessageGroupId")
	}
	if r.MessageDeduplicationId == "" && !q.cfg.contentDedup {
		return errInvalidParameterValue("The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
	}
	return nil
}

// prepare validates one checked message against its queue and builds it.
// Callers hold q.mu (the queue's config is read).
func (s *Server) prepare(q *queue, checked checkedMessage, now time.Time, inBatch bool) (*message, *Error) {
	r := checked.in
	if size := sqsmsg.MessageSize(r.MessageBody, checked.attrs); size > q.cfg.maxMessageBytes {
		if inBatch {
			return nil, errInvalidParameterValue("One or more parameters cannot be validated. Reason: Message must be shorter than %d bytes.", q.cfg.maxMessageBytes)
		}
		return nil, errInvalidParameterValue("One or more parameters are invalid. Reason: Message must be shorter than %d bytes.", q.cfg.maxMessageBytes)
	}
	delay := q.cfg.delay
	if r.DelaySeconds != nil {
		// On FIFO queues the delay is the queue's: an explicit 0 is
		// accepted and changes nothing, any other value is refused.
		if q.fifo && *r.DelaySeconds != 0 {
			return nil, errInvalidParameterValue("Value %d for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.", *r.DelaySeconds)
		}
		if !q.fifo {
			delay = time.Duration(*r.DelaySeconds) * time.Second
		}
	}
	m := &message{
		ID: uuid.New(), Body: r.MessageBody, Attributes: checked.attrs, SystemAttributes: checked.system,
		Sent: now.UnixMilli(), GroupID: r.MessageGroupId, DedupID: r.MessageDeduplicationId, index: -1,
	}
	if q.fifo && m.DedupID == "" {
		sum := sha256.Sum256([]byte(r.MessageBody))
		m.DedupID = hex.EncodeToString(sum[:])
	}
	m.visibleAt = now.Add(delay)
	if delay > 0 {
		m.DelayUntil = m.visibleAt.UnixMilli()
	}
	m.digest()
	return m, nil
}

// toAttributes converts wire attributes and validates them as SQS does,
// with SQS's messages.
func toAttributes(in map[string]attributeValue) (map[string]sqsmsg.Attribute, *Error) {
	if len(in) == 0 {
		return nil, nil
	}
	if len(in) > sqsmsg.MaxAttributes {
		return nil, errInvalidParameterValue("Number of message attributes [%d] exceeds the allowed maximum [%d].", len(in), sqsmsg.MaxAttributes)
	}
	out := make(map[string]sqsmsg.Attribute, len(in))
	for _, name := range sortedAttributeNames(in) {
		v := in[name]
		if sqsmsg.ValidateAttributeName(name) != nil {
			return nil, errInvalidParameterValue("The message attribute name '%s' is invalid. Attribute name can contain A-Z, a-z, 0-9, underscore (_), hyphen (-), and period (.) characters.", truncate(name, 256))
		}
		if len(v.StringListValues) > 0 || len(v.BinaryListValues) > 0 {
			return nil, errInvalidParameterValue("Message attribute list values in SendMessage operation are not supported.")
		}
		if v.DataType == "" {
			return nil, errInvalidParameterValue("The message attribute '%s' must contain non-empty message attribute type.", truncate(name, 256))
		}
		a := sqsmsg.Attribute{DataType: v.DataType, StringValue: v.StringValue, BinaryValue: v.BinaryValue}
		base := sqsmsg.BaseType(v.DataType)
		switch base {
		case "String", "Number":
			if v.StringValue == "" {
				return nil, errInvalidParameterValue("Message (user) attribute '%s' must contain a non-empty value of type '%s'.", truncate(name, 256), base)
			}
		case "Binary":
			if len(v.BinaryValue) == 0 {
				return nil, errInvalidParameterValue("Message (user) attribute '%s' must contain a non-empty value of type 'Binary'.", truncate(name, 256))
			}
		default:
			return nil, errInvalidParameterValue("The message attribute '%s' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.", truncate(name, 256))
		}
		if base == "Number" {
			if _, err := strconv.ParseFloat(strings.TrimSpace(v.StringValue), 64); err != nil {
				return nil, errInvalidParameterValue("Can't cast the value of message (user) attribute '%s' to a number.", truncate(name, 256))
			}
		}
		out[name] = a
	}
	// What remains (invalid characters in a value, an over-long data
	// type) in sqsmsg's words.
	if err := sqsmsg.ValidateAttributes(out); err != nil {
		return nil, errInvalidParameterValue("%s", err.Error())
	}
	return out, nil
}

// sortedAttributeNames orders names so the first invalid attribute
// reported is the same on every run.
func sortedAttributeNames(in map[string]attributeValue) []string {
	names := make([]string, 0, len(in))
	for k := range in {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
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
			ops = append(ops, op{kind: opPutMessage, queue: q.key, key: seqKey(m.Seq), msg: m})
		}
		if q.fifo {
			d := dedupRecord{Key: q.dedupKey(m), MessageID: m.ID, Seq: m.Seq, Expires: now.Add(dedupWindow).UnixMilli()}
			q.dedup[d.Key] = d
			if s.store != nil {
				b, _ := json.Marshal(d)
				ops = append(ops, op{kind: opPutDedup, queue: q.key, key: []byte(d.Key), value: b})
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
				*ops = append(*ops, op{kind: opDeleteDedup, queue: q.key, key: []byte(k)})
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
