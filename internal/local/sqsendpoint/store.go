package sqsendpoint

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The on-disk layout, one bbolt file:
//
//	queues/<name>/meta      queue configuration (JSON)
//	queues/<name>/m/<seq>   messages by 8-byte big-endian sequence (JSON)
//	queues/<name>/r/<seq>   receive state of a message: count, first receive
//	                        (kept apart so a receive rewrites 16 bytes, not the message)
//	queues/<name>/d/<key>   FIFO deduplication records (JSON)
//	counters/seq            highest sequence number handed out
var (
	bucketQueues   = []byte("queues")
	bucketCounters = []byte("counters")
	bucketMessages = []byte("m")
	bucketDedup    = []byte("d")
	bucketReceives = []byte("r")
	keyMeta        = []byte("meta")
	keySeq         = []byte("seq")
)

type opKind uint8

const (
	opPutQueue opKind = iota
	opDeleteQueue
	opPurgeQueue
	opPutMessage
	opPutReceive
	opDeleteMessage
	opPutDedup
	opDeleteDedup
)

// op is one change to the store. Ops are applied in the order they were
// written, so writers that hold a queue's lock keep that queue's order.
type op struct {
	kind  opKind
	queue string
	key   []byte
	value []byte
}

// commit is one group commit; every writer whose ops it carries waits on
// done and then reads err.
type commit struct {
	done chan struct{}
	err  error
}

func (c *commit) wait() error {
	if c == nil {
		return nil
	}
	<-c.done
	return c.err
}

// store journals changes to bbolt with group commit: ops written while a
// transaction is being synced are gathered into the next one, so N
// concurrent writers cost about one fsync, not N.
type store struct {
	db      *bolt.DB
	mu      sync.Mutex
	pending []op
	maxSeq  uint64
	next    *commit
	closed  bool
	wake    chan struct{}
	quit    chan struct{}
	stopped chan struct{}
}

func openStore(dir string) (*store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	db, err := bolt.Open(filepath.Join(dir, "sqs.db"), 0o600, &bolt.Options{Timeout: 2 * time.Second, NoFreelistSync: true})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, fmt.Errorf("open sqs store in %s: the data dir is in use by another process: %w", dir, err)
	}
	if err != nil {
		return nil, fmt.Errorf("open sqs store in %s: %w", dir, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		if _, err := tx.CreateBucketIfNotExists(bucketQueues); err != nil {
			return err
		}
		_, err := tx.CreateBucketIfNotExists(bucketCounters)
		return err
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("initialise sqs store: %w", err)
	}
	s := &store{db: db, next: newCommit(), wake: make(chan struct{}, 1), quit: make(chan struct{}), stopped: make(chan struct{})}
	go s.run()
	return s, nil
}

var errStoreClosed = errors.New("sqs store is closed")

func newCommit() *commit { return &commit{done: make(chan struct{})} }

// write queues ops for the next group commit and returns it; the caller
// waits on it (outside its locks) before acknowledging the change.
func (s *store) write(seq uint64, ops ...op) *commit {
	return s.enqueue(true, seq, ops)
}

// writeLazy queues ops nobody waits for (receive state). They ride along
// with the next acknowledged write's commit, or the periodic flush, so a
// receive does not cost an fsync of its own.
func (s *store) writeLazy(seq uint64, ops ...op) {
	s.enqueue(false, seq, ops)
}

// lazyFlushInterval bounds how long lazily written ops stay in memory.
const lazyFlushInterval = 100 * time.Millisecond

func (s *store) enqueue(urgent bool, seq uint64, ops []op) *commit {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		c := &commit{done: make(chan struct{}), err: errStoreClosed}
		close(c.done)
		return c
	}
	s.pending = append(s.pending, ops...)
	if seq > s.maxSeq {
		s.maxSeq = seq
	}
	c := s.next
	s.mu.Unlock()
	if urgent {
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
	return c
}

func (s *store) run() {
	defer close(s.stopped)
	tick := time.NewTicker(lazyFlushInterval)
	defer tick.Stop()
	for {
		select {
		case <-s.wake:
		case <-tick.C:
		case <-s.quit:
			s.flush()
			return
		}
		s.flush()
	}
}

func (s *store) flush() {
	s.mu.Lock()
	ops, c, seq := s.pending, s.next, s.maxSeq
	s.pending, s.next = nil, newCommit()
	s.mu.Unlock()
	if len(ops) > 0 {
		c.err = s.db.Update(func(tx *bolt.Tx) error { return applyOps(tx, ops, seq) })
	}
	close(c.done)
}

func applyOps(tx *bolt.Tx, ops []op, seq uint64) error {
	root := tx.Bucket(bucketQueues)
	for _, o := range ops {
		if err := applyOp(root, o); err != nil {
			return fmt.Errorf("apply op %d on queue %s: %w", o.kind, o.queue, err)
		}
	}
	return tx.Bucket(bucketCounters).Put(keySeq, seqKey(seq))
}

func applyOp(root *bolt.Bucket, o op) error {
	name := []byte(o.queue)
	switch o.kind {
	case opPutQueue:
		q, err := root.CreateBucketIfNotExists(name)
		if err != nil {
			return err
		}
		if _, err := q.CreateBucketIfNotExists(bucketMessages); err != nil {
			return err
		}
		if _, err := q.CreateBucketIfNotExists(bucketDedup); err != nil {
			return err
		}
		if _, err := q.CreateBucketIfNotExists(bucketReceives); err != nil {
			return err
		}
		return q.Put(keyMeta, o.value)
	case opDeleteQueue:
		if err := root.DeleteBucket(name); err != nil && !errors.Is(err, bolt.ErrBucketNotFound) {
			return err
		}
		return nil
	}
	q := root.Bucket(name)
	if q == nil {
		// The queue was deleted in this or an earlier commit; its
		// messages went with it.
		return nil
	}
	switch o.kind {
	case opPurgeQueue:
		for _, name := range [][]byte{bucketMessages, bucketReceives} {
			if err := q.DeleteBucket(name); err != nil && !errors.Is(err, bolt.ErrBucketNotFound) {
				return err
			}
			if _, err := q.CreateBucket(name); err != nil {
				return err
			}
		}
		return nil
	case opPutMessage:
		return q.Bucket(bucketMessages).Put(o.key, o.value)
	case opPutReceive:
		return q.Bucket(bucketReceives).Put(o.key, o.value)
	case opDeleteMessage:
		if err := q.Bucket(bucketMessages).Delete(o.key); err != nil {
			return err
		}
		return q.Bucket(bucketReceives).Delete(o.key)
	case opPutDedup:
		return q.Bucket(bucketDedup).Put(o.key, o.value)
	case opDeleteDedup:
		return q.Bucket(bucketDedup).Delete(o.key)
	}
	return fmt.Errorf("unknown op kind %d", o.kind)
}

// storedQueue is what load hands back for one queue.
type storedQueue struct {
	meta     []byte
	messages [][]byte
	receives map[uint64]receiveState
	dedup    [][]byte
}

// receiveState is a message's receive count and first receive time.
type receiveState struct {
	count int
	first int64
}

func (r receiveState) encode() []byte {
	b := make([]byte, 16)
	binary.BigEndian.PutUint64(b[:8], uint64(r.count))
	binary.BigEndian.PutUint64(b[8:], uint64(r.first))
	return b
}

func (s *store) load() (map[string]*storedQueue, uint64, error) {
	queues := map[string]*storedQueue{}
	var seq uint64
	err := s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketCounters).Get(keySeq); len(v) == 8 {
			seq = binary.BigEndian.Uint64(v)
		}
		return tx.Bucket(bucketQueues).ForEachBucket(func(name []byte) error {
			b := tx.Bucket(bucketQueues).Bucket(name)
			sq := &storedQueue{meta: append([]byte(nil), b.Get(keyMeta)...), receives: map[uint64]receiveState{}}
			if r := b.Bucket(bucketReceives); r != nil {
				if err := r.ForEach(func(k, v []byte) error {
					if len(k) == 8 && len(v) == 16 {
						sq.receives[binary.BigEndian.Uint64(k)] = receiveState{
							count: int(binary.BigEndian.Uint64(v[:8])), first: int64(binary.BigEndian.Uint64(v[8:])),
						}
					}
					return nil
				}); err != nil {
					return err
				}
			}
			var err error
			if sq.messages, err = bucketValues(b.Bucket(bucketMessages)); err != nil {
				return err
			}
			if sq.dedup, err = bucketValues(b.Bucket(bucketDedup)); err != nil {
				return err
			}
			queues[string(name)] = sq
			return nil
		})
	})
	return queues, seq, err
}

// bucketValues copies out every value of b (nil for none or no bucket):
// bolt's slices are only valid inside the transaction.
func bucketValues(b *bolt.Bucket) ([][]byte, error) {
	if b == nil {
		return nil, nil
	}
	var out [][]byte
	err := b.ForEach(func(_, v []byte) error {
		out = append(out, append([]byte(nil), v...))
		return nil
	})
	return out, err
}

func (s *store) close() error {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	close(s.quit)
	<-s.stopped
	return s.db.Close()
}

func seqKey(seq uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], seq)
	return b[:]
}
