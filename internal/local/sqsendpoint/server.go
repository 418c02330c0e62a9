package sqsendpoint

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Options configures a Server.
type Options struct {
	// DataDir holds the durable store; "" keeps everything in memory.
	DataDir string
	// AccountID appears in queue URLs and ARNs; default "000000000000".
	AccountID string
	// Region is where a request whose signature names no region goes,
	// and the region of the queues EnsureQueue declares; default
	// "us-east-1". A request signed for another region (its SigV4
	// credential scope) sees that region's queues, as AWS regions do.
	Region string
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Logger receives operational logs; default discards them.
	Logger *slog.Logger
}

// Server is an SQS-compatible endpoint. It is an http.Handler serving both
// SQS wire protocols on "/".
type Server struct {
	accountID string
	region    string
	now       func() time.Time
	log       *slog.Logger
	store     *store
	seq       atomic.Uint64
	ops       map[string]handler

	queues registry
	// mu serialises changes to the registry and guards what follows. It
	// may be held while taking a queue's lock, never the other way round.
	mu        sync.Mutex
	deletedAt map[string]time.Time
	tasks     []*moveTask

	closing   chan struct{}
	drainOnce sync.Once
	closeOnce sync.Once
}

// New builds a Server and, with a DataDir, restores its queues and messages.
func New(opts Options) (*Server, error) {
	s := &Server{
		accountID: opts.AccountID,
		region:    opts.Region,
		now:       opts.Now,
		log:       opts.Logger,
		deletedAt: map[string]time.Time{},
		closing:   make(chan struct{}),
		ops:       operations(),
	}
	if s.accountID == "" {
		s.accountID = "000000000000"
	}
	if s.region == "" {
		s.region = "us-east-1"
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if opts.DataDir != "" {
		st, err := openStore(opts.DataDir, s.log)
		if err != nil {
			return nil, err
		}
		s.store = st
		if err := s.restore(); err != nil {
			st.close()
			return nil, err
		}
	}
	return s, nil
}

// restore rebuilds memory from the store. Messages that were in flight
// become visible again, as after a visibility timeout: delivery is at least
// once, and a receipt handle issued before the restart is stale.
func (s *Server) restore() error {
	stored, seq, err := s.store.load()
	if err != nil {
		return fmt.Errorf("load sqs store: %w", err)
	}
	now := s.now()
	for key, sq := range stored {
		var meta queueMeta
		if err := json.Unmarshal(sq.meta, &meta); err != nil {
			return fmt.Errorf("load queue %s: %w", key, err)
		}
		region, name := s.splitKey(key)
		q := s.newQueue(region, name, meta.Attributes, meta.Tags, time.UnixMilli(meta.Created))
		q.modified = time.UnixMilli(meta.Modified)
		for _, m := range sq.messages {
			m.visibleAt = now
			if m.ReceiveCount == 0 && m.DelayUntil > now.UnixMilli() {
				m.visibleAt = time.UnixMilli(m.DelayUntil)
			}
			seq = max(seq, m.Seq)
			q.add(m)
		}
		for _, b := range sq.dedup {
			var d dedupRecord
			if err := json.Unmarshal(b, &d); err == nil && d.Expires > now.UnixMilli() {
				q.dedup[d.Key] = d
				seq = max(seq, d.Seq)
			}
		}
		s.queues.put(q.key, q)
	}
	s.seq.Store(seq)
	s.log.Info("sqs store restored", "queues", len(s.queues.all()), "seq", seq)
	return nil
}

// Drain ends every long poll: waiting receives answer at once with the
// messages they have (none), and receives from then on do not wait. Call
// it before shutting the HTTP server down, which otherwise waits for each
// long poll (up to 20 s); the server keeps answering everything else.
func (s *Server) Drain() {
	s.drainOnce.Do(func() { close(s.closing) })
}

// wakeAll makes every waiting receive look at its queue again. Tests
// that move an injected clock call it, since a wait is timed by the
// machine's clock.
func (s *Server) wakeAll() {
	for _, q := range s.queues.all() {
		q.mu.Lock()
		q.notify()
		q.mu.Unlock()
	}
}

// Close drains long polls and closes the store. Pending writes are flushed.
func (s *Server) Close() error {
	s.Drain()
	var err error
	s.closeOnce.Do(func() { err = s.store.close() })
	return err
}

func (s *Server) arn(region, name string) string {
	return "arn:aws:sqs:" + region + ":" + s.accountID + ":" + name
}

// key is how the registry and the store name a queue: its name in the
// default region (so data dirs from before regions keep working), and
// <region>/<name> elsewhere. Queue names cannot contain a slash.
func (s *Server) key(region, name string) string {
	if region == s.region {
		return name
	}
	return region + "/" + name
}

func (s *Server) splitKey(key string) (region, name string) {
	if region, name, ok := strings.Cut(key, "/"); ok {
		return region, name
	}
	return s.region, key
}

// newQueue builds a queue of this server in region.
func (s *Server) newQueue(region, name string, attrs, tags map[string]string, now time.Time) *queue {
	q := newQueue(name, s.arn(region, name), attrs, tags, now)
	q.region, q.key = region, s.key(region, name)
	return q
}

func (s *Server) queueURL(host, name string) string {
	return "http://" + host + "/" + s.accountID + "/" + name
}

// queueNameFromURL accepts what SQS accepts for QueueUrl: a full URL
// whose path ends in /<account>/<name> (whatever its host: ours, AWS's
// sqs.<region>.amazonaws.com, a proxy's), that path alone, or the queue's
// name alone (the API Reference: "Queue URLs and names are
// case-sensitive"; SetQueueAttributes with QueueUrl=<name> is observed to
// work on AWS).
func (s *Server) queueNameFromURL(raw string) (string, *Error) {
	if raw == "" {
		return "", errMissingParameter("QueueUrl")
	}
	path := raw
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		path = u.Path
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case len(parts) == 1 && !strings.Contains(raw, "/") && parts[0] != "":
		return parts[0], nil
	case len(parts) >= 2 && parts[len(parts)-2] == s.accountID && parts[len(parts)-1] != "":
		return parts[len(parts)-1], nil
	}
	return "", errQueueDoesNotExist()
}

// queueIn returns the queue called name in region.
func (s *Server) queueIn(region, name string) (*queue, *Error) {
	q := s.queues.get(s.key(region, name))
	if q == nil {
		return nil, errQueueDoesNotExist()
	}
	return q, nil
}

func (s *Server) queueByURL(region, raw string) (*queue, *Error) {
	name, err := s.queueNameFromURL(raw)
	if err != nil {
		return nil, err
	}
	return s.queueIn(region, name)
}

// queueByARN returns the queue an ARN names if it is one of this
// account's queues in region: dead-letter queues and move tasks stay
// within one account and region, as on AWS.
func (s *Server) queueByARN(region, arn string) *queue {
	name, ok := strings.CutPrefix(arn, s.arn(region, ""))
	if !ok {
		return nil
	}
	q, _ := s.queueIn(region, name)
	return q
}
