package wal

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

var (
	// ErrLocked is returned by Open when another process has the directory.
	ErrLocked = errors.New("the data directory is in use by another process")
	// ErrClosed is returned for appends after Close.
	ErrClosed = errors.New("log is closed")
	// ErrGone is returned by Read when the record's file was compacted
	// away; a caller holding an up-to-date Pos never sees it.
	ErrGone = errors.New("record was compacted away")
	// ErrCanceled is returned by Rewrite when its cancel channel closes.
	ErrCanceled = errors.New("compaction canceled")
)

const (
	headerSize = 8
	// DefaultSegmentBytes is where a segment ends and the next begins.
	DefaultSegmentBytes = 64 << 20
	// DefaultFlushInterval bounds how long a lazy append waits for a group.
	DefaultFlushInterval = 100 * time.Millisecond
	// preallocChunk is how far a segment is reserved ahead of its data.
	preallocChunk = 1 << 20
	// maxRecordBytes refuses absurd lengths read from a damaged file.
	maxRecordBytes = 1 << 30
	// keepBufBytes is the largest write buffer kept between groups.
	keepBufBytes = 4 << 20
	// snapshotRecordBytes is the size past which a snapshot record closes.
	snapshotRecordBytes = 1 << 20
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Options configures a Log.
type Options struct {
	// SegmentBytes ends a segment once it holds this much; default 64 MiB.
	SegmentBytes int64
	// FlushInterval bounds how long an AppendLazy record stays in memory;
	// default 100 ms.
	FlushInterval time.Duration
	// Applied is called for every appended record once it is written, in
	// log order, from the goroutine writing the group, with the value given
	// to Append and the record's position. It must not call back into the
	// Log.
	Applied func(v any, p Pos)
}

// Pos locates bytes of a record's payload in the log: the whole payload as
// given to Replay and Applied, or a part of it (Slice).
type Pos struct {
	f   *file
	off int64
	n   int
}

// Len is the number of bytes at p.
func (p Pos) Len() int { return p.n }

// IsZero reports whether p locates nothing.
func (p Pos) IsZero() bool { return p.f == nil }

// Slice locates n bytes starting off bytes into p.
func (p Pos) Slice(off, n int) Pos {
	if off < 0 || n < 0 || off+n > p.n {
		panic("wal: Pos.Slice out of range")
	}
	return Pos{f: p.f, off: p.off + int64(off), n: n}
}

// Offset is how far into p the position q starts; q must lie inside p.
func (p Pos) Offset(q Pos) int { return int(q.off - p.off) }

// file is one segment or snapshot.
type file struct {
	id   uint64
	snap bool
	path string
	f    *os.File
	size atomic.Int64 // bytes of records; written by the leader
	// allocated is how far the file is reserved; the leader's alone.
	allocated int64

	mu     sync.RWMutex // readers against Install closing the file
	closed bool
}

type entry struct {
	data []byte
	v    any
}

// group is the set of records written and synced together. Its waiters
// sleep on done; when the group before it is on disk, one of them (not
// all) is handed the lead token to write it.
type group struct {
	done chan struct{} // closed once err is set
	lead chan struct{} // capacity 1
	err  error
}

func newGroup() *group {
	return &group{done: make(chan struct{}), lead: make(chan struct{}, 1)}
}

func failedGroup(err error) *group {
	g := newGroup()
	g.err = err
	close(g.done)
	return g
}

func (g *group) finished() bool {
	select {
	case <-g.done:
		return true
	default:
		return false
	}
}

// Ticket is an Append's claim on its group.
type Ticket struct {
	l *Log
	g *group
}

// Wait returns once the record is on disk (or the log failed). The first
// waiter of a group that nobody is writing writes it itself.
func (t *Ticket) Wait() error {
	if t == nil {
		return nil
	}
	return t.l.wait(t.g)
}

// Log is an append-only log in one directory. Its methods are safe for
// concurrent use.
type Log struct {
	dir  string
	opts Options
	lock *os.File

	mu      sync.Mutex
	cond    sync.Cond // signals Seal and Close that nobody leads
	pending []entry
	cur     *group // the group pending records belong to; nil when none
	leading bool   // a goroutine is writing a group
	failed  error  // a write or sync failed: every later append fails
	closed  bool

	filesMu sync.Mutex
	files   []*file // in log order: a snapshot first if any, then segments
	nextID  uint64

	// Owned by the leading goroutine.
	active *file
	buf    []byte

	stop        chan struct{}
	flusherDone chan struct{}
}

// Open opens (creating if needed) the log in dir, replays every record to
// replay in log order (the payload slice is only valid during the call),
// and starts the lazy flusher.
func Open(dir string, opts Options, replay func(payload []byte, p Pos) error) (*Log, error) {
	if opts.SegmentBytes <= 0 {
		opts.SegmentBytes = DefaultSegmentBytes
	}
	if opts.FlushInterval <= 0 {
		opts.FlushInterval = DefaultFlushInterval
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	lock, err := os.OpenFile(filepath.Join(dir, "LOCK"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	if err := lockFile(lock); err != nil {
		lock.Close()
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	l := &Log{dir: dir, opts: opts, lock: lock, stop: make(chan struct{}), flusherDone: make(chan struct{})}
	l.cond.L = &l.mu
	if err := l.load(replay); err != nil {
		l.closeFiles()
		lock.Close()
		return nil, err
	}
	go l.flusher()
	return l, nil
}

// load finds the files to replay, removes those a snapshot replaced and
// replays the rest.
func (l *Log) load(replay func([]byte, Pos) error) error {
	names, err := os.ReadDir(l.dir)
	if err != nil {
		return fmt.Errorf("read data dir: %w", err)
	}
	var logs, snaps []uint64
	for _, e := range names {
		name := e.Name()
		if strings.HasSuffix(name, ".snap.tmp") {
			// A compaction that did not finish; the files it would have
			// replaced are all still here.
			if err := os.Remove(filepath.Join(l.dir, name)); err != nil {
				return fmt.Errorf("remove unfinished snapshot: %w", err)
			}
			continue
		}
		if id, ok := parseName(name, ".log"); ok {
			logs = append(logs, id)
		} else if id, ok := parseName(name, ".snap"); ok {
			snaps = append(snaps, id)
		}
	}
	slices.Sort(logs)
	slices.Sort(snaps)
	var covered uint64 // every file up to this id is in the snapshot
	hasSnap := len(snaps) > 0
	if hasSnap {
		covered = snaps[len(snaps)-1]
		for _, id := range snaps[:len(snaps)-1] {
			if err := os.Remove(filepath.Join(l.dir, fileName(id, true))); err != nil {
				return fmt.Errorf("remove replaced snapshot: %w", err)
			}
		}
		if err := l.openFile(covered, true); err != nil {
			return err
		}
	}
	for _, id := range logs {
		if hasSnap && id <= covered {
			// Compacted into the snapshot; the removal did not finish.
			if err := os.Remove(filepath.Join(l.dir, fileName(id, false))); err != nil {
				return fmt.Errorf("remove compacted segment: %w", err)
			}
			continue
		}
		if err := l.openFile(id, false); err != nil {
			return err
		}
	}
	l.nextID = covered + 1
	if len(logs) > 0 {
		l.nextID = max(l.nextID, logs[len(logs)-1]+1)
	}
	for i, f := range l.files {
		last := i == len(l.files)-1
		end, torn, err := scan(f, replay)
		if err != nil {
			return err
		}
		if torn && (!last || f.snap) {
			return fmt.Errorf("sqs store: %s is damaged at offset %d (not at the end of the log); move the data dir aside to start empty", f.path, end)
		}
		if torn {
			// A write cut short by a crash, never acknowledged: cut it
			// off so that the next record starts on clean ground.
			if err := f.f.Truncate(end); err != nil {
				return fmt.Errorf("truncate torn record: %w", err)
			}
			if err := f.f.Sync(); err != nil {
				return fmt.Errorf("truncate torn record: %w", err)
			}
		}
		f.size.Store(end)
		st, err := f.f.Stat()
		if err != nil {
			return err
		}
		f.allocated = st.Size()
	}
	if n := len(l.files); n > 0 && !l.files[n-1].snap {
		l.active = l.files[n-1]
		return nil
	}
	return l.roll()
}

func (l *Log) openFile(id uint64, snap bool) error {
	path := filepath.Join(l.dir, fileName(id, snap))
	f, err := os.OpenFile(path, os.O_RDWR, 0o600)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	l.files = append(l.files, &file{id: id, snap: snap, path: path, f: f})
	return nil
}

func fileName(id uint64, snap bool) string {
	ext := ".log"
	if snap {
		ext = ".snap"
	}
	return fmt.Sprintf("%016x%s", id, ext)
}

func parseName(name, ext string) (uint64, bool) {
	hex, ok := strings.CutSuffix(name, ext)
	if !ok || len(hex) != 16 {
		return 0, false
	}
	id, err := strconv.ParseUint(hex, 16, 64)
	return id, err == nil
}

// scan replays f's records and returns where its data ends, and whether
// what follows is a damaged record rather than the zeros (or end of file)
// that end a clean segment.
func scan(f *file, replay func([]byte, Pos) error) (end int64, torn bool, err error) {
	st, err := f.f.Stat()
	if err != nil {
		return 0, false, err
	}
	size := st.Size()
	r := bufio.NewReaderSize(io.NewSectionReader(f.f, 0, size), 1<<20)
	var hdr [headerSize]byte
	var buf []byte
	var off int64
	for {
		n, err := io.ReadFull(r, hdr[:])
		if err != nil {
			return off, n > 0 && !allZero(hdr[:n]), nil
		}
		length := int64(binary.LittleEndian.Uint32(hdr[:4]))
		if length == 0 {
			return off, !allZero(hdr[:]), nil
		}
		if length > maxRecordBytes || off+headerSize+length > size {
			return off, true, nil
		}
		if int64(cap(buf)) < length {
			buf = make([]byte, length)
		}
		buf = buf[:length]
		if _, err := io.ReadFull(r, buf); err != nil {
			return off, true, nil
		}
		if checksum(hdr[:4], buf) != binary.LittleEndian.Uint32(hdr[4:]) {
			return off, true, nil
		}
		if err := replay(buf, Pos{f: f, off: off + headerSize, n: int(length)}); err != nil {
			return off, false, fmt.Errorf("replay %s at offset %d: %w", f.path, off, err)
		}
		off += headerSize + length
	}
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

func checksum(length, payload []byte) uint32 {
	return crc32.Update(crc32.Checksum(length, castagnoli), castagnoli, payload)
}

// appendRecord frames payload onto buf.
func appendRecord(buf, payload []byte) []byte {
	var hdr [headerSize]byte
	binary.LittleEndian.PutUint32(hdr[:4], uint32(len(payload)))
	binary.LittleEndian.PutUint32(hdr[4:], checksum(hdr[:4], payload))
	return append(append(buf, hdr[:]...), payload...)
}

// Append queues a record for the next group and returns at once; Wait on
// the ticket before acknowledging what the record holds. The records of
// one Append are one unit: after a crash the log has all of it or none.
func (l *Log) Append(payload []byte, v any) *Ticket {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.refusal(); err != nil {
		return &Ticket{l: l, g: failedGroup(err)}
	}
	l.pending = append(l.pending, entry{data: payload, v: v})
	if l.cur == nil {
		l.cur = newGroup()
	}
	return &Ticket{l: l, g: l.cur}
}

// AppendLazy queues a record nobody waits for: it is written with the next
// group, or by the flusher within FlushInterval.
func (l *Log) AppendLazy(payload []byte, v any) {
	l.Append(payload, v)
}

func (l *Log) refusal() error {
	if l.closed {
		return ErrClosed
	}
	return l.failed
}

func (l *Log) wait(g *group) error {
	for {
		if g.finished() {
			return g.err
		}
		l.mu.Lock()
		if !l.leading && !g.finished() {
			// Nobody is writing, so g is the pending group: write it here,
			// with no hand-off to another goroutine.
			l.lead(nil)
			l.mu.Unlock()
			continue
		}
		l.mu.Unlock()
		select {
		case <-g.done:
			return g.err
		case <-g.lead:
			// The group before is on disk and this waiter was picked to
			// write g (unless someone else took the lead meanwhile).
		}
	}
}

// lead writes the pending group, then runs after (if the write succeeded)
// while still the only writer. Called with l.mu held and nobody leading;
// it releases l.mu for the I/O and holds it again on return.
func (l *Log) lead(after func()) error {
	l.leading = true
	batch, g, err := l.pending, l.cur, l.failed
	l.pending, l.cur = nil, nil
	l.mu.Unlock()
	if err == nil && len(batch) > 0 {
		var pos []Pos
		pos, err = l.writeBatch(batch)
		if err == nil && l.opts.Applied != nil {
			for i, e := range batch {
				l.opts.Applied(e.v, pos[i])
			}
		}
	}
	if err == nil && after != nil {
		after()
	}
	if g != nil {
		g.err = err
		close(g.done)
	}
	l.mu.Lock()
	if err != nil && l.failed == nil {
		// After a failed write or fsync the file's state is unknown
		// (what reached the disk, what the page cache kept): stop.
		l.failed = fmt.Errorf("sqs store write failed, restart to recover: %w", err)
	}
	l.leading = false
	if l.cur != nil {
		select {
		case l.cur.lead <- struct{}{}:
		default:
		}
	}
	l.cond.Broadcast()
	return err
}

// writeBatch frames the group's records into the active segment (rolling
// to a new one where a segment fills), writes and syncs them.
func (l *Log) writeBatch(batch []entry) ([]Pos, error) {
	pos := make([]Pos, len(batch))
	buf := l.buf[:0]
	for i, e := range batch {
		start := l.active.size.Load() + int64(len(buf))
		if start > 0 && start+headerSize+int64(len(e.data)) > l.opts.SegmentBytes {
			if err := l.flush(buf); err != nil {
				return nil, err
			}
			buf = buf[:0]
			if err := l.roll(); err != nil {
				return nil, err
			}
			start = 0
		}
		buf = appendRecord(buf, e.data)
		pos[i] = Pos{f: l.active, off: start + headerSize, n: len(e.data)}
	}
	err := l.flush(buf)
	if cap(buf) <= keepBufBytes {
		l.buf = buf[:0]
	} else {
		l.buf = nil
	}
	return pos, err
}

// flush writes buf at the end of the active segment and syncs it.
func (l *Log) flush(buf []byte) error {
	if len(buf) == 0 {
		return nil
	}
	a := l.active
	at := a.size.Load()
	end := at + int64(len(buf))
	if end > a.allocated {
		reserve := (end + preallocChunk - 1) / preallocChunk * preallocChunk
		if err := preallocate(a.f, a.allocated, reserve-a.allocated); err != nil {
			return fmt.Errorf("preallocate %s: %w", a.path, err)
		}
		a.allocated = reserve
	}
	if _, err := a.f.WriteAt(buf, at); err != nil {
		return fmt.Errorf("write %s: %w", a.path, err)
	}
	if err := fdatasync(a.f); err != nil {
		return fmt.Errorf("sync %s: %w", a.path, err)
	}
	a.size.Store(end)
	return nil
}

// roll starts a new segment. The previous one is complete and synced; its
// unused reservation is given back.
func (l *Log) roll() error {
	if prev := l.active; prev != nil {
		if err := prev.f.Truncate(prev.size.Load()); err == nil {
			prev.allocated = prev.size.Load()
		}
	}
	id := l.nextID
	path := filepath.Join(l.dir, fileName(id, false))
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("create segment: %w", err)
	}
	nf := &file{id: id, path: path, f: f}
	if err := preallocate(f, 0, preallocChunk); err != nil {
		f.Close()
		return fmt.Errorf("preallocate %s: %w", path, err)
	}
	if st, err := f.Stat(); err == nil {
		nf.allocated = st.Size()
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync %s: %w", path, err)
	}
	if err := syncDir(l.dir); err != nil {
		f.Close()
		return err
	}
	l.nextID++
	l.filesMu.Lock()
	l.files = append(l.files, nf)
	l.filesMu.Unlock()
	l.active = nf
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open data dir: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync data dir: %w", err)
	}
	return nil
}

// flusher writes lazy records nobody waits for.
func (l *Log) flusher() {
	defer close(l.flusherDone)
	t := time.NewTicker(l.opts.FlushInterval)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			l.mu.Lock()
			if !l.leading && len(l.pending) > 0 {
				l.lead(nil)
			}
			l.mu.Unlock()
		}
	}
}

// Read returns the bytes at p.
func (l *Log) Read(p Pos) ([]byte, error) {
	if p.f == nil {
		return nil, nil
	}
	p.f.mu.RLock()
	defer p.f.mu.RUnlock()
	if p.f.closed {
		return nil, ErrGone
	}
	b := make([]byte, p.n)
	if _, err := p.f.f.ReadAt(b, p.off); err != nil {
		return nil, fmt.Errorf("read %s: %w", p.f.path, err)
	}
	return b, nil
}

// Size is the number of bytes of records in the log's files.
func (l *Log) Size() int64 {
	l.filesMu.Lock()
	defer l.filesMu.Unlock()
	var n int64
	for _, f := range l.files {
		n += f.size.Load()
	}
	return n
}

// Close writes what is pending, stops the flusher and closes the files.
// Appends after Close fail with ErrClosed.
func (l *Log) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	for l.leading {
		l.cond.Wait()
	}
	var err error
	if len(l.pending) > 0 {
		err = l.lead(nil)
	}
	l.mu.Unlock()
	close(l.stop)
	<-l.flusherDone
	l.closeFiles()
	if cerr := l.lock.Close(); err == nil {
		err = cerr
	}
	return err
}

func (l *Log) closeFiles() {
	l.filesMu.Lock()
	defer l.filesMu.Unlock()
	for _, f := range l.files {
		f.mu.Lock()
		if !f.closed {
			f.closed = true
			f.f.Close()
		}
		f.mu.Unlock()
	}
}
