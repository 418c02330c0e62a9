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
	// Region appears in ARNs; default "us-east-1".
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
		st, err := openStore(opts.DataDir)
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
	for name, sq := range stored {
		var meta queueMeta
		if err := json.Unmarshal(sq.meta, &meta); err != nil {
			return fmt.Errorf("load queue %s: %w", name, err)
		}
		q := newQueue(name, s.arn(name), meta.Attributes, meta.Tags, time.UnixMilli(meta.Created))
		q.modified = time.UnixMilli(meta.Modified)
		for _, b := range sq.messages {
			m, err := decodeMessage(b)
			if err != nil {
				return fmt.Errorf("load message in queue %s: %w", name, err)
			}
			if r, ok := sq.receives[m.Seq]; ok {
				m.ReceiveCount, m.FirstReceive = r.count, r.first
			}
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
		s.queues.put(name, q)
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

// Close drains long polls and closes the store. Pending writes are flushed.
func (s *Server) Close() error {
	s.Drain()
	var err error
	s.closeOnce.Do(func() { err = s.store.close() })
	return err
}

func (s *Server) arn(name string) string {
	return "arn:aws:sqs:" + s.region + ":" + s.accountID + ":" + name
}

func (s *Server) queueURL(host, name string) string {
	return "http://" + host + "/" + s.accountID + "/" + name
}

// queueNameFromURL accepts what SQS accepts for QueueUrl: a full URL whose
// path is /<account>/<name>, or that path alone.
func (s *Server) queueNameFromURL(raw string) (string, *Error) {
	if raw == "" {
		return "", errMissingParameter("QueueUrl")
	}
	path := raw
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		path = u.Path
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) != 2 || parts[0] != s.accountID || parts[1] == "" {
		return "", errQueueDoesNotExist()
	}
	return parts[1], nil
}

func (s *Server) queueByName(name string) (*queue, *Error) {
	q := s.queues.get(name)
	if q == nil {
		return nil, errQueueDoesNotExist()
	}
	return q, nil
}

func (s *Server) queueByURL(raw string) (*queue, *Error) {
	name, err := s.queueNameFromURL(raw)
	if err != nil {
		return nil, err
	}
	return s.queueByName(name)
}

func (s *Server) queueByARN(arn string) *queue {
	name, ok := strings.CutPrefix(arn, s.arn(""))
	if !ok {
		return nil
	}
	q, _ := s.queueByName(name)
	return q
}
