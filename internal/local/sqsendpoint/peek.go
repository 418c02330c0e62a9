package sqsendpoint

import (
	"errors"
	"sort"
	"time"
)

// PeekedMessage is a message as the local console shows it: read from the
// store without receiving it, so its receive count, visibility and receipt
// handle stay as they were.
type PeekedMessage struct {
	MessageID    string            `json:"messageId"`
	Body         string            `json:"body"`
	Attributes   map[string]string `json:"attributes,omitempty"` // message attributes' string values
	SentAt       time.Time         `json:"sentAt"`
	ReceiveCount int               `json:"receiveCount"`
	// State is "visible", "in_flight" or "delayed".
	State string `json:"state"`
	// DeadLetterSourceARN is the queue a dead-lettered message came from.
	DeadLetterSourceARN string `json:"deadLetterSourceArn,omitempty"`
	GroupID             string `json:"groupId,omitempty"`
}

// Peek returns up to max of the named queue's messages, oldest first,
// without changing any of them (ReceiveMessage would count a receive, hide
// the message and move it to the DLQ after maxReceiveCount). ok is false
// when the queue does not exist.
func (s *Server) Peek(queueName string, max int) (msgs []PeekedMessage, ok bool) {
	q := s.queues.get(queueName)
	if q == nil {
		return nil, false
	}
	now := s.now()
	q.mu.Lock()
	if q.deleted {
		q.mu.Unlock()
		return nil, false
	}
	all := make([]*message, 0, len(q.byID))
	for _, m := range q.byID {
		if !q.expired(m, now) {
			all = append(all, m)
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Seq < all[j].Seq })
	if max >= 0 && len(all) > max {
		all = all[:max]
	}
	msgs = make([]PeekedMessage, 0, len(all))
	for _, m := range all {
		p := PeekedMessage{
			MessageID:           m.ID,
			SentAt:              time.UnixMilli(m.Sent).UTC(),
			ReceiveCount:        m.ReceiveCount,
			State:               "visible",
			DeadLetterSourceARN: m.DeadLetterSource,
			GroupID:             m.GroupID,
		}
		switch {
		case !m.visibleAt.After(now):
		case m.receipt != "":
			p.State = "in_flight"
		default:
			p.State = "delayed"
		}
		for k, a := range m.Attributes {
			if p.Attributes == nil {
				p.Attributes = map[string]string{}
			}
			p.Attributes[k] = a.StringValue
		}
		msgs = append(msgs, p)
	}
	q.mu.Unlock()
	// Bodies are read outside the queue's lock: with a data dir they come
	// from disk, and the fields read here were fixed at send time.
	kept := msgs[:0]
	for i, m := range all {
		body, err := s.body(m)
		if errors.Is(err, errBodyGone) {
			continue // deleted and compacted away since the lock was released
		}
		if err != nil {
			s.log.Error("sqs peek: read body failed", "queue", queueName, "message_id", m.ID, "err", err)
			continue
		}
		msgs[i].Body = body
		kept = append(kept, msgs[i])
	}
	return kept, true
}
