package sqsendpoint

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"github.com/sqsgate/sqsgate/internal/local/sqsendpoint/internal/wal"
	"github.com/sqsgate/sqsgate/internal/sqsmsg"
)

// The durable store is an append-only log (package wal) of records, one
// per store.write call, so the ops of one write (a dead-letter move's
// delete and put, a batch's messages) reach the disk together or not at
// all. A record's payload is a sequence of ops, each
//
//	[uvarint length][kind][uvarint len][queue][uvarint len][key][value]
//
// with, for a message, value = [uvarint len][metadata JSON][body bytes]:
// the body is stored as the bytes it is, not escaped into JSON. Once its
// record is written a body lives only on disk; memory keeps where it is.
// The store keeps an index of the ops still needed (each live queue's
// latest metadata, each live message and its latest receive state, each
// deduplication record) to know how much of the log is garbage and, when
// garbage outweighs live data, to compact: copy the live ops into a
// snapshot that replaces every older file.

type opKind uint8

const (
	opPutQueue opKind = iota + 1
	opDeleteQueue
	opPurgeQueue
	opPutMessage
	opPutReceive
	opDeleteMessage
	opPutDedup
	opDeleteDedup
	opSeq // highest sequence handed out; written by compaction
)

// op is one change to the store. Ops are applied in the order they were
// written, so writers that hold a queue's lock keep that queue's order.
// A message (opPutMessage) is given as msg; the store encodes it.
type op struct {
	kind  opKind
	queue string
	key   []byte
	value []byte
	msg   *message
}

// commit is one write's claim on its group commit; wait returns once the
// write is on disk.
type commit struct {
	t   *wal.Ticket
	err error
}

func (c *commit) wait() error {
	if c == nil {
		return nil
	}
	if c.err != nil {
		return c.err
	}
	return c.t.Wait()
}

var (
	errStoreClosed = errors.New("sqs store is closed")
	// errBodyGone: the message was deleted by another consumer and
	// compacted away between its receive and the reading of its body.
	errBodyGone = errors.New("message body compacted away")
)

// blob is a durable message's body: in memory until its record is written,
// then only at pos in the log. mem and pos are guarded by store.mu. A
// message keeps its blob when it moves between queues.
type blob struct {
	mem string
	pos wal.Pos
}

// queueIndex is what the log still needs of one queue.
type queueIndex struct {
	meta  wal.Pos
	msgs  map[uint64]*msgEntry
	dedup map[string]*wal.Pos

	// Filled during replay only, for load.
	metaValue   []byte
	dedupValues map[string][]byte
}

type msgEntry struct {
	put  wal.Pos
	recv wal.Pos
	blob *blob

	// Filled during replay only, for load.
	meta    []byte
	receive receiveState
}

// Compaction thresholds: the log is compacted when its garbage is at
// least defaultMinGarbage and at least the live data.
const defaultMinGarbage = 32 << 20

type store struct {
	log    *wal.Log
	logger *slog.Logger

	mu         sync.Mutex
	queues     map[string]*queueIndex
	live       int64 // bytes of ops still needed
	maxSeq     uint64
	minGarbage int64
	compacting bool
	closing    bool

	compactMu sync.Mutex // one compaction at a time
	quit      chan struct{}
	wg        sync.WaitGroup
}

func openStore(dir string, logger *slog.Logger) (*store, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &store{logger: logger, queues: map[string]*queueIndex{}, minGarbage: defaultMinGarbage, quit: make(chan struct{})}
	l, err := wal.Open(dir, wal.Options{Applied: s.applied}, s.replay)
	if errors.Is(err, wal.ErrLocked) {
		return nil, fmt.Errorf("open sqs store in %s: the data dir is in use by another process: %w", dir, err)
	}
	if err != nil {
		return nil, fmt.Errorf("open sqs store in %s: %w", dir, err)
	}
	s.log = l
	if _, err := os.Stat(filepath.Join(dir, "sqs.db")); err == nil {
		logger.Warn("sqs store: sqs.db is the bbolt file of an earlier sqsgate and is not read; delete it", "path", filepath.Join(dir, "sqs.db"))
	}
	s.mu.Lock()
	s.maybeCompactLocked()
	s.mu.Unlock()
	return s, nil
}

// write queues ops for the next group commit and returns it; the caller
// waits on it (outside its locks) before acknowledging the change.
func (s *store) write(seq uint64, ops ...op) *commit {
	if s == nil || len(ops) == 0 {
		return nil
	}
	payload, b, err := s.encode(seq, ops)
	if err != nil {
		return &commit{err: err}
	}
	t := s.log.Append(payload, b)
	return &commit{t: t}
}

// writeLazy queues ops nobody waits for (receive state). They ride along
// with the next acknowledged write's group, or the flush every 100 ms, so
// a receive does not cost an fsync of its own.
func (s *store) writeLazy(seq uint64, ops ...op) {
	if s == nil || len(ops) == 0 {
		return
	}
	payload, b, err := s.encode(seq, ops)
	if err != nil {
		s.logger.Error("sqs store: encode failed", "err", err)
		return
	}
	s.log.AppendLazy(payload, b)
}

// batch is what the store remembers of one record until it is written.
type batch struct {
	seq  uint64
	refs []opRef
}

// opRef is one op of a record: where its bytes are in the payload.
type opRef struct {
	kind    opKind
	queue   string
	key     string
	off, n  int
	blob    *blob // opPutMessage
	bodyOff int   // opPutMessage: where the body starts in the op
	bodyLen int
}

// encode builds a record's payload. A message's body moves into a blob
// here (callers hold the message's queue lock); a message already on disk
// (a dead-letter move) has its body read back into the new record.
func (s *store) encode(seq uint64, ops []op) ([]byte, *batch, error) {
	b := &batch{seq: seq, refs: make([]opRef, len(ops))}
	var payload []byte
	for i, o := range ops {
		ref := opRef{kind: o.kind, queue: o.queue, key: string(o.key), off: len(payload)}
		if o.kind != opPutMessage {
			payload = appendOp(payload, o.kind, o.queue, o.key, o.value, "")
			ref.n = len(payload) - ref.off
			b.refs[i] = ref
			continue
		}
		m := o.msg
		if m.blob == nil {
			m.blob = &blob{mem: m.Body}
			m.Body = ""
		}
		body, err := s.readBody(m.blob)
		if err != nil {
			return nil, nil, fmt.Errorf("read body of message %s: %w", m.ID, err)
		}
		meta, err := json.Marshal(messageRecord{message: m, MD5OfBody: m.md5Body})
		if err != nil {
			return nil, nil, fmt.Errorf("encode message %s: %w", m.ID, err)
		}
		value := binary.AppendUvarint(make([]byte, 0, len(meta)+binary.MaxVarintLen64), uint64(len(meta)))
		value = append(value, meta...)
		payload = appendOp(payload, o.kind, o.queue, o.key, value, body)
		ref.n = len(payload) - ref.off
		ref.blob, ref.bodyOff, ref.bodyLen = m.blob, ref.n-len(body), len(body)
		b.refs[i] = ref
	}
	return payload, b, nil
}

// appendOp appends one op, length first, to a record's payload.
func appendOp(payload []byte, kind opKind, queue string, key, value []byte, body string) []byte {
	n := 1 + uvarintLen(len(queue)) + len(queue) + uvarintLen(len(key)) + len(key) + len(value) + len(body)
	payload = binary.AppendUvarint(payload, uint64(n))
	payload = append(payload, byte(kind))
	payload = binary.AppendUvarint(payload, uint64(len(queue)))
	payload = append(payload, queue...)
	payload = binary.AppendUvarint(payload, uint64(len(key)))
	payload = append(payload, key...)
	payload = append(payload, value...)
	return append(payload, body...)
}

func uvarintLen(n int) int {
	var buf [binary.MaxVarintLen64]byte
	return binary.PutUvarint(buf[:], uint64(n))
}

// messageRecord is a message's metadata as stored: its persisted fields
// (the body stays out of the JSON) and the body's digest, so a restart
// need not read bodies back.
type messageRecord struct {
	*message
	MD5OfBody string `json:"md5OfBody"`
}

// decodedOp is one op read back from a payload.
type decodedOp struct {
	kind  opKind
	queue string
	key   []byte
	value []byte
	off   int // where the op (with its length) starts in the payload
	n     int
}

// decodeOps splits a record's payload into its ops.
func decodeOps(payload []byte, fn func(decodedOp) error) error {
	for off := 0; off < len(payload); {
		n, k := binary.Uvarint(payload[off:])
		if k <= 0 || n == 0 || n > uint64(len(payload)-off-k) {
			return errors.New("malformed op")
		}
		body := payload[off+k : off+k+int(n)]
		d := decodedOp{kind: opKind(body[0]), off: off, n: k + int(n)}
		rest := body[1:]
		queue, rest, ok := cutField(rest)
		if !ok {
			return errors.New("malformed op queue")
		}
		key, rest, ok := cutField(rest)
		if !ok {
			return errors.New("malformed op key")
		}
		d.queue, d.key, d.value = string(queue), key, rest
		if err := fn(d); err != nil {
			return err
		}
		off += k + int(n)
	}
	return nil
}

func cutField(b []byte) (field, rest []byte, ok bool) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)-k) {
		return nil, nil, false
	}
	return b[k : k+int(n)], b[k+int(n):], true
}

// replay rebuilds the index from one record at open.
func (s *store) replay(payload []byte, p wal.Pos) error {
	return decodeOps(payload, func(d decodedOp) error {
		ref := opRef{kind: d.kind, queue: d.queue, key: string(d.key), off: d.off, n: d.n}
		sub := p.Slice(d.off, d.n)
		switch d.kind {
		case opPutMessage:
			metaLen, k := binary.Uvarint(d.value)
			if k <= 0 || metaLen > uint64(len(d.value)-k) {
				return errors.New("malformed message")
			}
			ref.blob = &blob{}
			ref.bodyLen = len(d.value) - k - int(metaLen)
			ref.bodyOff = d.n - ref.bodyLen
			s.apply(ref, sub)
			if e := s.entry(d.queue, d.key); e != nil && e.blob == ref.blob {
				e.meta = append([]byte(nil), d.value[k:k+int(metaLen)]...)
			}
			return nil
		case opSeq:
			if len(d.key) == 8 {
				s.maxSeq = max(s.maxSeq, binary.BigEndian.Uint64(d.key))
			}
			return nil
		case opPutQueue, opDeleteQueue, opPurgeQueue, opPutReceive, opDeleteMessage, opPutDedup, opDeleteDedup:
		default:
			return fmt.Errorf("unknown op kind %d", d.kind)
		}
		s.apply(ref, sub)
		switch d.kind {
		case opPutQueue:
			if qi := s.queues[d.queue]; qi != nil {
				qi.metaValue = append([]byte(nil), d.value...)
			}
		case opPutReceive:
			if e := s.entry(d.queue, d.key); e != nil && len(d.value) == 16 {
				e.receive = receiveState{count: int(binary.BigEndian.Uint64(d.value[:8])), first: int64(binary.BigEndian.Uint64(d.value[8:]))}
			}
		case opPutDedup:
			if qi := s.queues[d.queue]; qi != nil {
				qi.dedupValues[string(d.key)] = append([]byte(nil), d.value...)
			}
		case opDeleteDedup:
			if qi := s.queues[d.queue]; qi != nil {
				delete(qi.dedupValues, string(d.key))
			}
		}
		return nil
	})
}

func (s *store) entry(queue string, key []byte) *msgEntry {
	qi := s.queues[queue]
	if qi == nil || len(key) != 8 {
		return nil
	}
	return qi.msgs[binary.BigEndian.Uint64(key)]
}

// applied updates the index once a record is written, in log order.
func (s *store) applied(v any, p wal.Pos) {
	b := v.(*batch)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.maxSeq = max(s.maxSeq, b.seq)
	for _, r := range b.refs {
		s.apply(r, p.Slice(r.off, r.n))
	}
	s.maybeCompactLocked()
}

// apply records one written op in the index. Callers hold s.mu (or are
// replaying, alone).
func (s *store) apply(r opRef, at wal.Pos) {
	if r.kind == opPutMessage && r.blob != nil {
		// The body is on disk now: drop the memory copy.
		r.blob.pos = at.Slice(r.bodyOff, r.bodyLen)
		r.blob.mem = ""
	}
	qi := s.queues[r.queue]
	switch r.kind {
	case opPutQueue:
		if qi == nil {
			qi = &queueIndex{msgs: map[uint64]*msgEntry{}, dedup: map[string]*wal.Pos{}, dedupValues: map[string][]byte{}}
			s.queues[r.queue] = qi
		}
		s.replace(&qi.meta, at)
		return
	}
	if qi == nil {
		// The queue was deleted; its ops went with it.
		return
	}
	switch r.kind {
	case opDeleteQueue:
		s.live -= int64(qi.meta.Len())
		for _, e := range qi.msgs {
			s.live -= int64(e.put.Len() + e.recv.Len())
		}
		for _, p := range qi.dedup {
			s.live -= int64(p.Len())
		}
		delete(s.queues, r.queue)
	case opPurgeQueue:
		for _, e := range qi.msgs {
			s.live -= int64(e.put.Len() + e.recv.Len())
		}
		qi.msgs = map[uint64]*msgEntry{}
	case opPutMessage:
		if len(r.key) != 8 {
			return
		}
		seq := binary.BigEndian.Uint64([]byte(r.key))
		s.maxSeq = max(s.maxSeq, seq)
		if old := qi.msgs[seq]; old != nil {
			s.live -= int64(old.put.Len() + old.recv.Len())
		}
		qi.msgs[seq] = &msgEntry{put: at, blob: r.blob}
		s.live += int64(at.Len())
	case opPutReceive:
		if e := qi.msgs[seqOf(r.key)]; e != nil {
			s.replace(&e.recv, at)
		}
	case opDeleteMessage:
		seq := seqOf(r.key)
		if e := qi.msgs[seq]; e != nil {
			s.live -= int64(e.put.Len() + e.recv.Len())
			delete(qi.msgs, seq)
		}
	case opPutDedup:
		p := qi.dedup[r.key]
		if p == nil {
			p = new(wal.Pos)
			qi.dedup[r.key] = p
		}
		s.replace(p, at)
	case opDeleteDedup:
		if p, ok := qi.dedup[r.key]; ok {
			s.live -= int64(p.Len())
			delete(qi.dedup, r.key)
		}
	}
}

func (s *store) replace(slot *wal.Pos, at wal.Pos) {
	s.live += int64(at.Len() - slot.Len())
	*slot = at
}

func seqOf(key string) uint64 {
	if len(key) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64([]byte(key))
}

// readBody returns a blob's body, from memory or from the log.
func (s *store) readBody(b *blob) (string, error) {
	for {
		s.mu.Lock()
		mem, pos := b.mem, b.pos
		s.mu.Unlock()
		if pos.IsZero() {
			return mem, nil
		}
		data, err := s.log.Read(pos)
		if errors.Is(err, wal.ErrGone) {
			s.mu.Lock()
			moved := b.pos != pos
			s.mu.Unlock()
			if moved {
				continue // compacted while we read: read it where it went
			}
			return "", errBodyGone
		}
		if err != nil {
			return "", err
		}
		return string(data), nil
	}
}

// storedQueue is what load hands back for one queue.
type storedQueue struct {
	meta     []byte
	messages []*message // receive counts applied, bodies on disk
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

// load hands back what replay found and drops the copies it kept for it.
func (s *store) load() (map[string]*storedQueue, uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]*storedQueue, len(s.queues))
	for name, qi := range s.queues {
		sq := &storedQueue{meta: qi.metaValue}
		for _, e := range qi.msgs {
			var rec messageRecord
			rec.message = &message{}
			if err := json.Unmarshal(e.meta, &rec); err != nil {
				return nil, 0, fmt.Errorf("load message in queue %s: %w", name, err)
			}
			m := rec.message
			m.blob, m.index = e.blob, -1
			m.md5Body, m.md5Attrs = rec.MD5OfBody, sqsmsg.MD5OfAttributes(m.Attributes)
			if e.receive.count > 0 {
				m.ReceiveCount, m.FirstReceive = e.receive.count, e.receive.first
			}
			sq.messages = append(sq.messages, m)
			e.meta = nil
		}
		for _, v := range qi.dedupValues {
			sq.dedup = append(sq.dedup, v)
		}
		qi.metaValue, qi.dedupValues = nil, nil
		out[name] = sq
	}
	return out, s.maxSeq, nil
}

// maybeCompactLocked starts a compaction when the garbage in the log is at
// least minGarbage and at least the live data, so that compaction costs
// at most one copy of the live data per as much again written.
func (s *store) maybeCompactLocked() {
	if s.compacting || s.closing || s.log == nil {
		return
	}
	garbage := s.log.Size() - s.live
	if garbage < s.minGarbage || garbage < s.live {
		return
	}
	s.compacting = true
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		err := s.compactNow()
		s.mu.Lock()
		s.compacting = false
		s.mu.Unlock()
		if err != nil && !errors.Is(err, wal.ErrCanceled) {
			s.logger.Error("sqs store: compaction failed", "err", err)
		}
	}()
}

// compactNow compacts at once, after any compaction already running.
func (s *store) compactNow() error {
	s.compactMu.Lock()
	defer s.compactMu.Unlock()
	return s.compact()
}

// waitCompactions returns once no compaction is running or starting.
func (s *store) waitCompactions() { s.wg.Wait() }

// captured is one live op being copied by a compaction.
type captured struct {
	slot    *wal.Pos // the index's reference to the op
	old     wal.Pos
	blob    *blob // a message's body, which moves with its op
	oldBody wal.Pos
}

// compact copies every op still needed into a snapshot replacing the
// sealed files. Writers go on meanwhile: only the sealing (a log roll)
// and the final repointing hold them up.
func (s *store) compact() error {
	before := s.log.Size()
	var items []wal.Pos
	var caps []captured
	var seq uint64
	c, err := s.log.Seal(func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		add := func(slot *wal.Pos, b *blob) {
			if slot.IsZero() {
				return
			}
			cp := captured{slot: slot, old: *slot}
			if b != nil && !b.pos.IsZero() {
				cp.blob, cp.oldBody = b, b.pos
			}
			items = append(items, *slot)
			caps = append(caps, cp)
		}
		for _, qi := range s.queues {
			add(&qi.meta, nil)
			for _, e := range qi.msgs {
				add(&e.put, e.blob)
				add(&e.recv, nil)
			}
			for _, p := range qi.dedup {
				add(p, nil)
			}
		}
		seq = s.maxSeq
	})
	if err != nil || c == nil {
		return err
	}
	seqOp := appendOp(nil, opSeq, "", seqKey(seq), nil, "")
	moved, err := c.Rewrite(items, [][]byte{seqOp}, s.quit)
	if err != nil {
		c.Abort()
		return err
	}
	// Point the index (and the bodies) at the copies, unless an op was
	// replaced or deleted meanwhile. Bodies of messages deleted since the
	// capture move too, for a consumer still reading one.
	s.mu.Lock()
	for i, cp := range caps {
		if cp.blob != nil && cp.blob.pos == cp.oldBody {
			cp.blob.pos = moved[i].Slice(cp.old.Offset(cp.oldBody), cp.oldBody.Len())
		}
		if *cp.slot == cp.old {
			*cp.slot = moved[i]
		}
	}
	s.mu.Unlock()
	if err := c.Install(); err != nil {
		return err
	}
	s.logger.Info("sqs store compacted", "bytes_before", before, "bytes_after", s.log.Size())
	return nil
}

func (s *store) close() error {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	s.closing = true
	s.mu.Unlock()
	close(s.quit)
	s.wg.Wait()
	return s.log.Close()
}

func seqKey(seq uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], seq)
	return b[:]
}
