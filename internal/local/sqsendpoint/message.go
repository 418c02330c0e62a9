package sqsendpoint

import (
	"container/heap"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/sqsgate/sqsgate/internal/sqsmsg"
)

// message is one message in a queue. Exported fields are persisted;
// the rest is runtime state rebuilt on load.
type message struct {
	ID               string                      `json:"id"`
	Body             string                      `json:"body,omitempty"` // "" once a durable store holds it (blob)
	Attributes       map[string]sqsmsg.Attribute `json:"attributes,omitempty"`
	SystemAttributes map[string]sqsmsg.Attribute `json:"systemAttributes,omitempty"`
	Seq              uint64                      `json:"seq"`
	Sent             int64                       `json:"sent"`
	DelayUntil       int64                       `json:"delayUntil,omitempty"`
	ReceiveCount     int                         `json:"receiveCount,omitempty"`
	FirstReceive     int64                       `json:"firstReceive,omitempty"`
	GroupID          string                      `json:"groupId,omitempty"`
	DedupID          string                      `json:"dedupId,omitempty"`
	DeadLetterSource string                      `json:"deadLetterSource,omitempty"`

	md5Body   string
	md5Attrs  string
	visibleAt time.Time
	receipt   string    // current receipt handle; "" when not received since load
	received  time.Time // when the current receipt was issued
	index     int       // position in the standard queue's heap
	blob      *blob     // the body in a durable store; nil in memory
}

// body is the message's body, read from the durable store if it holds it.
func (s *Server) body(m *message) (string, error) {
	if m.blob == nil {
		return m.Body, nil
	}
	return s.store.readBody(m.blob)
}

func (m *message) digest() {
	m.md5Body = sqsmsg.MD5OfBody(m.Body)
	m.md5Attrs = sqsmsg.MD5OfAttributes(m.Attributes)
}

func (m *message) sequenceNumber() string { return sequenceNumber(m.Seq) }

// sequenceNumber formats a sequence as SQS does: a large decimal string,
// zero-padded here so that string order is numeric order.
func sequenceNumber(seq uint64) string { return fmt.Sprintf("%020d", seq) }

// inFlight reports whether a consumer holds the message at now.
func (m *message) inFlight(now time.Time) bool {
	return m.receipt != "" && m.visibleAt.After(now)
}

// messageHeap orders a standard queue's messages by when they become
// visible, then by sequence, so a receive pops the oldest visible first.
type messageHeap []*message

func (h messageHeap) Len() int { return len(h) }
func (h messageHeap) Less(i, j int) bool {
	if !h[i].visibleAt.Equal(h[j].visibleAt) {
		return h[i].visibleAt.Before(h[j].visibleAt)
	}
	return h[i].Seq < h[j].Seq
}
func (h messageHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *messageHeap) Push(x any) {
	m := x.(*message)
	m.index = len(*h)
	*h = append(*h, m)
}
func (h *messageHeap) Pop() any {
	old := *h
	m := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	m.index = -1
	return m
}

// add puts m into q's indexes. Callers hold q.mu.
func (q *queue) add(m *message) {
	q.byID[m.ID] = m
	if !q.fifo {
		heap.Push(&q.ready, m)
		return
	}
	g := q.groups[m.GroupID]
	if g == nil {
		g = &fifoGroup{id: m.GroupID}
		q.groups[m.GroupID] = g
		q.order = append(q.order, g)
	}
	// Messages arrive in sequence order except when redriven; keep the
	// group sorted either way.
	i := len(g.msgs)
	for i > 0 && g.msgs[i-1].Seq > m.Seq {
		i--
	}
	g.msgs = append(g.msgs, nil)
	copy(g.msgs[i+1:], g.msgs[i:])
	g.msgs[i] = m
}

// remove takes m out of q's indexes. Callers hold q.mu.
func (q *queue) remove(m *message) {
	delete(q.byID, m.ID)
	if !q.fifo {
		if m.index >= 0 && m.index < len(q.ready) && q.ready[m.index] == m {
			heap.Remove(&q.ready, m.index)
		}
		return
	}
	g := q.groups[m.GroupID]
	if g == nil {
		return
	}
	for i, x := range g.msgs {
		if x != m {
			continue
		}
		if i == 0 {
			// The usual case, a delete of the group's head: no copying.
			g.msgs[0] = nil
			g.msgs = g.msgs[1:]
		} else {
			g.msgs = append(g.msgs[:i], g.msgs[i+1:]...)
		}
		break
	}
	if len(g.msgs) == 0 {
		delete(q.groups, m.GroupID)
		for i, x := range q.order {
			if x == g {
				q.order = append(q.order[:i], q.order[i+1:]...)
				break
			}
		}
	}
}

// setVisibleAt moves m in the heap after its visibility changed.
func (q *queue) setVisibleAt(m *message, t time.Time) {
	m.visibleAt = t
	if !q.fifo && m.index >= 0 && m.index < len(q.ready) && q.ready[m.index] == m {
		heap.Fix(&q.ready, m.index)
	}
}

// expired reports whether the retention period has passed for m.
func (q *queue) expired(m *message, now time.Time) bool {
	return now.UnixMilli()-m.Sent >= q.cfg.retention.Milliseconds()
}

// counts gives ApproximateNumberOfMessages, ...NotVisible and ...Delayed.
func (q *queue) counts(now time.Time) (visible, notVisible, delayed int) {
	for _, m := range q.byID {
		switch {
		case q.expired(m, now):
		case !m.visibleAt.After(now):
			visible++
		case m.receipt != "":
			notVisible++
		default:
			delayed++
		}
	}
	return
}

// nextChange is the earliest time after now at which a message may become
// receivable, or the zero time if none will without a new event.
func (q *queue) nextChange(now time.Time) time.Time {
	var next time.Time
	consider := func(t time.Time) {
		if t.After(now) && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	if !q.fifo {
		if len(q.ready) > 0 {
			consider(q.ready[0].visibleAt)
		}
		return next
	}
	for _, g := range q.order {
		for _, m := range g.msgs {
			consider(m.visibleAt)
			if m.receipt == "" {
				break
			}
		}
	}
	return next
}

// Receipt handles name the queue, the message and one receive, so a handle
// from an earlier receive is recognisably stale.
func newReceiptHandle(queue, messageID string) string {
	var nonce [12]byte
	_, _ = rand.Read(nonce[:])
	return base64.RawURLEncoding.EncodeToString([]byte(queue + "\x00" + messageID + "\x00" + hex.EncodeToString(nonce[:])))
}

func parseReceiptHandle(handle string) (queue, messageID string, ok bool) {
	raw, err := base64.RawURLEncoding.DecodeString(handle)
	if err != nil {
		return "", "", false
	}
	parts := strings.Split(string(raw), "\x00")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || len(parts[2]) != 24 {
		return "", "", false
	}
	return parts[0], parts[1], true
}
