package wal

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
)

// Compaction replaces the sealed files with a snapshot holding only the
// bytes still needed. Its steps: Seal, Rewrite, then Install (or Abort).
type Compaction struct {
	l      *Log
	sealed []*file
	order  map[*file]int
	snap   *file
}

// Seal ends the active segment and calls capture while no record can be
// written: every record applied so far lies in the sealed files, every
// later one in a newer file. capture is where the caller lists what it
// still needs. Seal returns nil when there is nothing sealed to compact.
func (l *Log) Seal(capture func()) (*Compaction, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for l.leading {
		l.cond.Wait()
	}
	if err := l.refusal(); err != nil {
		return nil, err
	}
	var c *Compaction
	var rollErr error
	// Pending records are written first, so that they are sealed too.
	err := l.lead(func() {
		if l.active.size.Load() > 0 {
			if rollErr = l.roll(); rollErr != nil {
				return
			}
		}
		l.filesMu.Lock()
		sealed := slices.Clone(l.files[:len(l.files)-1])
		l.filesMu.Unlock()
		if len(sealed) == 0 {
			return
		}
		c = &Compaction{l: l, sealed: sealed, order: map[*file]int{}}
		for i, f := range sealed {
			c.order[f] = i
		}
		capture()
	})
	if err != nil {
		return nil, err
	}
	return c, rollErr
}

// Rewrite copies the bytes at each of items (positions in the sealed
// files), in log order, followed by extra, into a new snapshot file and
// syncs it. It returns each item's new position, which Read serves at
// once; the snapshot replaces the sealed files only at Install.
func (c *Compaction) Rewrite(items []Pos, extra [][]byte, cancel <-chan struct{}) ([]Pos, error) {
	last := c.sealed[len(c.sealed)-1]
	path := filepath.Join(c.l.dir, fileName(last.id, true)+".tmp")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create snapshot: %w", err)
	}
	c.snap = &file{id: last.id, snap: true, path: path, f: f}
	order := make([]int, len(items))
	for i := range order {
		order[i] = i
		if _, ok := c.order[items[i].f]; !ok {
			return nil, fmt.Errorf("compaction item outside the sealed files")
		}
	}
	slices.SortFunc(order, func(a, b int) int {
		fa, fb := c.order[items[a].f], c.order[items[b].f]
		if fa != fb {
			return fa - fb
		}
		return int(items[a].off - items[b].off)
	})
	out := make([]Pos, len(items))
	var written int64
	var payload, framed []byte
	var owners []int // items whose bytes are in payload
	var offsets []int
	closeRecord := func() error {
		if len(payload) == 0 {
			return nil
		}
		framed = appendRecord(framed[:0], payload)
		if _, err := f.WriteAt(framed, written); err != nil {
			return fmt.Errorf("write snapshot: %w", err)
		}
		for i, o := range owners {
			out[o] = Pos{f: c.snap, off: written + headerSize + int64(offsets[i]), n: items[o].n}
		}
		written += int64(len(framed))
		payload, owners, offsets = payload[:0], owners[:0], offsets[:0]
		return nil
	}
	for _, i := range order {
		select {
		case <-cancel:
			return nil, ErrCanceled
		default:
		}
		b, err := c.l.Read(items[i])
		if err != nil {
			return nil, err
		}
		owners, offsets = append(owners, i), append(offsets, len(payload))
		payload = append(payload, b...)
		if len(payload) >= snapshotRecordBytes {
			if err := closeRecord(); err != nil {
				return nil, err
			}
		}
	}
	for _, b := range extra {
		payload = append(payload, b...)
	}
	if err := closeRecord(); err != nil {
		return nil, err
	}
	if err := fdatasync(f); err != nil {
		return nil, fmt.Errorf("sync snapshot: %w", err)
	}
	c.snap.size.Store(written)
	c.snap.allocated = written
	return out, nil
}

// Install puts the snapshot in place of the sealed files and deletes them.
// Callers first move every position they keep to Rewrite's; a Read of a
// stale position into a deleted file returns ErrGone.
func (c *Compaction) Install() error {
	final := filepath.Join(c.l.dir, fileName(c.snap.id, true))
	if err := os.Rename(c.snap.path, final); err != nil {
		return fmt.Errorf("install snapshot: %w", err)
	}
	c.snap.path = final
	if err := syncDir(c.l.dir); err != nil {
		return err
	}
	c.l.filesMu.Lock()
	files := []*file{c.snap}
	for _, f := range c.l.files {
		if _, sealed := c.order[f]; !sealed {
			files = append(files, f)
		}
	}
	c.l.files = files
	c.l.filesMu.Unlock()
	for _, f := range c.sealed {
		f.mu.Lock()
		f.closed = true
		f.f.Close()
		f.mu.Unlock()
		if f.path != final {
			if err := os.Remove(f.path); err != nil && !os.IsNotExist(err) {
				return fmt.Errorf("remove compacted file: %w", err)
			}
		}
	}
	return nil
}

// Abort drops an unfinished snapshot; the sealed files stay in use.
func (c *Compaction) Abort() {
	if c == nil || c.snap == nil {
		return
	}
	c.snap.f.Close()
	os.Remove(c.snap.path)
}
