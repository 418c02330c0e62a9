package sqsendpoint

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/url"
	"slices"
	"sort"
	"strconv"
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

	mu        sync.RWMutex
	queues    map[string]*queue
	deletedAt map[string]time.Time
	tasks     []*moveTask

	closing   chan struct{}
	closeOnce sync.Once
}

// New builds a Server and, with a DataDir, restores its queues and messages.
func New(opts Options) (*Server, error) {
	s := &Server{
		accountID: opts.AccountID,
		region:    opts.Region,
		now:       opts.Now,
		log:       opts.Logger,
		queues:    map[string]*queue{},
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
	for name, sq := range stored {
		var meta queueMeta
		if err := json.Unmarshal(sq.meta, &meta); err != nil {
			return fmt.Errorf("load queue %s: %w", name, err)
		}
		q := newQueue(name, s.arn(name), meta.Attributes, meta.Tags, time.UnixMilli(meta.Created))
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
		s.queues[name] = q
	}
	s.seq.Store(seq)
	s.log.Info("sqs store restored", "queues", len(s.queues), "seq", seq)
	return nil
}

// Close stops long polls and closes the store. Pending writes are flushed.
func (s *Server) Close() error {
	var err error
	s.closeOnce.Do(func() {
		close(s.closing)
		err = s.store.close()
	})
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
	s.mu.RLock()
	q := s.queues[name]
	s.mu.RUnlock()
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

// EnsureQueue creates the queue if it is missing and otherwise brings its
// attributes and tags to the given values, so a queue declared in a
// template follows the template across restarts of a durable store. It
// returns the queue's ARN. FifoQueue cannot change on an existing queue.
func (s *Server) EnsureQueue(name string, attributes, tags map[string]string) (string, error) {
	q, err := s.createQueue(name, attributes, tags)
	var e *Error
	if errors.As(err, &e) && e.Code == "QueueNameExists" {
		existing, qerr := s.queueByName(name)
		if qerr != nil {
			return "", qerr
		}
		if (attributes["FifoQueue"] == "true") != existing.fifo {
			return "", err
		}
		attrs := maps.Clone(attributes)
		delete(attrs, "FifoQueue")
		if err := s.setQueueAttributes(existing, attrs); err != nil {
			return "", err
		}
		if len(tags) > 0 {
			if err := s.tagQueue(existing, tags); err != nil {
				return "", err
			}
		}
		return existing.arn, nil
	}
	if err != nil {
		return "", err
	}
	return q.arn, nil
}

func (s *Server) createQueue(name string, attributes, tags map[string]string) (*queue, error) {
	if name == "" {
		return nil, errMissingParameter("QueueName")
	}
	fifo := false
	if v, ok := attributes["FifoQueue"]; ok {
		b, err := parseBool(v)
		if err != nil {
			return nil, errInvalidAttributeValue("FifoQueue", "must be true or false.")
		}
		fifo = b
	}
	if err := validateQueueName(name, fifo); err != nil {
		return nil, err
	}
	given, verr := validateAttributes(attributes, fifo, true)
	if verr != nil {
		return nil, verr
	}
	if len(tags) > maxTags {
		return nil, errInvalidParameterValue("Too many tags added for queue %s.", name)
	}
	attrs := defaultsFor(fifo)
	maps.Copy(attrs, given)
	for k, v := range attrs {
		if v == "" && (k == "RedrivePolicy" || k == "RedriveAllowPolicy") {
			delete(attrs, k)
		}
	}
	if err := s.checkRedrive(name, fifo, attrs["RedrivePolicy"]); err != nil {
		return nil, err
	}
	now := s.now()
	s.mu.Lock()
	if q := s.queues[name]; q != nil {
		s.mu.Unlock()
		q.mu.Lock()
		same := true
		for k, v := range given {
			if q.attrs[k] != v {
				same = false
			}
		}
		q.mu.Unlock()
		if !same {
			return nil, errQueueNameExists(name)
		}
		return q, nil
	}
	if t, ok := s.deletedAt[name]; ok && now.Sub(t) < deleteQuietPeriod {
		s.mu.Unlock()
		return nil, errQueueDeletedRecently()
	}
	q := newQueue(name, s.arn(name), attrs, maps.Clone(tags), now)
	s.queues[name] = q
	c := s.store.write(0, op{kind: opPutQueue, queue: name, value: q.meta()})
	s.mu.Unlock()
	if err := c.wait(); err != nil {
		return nil, s.storeFailed(err)
	}
	return q, nil
}

// checkRedrive validates a RedrivePolicy against its dead-letter queue:
// it must exist, be of the same type, and its RedriveAllowPolicy must
// admit the source.
func (s *Server) checkRedrive(sourceName string, fifo bool, policy string) *Error {
	if policy == "" {
		return nil
	}
	p, err := parseRedrivePolicy(policy)
	if err != nil {
		return err
	}
	dlq := s.queueByARN(p.DeadLetterTargetArn)
	if dlq == nil {
		return errInvalidAttributeValue("RedrivePolicy", "Dead letter target does not exist.")
	}
	dlq.mu.Lock()
	dlqFIFO, allow := dlq.fifo, dlq.cfg.redriveAllow
	dlq.mu.Unlock()
	if dlqFIFO != fifo {
		return errInvalidAttributeValue("RedrivePolicy", "Dead-letter queue must be the same type of queue as the source.")
	}
	if !allow.allows(s.arn(sourceName)) {
		return errInvalidAttributeValue("RedrivePolicy", "Dead-letter queue's RedriveAllowPolicy does not allow this source queue.")
	}
	return nil
}

func (s *Server) setQueueAttributes(q *queue, attributes map[string]string) error {
	given, verr := validateAttributes(attributes, q.fifo, false)
	if verr != nil {
		return verr
	}
	if v, ok := given["RedrivePolicy"]; ok {
		if err := s.checkRedrive(q.name, q.fifo, v); err != nil {
			return err
		}
	}
	q.mu.Lock()
	for k, v := range given {
		if v == "" && (k == "RedrivePolicy" || k == "RedriveAllowPolicy" || k == "Policy") {
			delete(q.attrs, k)
			continue
		}
		q.attrs[k] = v
	}
	q.cfg = configFromAttributes(q.attrs)
	q.modified = s.now()
	c := s.store.write(0, op{kind: opPutQueue, queue: q.name, value: q.meta()})
	// A shorter delay may make messages receivable sooner for new sends;
	// wake long polls so they re-evaluate.
	q.notify()
	q.mu.Unlock()
	if err := c.wait(); err != nil {
		return s.storeFailed(err)
	}
	return nil
}

func (s *Server) getQueueAttributes(q *queue, names []string) (map[string]string, *Error) {
	want := map[string]bool{}
	all := false
	for _, n := range names {
		if n == "All" {
			all = true
			continue
		}
		if _, ok := intAttributes[n]; ok {
			want[n] = true
			continue
		}
		switch n {
		case "Policy", "KmsMasterKeyId", "SqsManagedSseEnabled", "FifoQueue", "ContentBasedDeduplication",
			"DeduplicationScope", "FifoThroughputLimit", "RedrivePolicy", "RedriveAllowPolicy":
			want[n] = true
			continue
		}
		computed := false
		for _, c := range computedAttributes {
			computed = computed || c == n
		}
		if !computed {
			return nil, errInvalidAttributeName(n)
		}
		want[n] = true
	}
	now := s.now()
	q.mu.Lock()
	defer q.mu.Unlock()
	out := map[string]string{}
	for k, v := range q.attrs {
		if all || want[k] {
			out[k] = v
		}
	}
	visible, notVisible, delayed := q.counts(now)
	computed := map[string]string{
		"ApproximateNumberOfMessages":           strconv.Itoa(visible),
		"ApproximateNumberOfMessagesNotVisible": strconv.Itoa(notVisible),
		"ApproximateNumberOfMessagesDelayed":    strconv.Itoa(delayed),
		"CreatedTimestamp":                      strconv.FormatInt(q.created.Unix(), 10),
		"LastModifiedTimestamp":                 strconv.FormatInt(q.modified.Unix(), 10),
		"QueueArn":                              q.arn,
	}
	for k, v := range computed {
		if all || want[k] {
			out[k] = v
		}
	}
	return out, nil
}

func (s *Server) deleteQueue(q *queue) error {
	s.mu.Lock()
	if s.queues[q.name] != q {
		s.mu.Unlock()
		return errQueueDoesNotExist()
	}
	delete(s.queues, q.name)
	s.deletedAt[q.name] = s.now()
	q.mu.Lock()
	q.deleted = true
	q.notify()
	c := s.store.write(0, op{kind: opDeleteQueue, queue: q.name})
	q.mu.Unlock()
	s.mu.Unlock()
	if err := c.wait(); err != nil {
		return s.storeFailed(err)
	}
	return nil
}

func (s *Server) purgeQueue(q *queue) error {
	now := s.now()
	q.mu.Lock()
	if !q.lastPurge.IsZero() && now.Sub(q.lastPurge) < purgeQuietPeriod {
		q.mu.Unlock()
		return errPurgeQueueInProgress(q.name)
	}
	q.lastPurge = now
	q.byID = map[string]*message{}
	q.ready = nil
	q.groups = map[string]*fifoGroup{}
	q.order = nil
	c := s.store.write(0, op{kind: opPurgeQueue, queue: q.name})
	q.mu.Unlock()
	if err := c.wait(); err != nil {
		return s.storeFailed(err)
	}
	return nil
}

// listQueues pages through queue names in order.
func (s *Server) listQueues(prefix, token string, maxResults *int) ([]string, string, *Error) {
	s.mu.RLock()
	names := make([]string, 0, len(s.queues))
	for name := range s.queues {
		if strings.HasPrefix(name, prefix) {
			names = append(names, name)
		}
	}
	s.mu.RUnlock()
	return page(names, token, maxResults)
}

func (s *Server) deadLetterSources(dlq *queue, token string, maxResults *int) ([]string, string, *Error) {
	s.mu.RLock()
	qs := make([]*queue, 0, len(s.queues))
	for _, q := range s.queues {
		qs = append(qs, q)
	}
	s.mu.RUnlock()
	var names []string
	for _, q := range qs {
		q.mu.Lock()
		r := q.cfg.redrive
		q.mu.Unlock()
		if r != nil && r.DeadLetterTargetArn == dlq.arn {
			names = append(names, q.name)
		}
	}
	return page(names, token, maxResults)
}

// page applies the paging both list operations share: names sort, the
// page starts after the name NextToken holds and has at most MaxResults
// (default 1000) names. NextToken is the last name returned, and only a
// caller that set MaxResults is given one, as SQS does.
func page(names []string, token string, maxResults *int) ([]string, string, *Error) {
	limit := 1000
	if maxResults != nil {
		if *maxResults < 1 || *maxResults > 1000 {
			return nil, "", errInvalidParameterValue("Value %d for parameter MaxResults is invalid. Reason: must be between 1 and 1000.", *maxResults)
		}
		limit = *maxResults
	}
	after := ""
	if token != "" {
		b, err := decodeToken(token)
		if err != nil {
			return nil, "", errInvalidParameterValue("Invalid NextToken value.")
		}
		after = b
	}
	sort.Strings(names)
	names = slices.DeleteFunc(names, func(name string) bool { return name <= after })
	next := ""
	if len(names) > limit {
		names = names[:limit]
		if maxResults != nil {
			next = encodeToken(names[limit-1])
		}
	}
	return names, next, nil
}

func (s *Server) tagQueue(q *queue, tags map[string]string) error {
	for k, v := range tags {
		if k == "" || len(k) > 128 || len(v) > 256 {
			return errInvalidParameterValue("Tag keys must be 1-128 characters and values at most 256 characters.")
		}
	}
	q.mu.Lock()
	merged := maps.Clone(q.tags)
	maps.Copy(merged, tags)
	if len(merged) > maxTags {
		q.mu.Unlock()
		return errInvalidParameterValue("Too many tags added for queue %s.", q.name)
	}
	q.tags = merged
	c := s.store.write(0, op{kind: opPutQueue, queue: q.name, value: q.meta()})
	q.mu.Unlock()
	if err := c.wait(); err != nil {
		return s.storeFailed(err)
	}
	return nil
}

func (s *Server) untagQueue(q *queue, keys []string) error {
	q.mu.Lock()
	for _, k := range keys {
		delete(q.tags, k)
	}
	c := s.store.write(0, op{kind: opPutQueue, queue: q.name, value: q.meta()})
	q.mu.Unlock()
	if err := c.wait(); err != nil {
		return s.storeFailed(err)
	}
	return nil
}

func (s *Server) listQueueTags(q *queue) map[string]string {
	q.mu.Lock()
	defer q.mu.Unlock()
	return maps.Clone(q.tags)
}

// storeFailed logs a store error and returns what the client sees.
func (s *Server) storeFailed(err error) *Error {
	s.log.Error("sqs store write failed", "err", err)
	return errInternal()
}
