package sqsendpoint

import (
	"errors"
	"strconv"
	"strings"
)

// decodeQueueInput decodes the request into in and resolves the queue its
// QueueUrl names (queueURL points into in), falling back to the request
// path for query clients that post to the queue URL itself. Every
// operation on one queue starts this way.
func (s *Server) decodeQueueInput(c *call, in any, queueURL *string) (*queue, *Error) {
	if err := c.decode(in); err != nil {
		return nil, asError(err)
	}
	if *queueURL == "" {
		return s.queueByURL(c.pathQueue)
	}
	return s.queueByURL(*queueURL)
}

func (s *Server) opCreateQueue(c *call) (any, error) {
	var in createQueueInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	q, err := s.createQueue(in.QueueName, in.Attributes, in.Tags)
	if err != nil {
		return nil, err
	}
	return &queueURLOutput{QueueUrl: s.queueURL(c.host, q.name)}, nil
}

func (s *Server) opGetQueueURL(c *call) (any, error) {
	var in getQueueURLInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.QueueName == "" {
		return nil, errMissingParameter("QueueName")
	}
	if in.QueueOwnerAWSAccountId != "" && in.QueueOwnerAWSAccountId != s.accountID {
		return nil, errQueueDoesNotExist()
	}
	q, err := s.queueByName(in.QueueName)
	if err != nil {
		return nil, err
	}
	return &queueURLOutput{QueueUrl: s.queueURL(c.host, q.name)}, nil
}

func (s *Server) opListQueues(c *call) (any, error) {
	var in listQueuesInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	names, next, err := s.listQueues(in.QueueNamePrefix, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	out := &listQueuesOutput{NextToken: next}
	for _, n := range names {
		out.QueueUrls = append(out.QueueUrls, s.queueURL(c.host, n))
	}
	return out, nil
}

func (s *Server) opGetQueueAttributes(c *call) (any, error) {
	var in getQueueAttributesInput
	q, err := s.decodeQueueInput(c, &in, &in.QueueUrl)
	if err != nil {
		return nil, err
	}
	attrs, err := s.getQueueAttributes(q, in.AttributeNames)
	if err != nil {
		return nil, err
	}
	return &attributesOutput{Attributes: attrs}, nil
}

func (s *Server) opSetQueueAttributes(c *call) (any, error) {
	var in setQueueAttributesInput
	q, err := s.decodeQueueInput(c, &in, &in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if len(in.Attributes) == 0 {
		return nil, errMissingParameter("Attributes")
	}
	return nil, s.setQueueAttributes(q, in.Attributes)
}

func (s *Server) opDeleteQueue(c *call) (any, error) {
	var in queueURLInput
	q, err := s.decodeQueueInput(c, &in, &in.QueueUrl)
	if err != nil {
		return nil, err
	}
	return nil, s.deleteQueue(q)
}

func (s *Server) opPurgeQueue(c *call) (any, error) {
	var in queueURLInput
	q, err := s.decodeQueueInput(c, &in, &in.QueueUrl)
	if err != nil {
		return nil, err
	}
	return nil, s.purgeQueue(q)
}

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

func (s *Server) opReceiveMessage(c *call) (any, error) {
	var in receiveMessageInput
	q, err := s.decodeQueueInput(c, &in, &in.QueueUrl)
	if err != nil {
		return nil, err
	}
	o, err := s.receiveOptions(q, &in)
	if err != nil {
		return nil, err
	}
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
	selected := map[string]attributeValue{}
	for name, a := range m.Attributes {
		if attributeWanted(name, names) {
			selected[name] = attributeValue{DataType: a.DataType, StringValue: a.StringValue, BinaryValue: a.BinaryValue}
		}
	}
	if len(selected) > 0 {
		out.MessageAttributes = selected
	}
	// SQS returns the digest of all the message's attributes whichever
	// were selected.
	out.MD5OfMessageAttributes = m.md5Attrs
	return out, nil
}

// attributeWanted applies MessageAttributeNames: "All" or ".*" select
// every attribute, "prefix.*" those starting with prefix.
func attributeWanted(name string, names []string) bool {
	for _, n := range names {
		if n == "All" || n == ".*" || n == name {
			return true
		}
		if p, ok := strings.CutSuffix(n, ".*"); ok && strings.HasPrefix(name, p+".") {
			return true
		}
	}
	return false
}

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

func (s *Server) opListDeadLetterSourceQueues(c *call) (any, error) {
	var in listDeadLetterSourceQueuesInput
	q, err := s.decodeQueueInput(c, &in, &in.QueueUrl)
	if err != nil {
		return nil, err
	}
	names, next, err := s.deadLetterSources(q, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	out := &listDeadLetterSourceQueuesOutput{QueueUrls: []string{}, NextToken: next}
	for _, n := range names {
		out.QueueUrls = append(out.QueueUrls, s.queueURL(c.host, n))
	}
	return out, nil
}

func (s *Server) opTagQueue(c *call) (any, error) {
	var in tagQueueInput
	q, err := s.decodeQueueInput(c, &in, &in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if len(in.Tags) == 0 {
		return nil, errMissingParameter("Tags")
	}
	return nil, s.tagQueue(q, in.Tags)
}

func (s *Server) opUntagQueue(c *call) (any, error) {
	var in untagQueueInput
	q, err := s.decodeQueueInput(c, &in, &in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if len(in.TagKeys) == 0 {
		return nil, errMissingParameter("TagKeys")
	}
	return nil, s.untagQueue(q, in.TagKeys)
}

func (s *Server) opListQueueTags(c *call) (any, error) {
	var in queueURLInput
	q, err := s.decodeQueueInput(c, &in, &in.QueueUrl)
	if err != nil {
		return nil, err
	}
	return &listQueueTagsOutput{Tags: s.listQueueTags(q)}, nil
}

func (s *Server) opStartMessageMoveTask(c *call) (any, error) {
	var in startMessageMoveTaskInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	handle, err := s.startMessageMoveTask(&in)
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
	results, err := s.listMessageMoveTasks(&in)
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
