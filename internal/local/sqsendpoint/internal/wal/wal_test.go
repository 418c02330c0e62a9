package wal

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// record is what a replay saw.
type record struct {
	data string
	pos  Pos
}

func openLog(t *testing.T, dir string, opts Options) (*Log, []record) {
	t.Helper()
	var got []record
	l, err := Open(dir, opts, func(b []byte, p Pos) error {
		got = append(got, record{string(b), p})
		return nil
	})
	require.NoError(t, err)
	return l, got
}

func appendAll(t *testing.T, l *Log, data ...string) {
	t.Helper()
	for _, d := range data {
		require.NoError(t, l.Append([]byte(d), d).Wait())
	}
}

func datas(rs []record) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.data
	}
	return out
}

func segments(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		if e.Name() != "LOCK" {
			out = append(out, e.Name())
		}
	}
	return out
}

func TestReopenReplaysInOrderAndReads(t *testing.T) {
	dir := t.TempDir()
	var applied []record
	l, got := openLog(t, dir, Options{Applied: func(v any, p Pos) { applied = append(applied, record{v.(string), p}) }})
	assert.Empty(t, got)
	for _, d := range []string{"one", "two", "three"} {
		require.NoError(t, l.Append([]byte(d), d).Wait())
	}
	require.Len(t, applied, 3)
	b, err := l.Read(applied[1].pos.Slice(1, 2))
	require.NoError(t, err)
	assert.Equal(t, "wo", string(b), "a slice of a record reads its bytes")
	require.NoError(t, l.Close())
	assert.ErrorIs(t, l.Append([]byte("late"), nil).Wait(), ErrClosed)

	l, got = openLog(t, dir, Options{})
	defer l.Close()
	assert.Equal(t, []string{"one", "two", "three"}, datas(got))
	b, err = l.Read(got[2].pos)
	require.NoError(t, err)
	assert.Equal(t, "three", string(b))
}

func TestSecondOpenIsRefused(t *testing.T) {
	dir := t.TempDir()
	l, _ := openLog(t, dir, Options{})
	defer l.Close()
	_, err := Open(dir, Options{}, func([]byte, Pos) error { return nil })
	assert.ErrorIs(t, err, ErrLocked)
}

// tornTail appends to the last segment what a crash in the middle of a
// write leaves: a header claiming more payload than made it to disk.
func tornTail(t *testing.T, dir string, tail []byte) {
	t.Helper()
	names := segments(t, dir)
	path := filepath.Join(dir, names[len(names)-1])
	l, _ := openLog(t, dir, Options{})
	end := l.active.size.Load()
	require.NoError(t, l.Close())
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteAt(tail, end)
	require.NoError(t, err)
	require.NoError(t, f.Close())
}

func TestTornTailIsCutOff(t *testing.T) {
	cases := []struct {
		name string
		tail []byte
	}{
		{"payload cut short", func() []byte {
			var hdr [headerSize]byte
			binary.LittleEndian.PutUint32(hdr[:4], 100)
			return append(hdr[:], "only part"...)
		}()},
		{"bad checksum", func() []byte {
			b := appendRecord(nil, []byte("flipped"))
			b[len(b)-1] ^= 1
			return b
		}()},
		{"half a header", []byte{7, 0, 0}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			l, _ := openLog(t, dir, Options{})
			appendAll(t, l, "kept-1", "kept-2")
			require.NoError(t, l.Close())
			tornTail(t, dir, tc.tail)

			l, got := openLog(t, dir, Options{})
			assert.Equal(t, []string{"kept-1", "kept-2"}, datas(got))
			appendAll(t, l, "after")
			require.NoError(t, l.Close())
			l, got = openLog(t, dir, Options{})
			defer l.Close()
			assert.Equal(t, []string{"kept-1", "kept-2", "after"}, datas(got), "the record after a cut tail is found on the next open")
		})
	}
}

func TestDamageBeforeTheEndFailsOpen(t *testing.T) {
	dir := t.TempDir()
	l, _ := openLog(t, dir, Options{SegmentBytes: 64})
	appendAll(t, l, "first-record-in-segment-one", "second-record-rolls-to-two", "third")
	require.NoError(t, l.Close())
	names := segments(t, dir)
	require.GreaterOrEqual(t, len(names), 2)
	f, err := os.OpenFile(filepath.Join(dir, names[0]), os.O_RDWR, 0)
	require.NoError(t, err)
	_, err = f.WriteAt([]byte{'X'}, headerSize+1)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	_, err = Open(dir, Options{}, func([]byte, Pos) error { return nil })
	require.Error(t, err)
	assert.Contains(t, err.Error(), "damaged")
}

func TestSegmentsRollAndReplayInOrder(t *testing.T) {
	dir := t.TempDir()
	l, _ := openLog(t, dir, Options{SegmentBytes: 100})
	var want []string
	for i := range 20 {
		d := fmt.Sprintf("record-%02d-%s", i, "padding-padding")
		want = append(want, d)
		appendAll(t, l, d)
	}
	require.NoError(t, l.Close())
	assert.Greater(t, len(segments(t, dir)), 5, "a segment holds about three of these records")
	l, got := openLog(t, dir, Options{SegmentBytes: 100})
	defer l.Close()
	assert.Equal(t, want, datas(got))
}

// TestGroupCommit has many writers at once: every record is written once,
// Applied sees them in log order, and fewer fdatasyncs than records are
// needed (counted as groups).
func TestGroupCommit(t *testing.T) {
	dir := t.TempDir()
	var mu sync.Mutex
	var applied []record
	l, _ := openLog(t, dir, Options{SegmentBytes: 4096, Applied: func(v any, p Pos) {
		mu.Lock()
		applied = append(applied, record{v.(string), p})
		mu.Unlock()
	}})
	const writers, each = 16, 50
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				d := fmt.Sprintf("w%02d-%03d", w, i)
				assert.NoError(t, l.Append([]byte(d), d).Wait())
			}
		}()
	}
	wg.Wait()
	require.NoError(t, l.Close())
	require.Len(t, applied, writers*each)
	// Log order: within a file offsets increase, and files are in order.
	fileOrder := map[*file]int{}
	for _, f := range l.files {
		fileOrder[f] = len(fileOrder)
	}
	assert.True(t, sort.SliceIsSorted(applied, func(i, j int) bool {
		a, b := applied[i].pos, applied[j].pos
		if a.f != b.f {
			return fileOrder[a.f] < fileOrder[b.f]
		}
		return a.off < b.off
	}), "Applied runs in log order")

	l, got := openLog(t, dir, Options{})
	defer l.Close()
	assert.Equal(t, datas(applied), datas(got), "replay sees what Applied saw, in the same order")
}

func TestAppendLazyIsWrittenByTheFlusher(t *testing.T) {
	dir := t.TempDir()
	written := make(chan string, 1)
	l, _ := openLog(t, dir, Options{FlushInterval: time.Millisecond, Applied: func(v any, _ Pos) { written <- v.(string) }})
	l.AppendLazy([]byte("lazy"), "lazy")
	select {
	case v := <-written:
		assert.Equal(t, "lazy", v)
	case <-time.After(10 * time.Second):
		t.Fatal("lazy record never written")
	}
	require.NoError(t, l.Close())
	l, got := openLog(t, dir, Options{})
	defer l.Close()
	assert.Equal(t, []string{"lazy"}, datas(got))
}

func TestWriteFailureStopsTheLog(t *testing.T) {
	l, _ := openLog(t, t.TempDir(), Options{})
	appendAll(t, l, "ok")
	l.active.f.Close() // the disk goes away
	assert.Error(t, l.Append([]byte("lost"), nil).Wait())
	err := l.Append([]byte("after"), nil).Wait()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "restart to recover", "a failed log refuses every later write")
	l.Close()
}

// compactKeeping seals l and rewrites only the records whose data is in
// keep, repointing nothing (the caller reads the returned positions).
func compactKeeping(t *testing.T, l *Log, applied *[]record, keep map[string]bool) (map[string]Pos, *Compaction) {
	t.Helper()
	var items []Pos
	var names []string
	c, err := l.Seal(func() {
		for _, r := range *applied {
			if keep[r.data] {
				items = append(items, r.pos)
				names = append(names, r.data)
			}
		}
	})
	require.NoError(t, err)
	require.NotNil(t, c)
	moved, err := c.Rewrite(items, [][]byte{[]byte("extra")}, nil)
	require.NoError(t, err)
	out := map[string]Pos{}
	for i, n := range names {
		out[n] = moved[i]
	}
	return out, c
}

func TestCompactionReplacesSealedFiles(t *testing.T) {
	dir := t.TempDir()
	var applied []record
	opts := Options{SegmentBytes: 128, Applied: func(v any, p Pos) { applied = append(applied, record{v.(string), p}) }}
	l, _ := openLog(t, dir, opts)
	for i := range 30 {
		d := fmt.Sprintf("record-%02d", i)
		require.NoError(t, l.Append([]byte(d), d).Wait())
	}
	before := l.Size()
	filesBefore := len(segments(t, dir))
	oldPos := applied[3].pos
	moved, c := compactKeeping(t, l, &applied, map[string]bool{"record-03": true, "record-17": true})
	b, err := l.Read(moved["record-17"])
	require.NoError(t, err)
	assert.Equal(t, "record-17", string(b), "a rewritten record reads at its new position before Install")
	require.NoError(t, c.Install())
	_, err = l.Read(oldPos)
	assert.ErrorIs(t, err, ErrGone, "the sealed files are gone")
	b, err = l.Read(moved["record-03"])
	require.NoError(t, err)
	assert.Equal(t, "record-03", string(b))
	assert.Less(t, l.Size(), before/5, "the log shrank to the kept records")
	assert.Less(t, len(segments(t, dir)), filesBefore)
	appendAll(t, l, "after-compaction")
	require.NoError(t, l.Close())

	l, got := openLog(t, dir, Options{})
	defer l.Close()
	// The two kept records and the extra bytes share one snapshot record.
	assert.Equal(t, []string{"record-03record-17extra", "after-compaction"}, datas(got))
}

func TestCrashMidCompactionKeepsTheSealedFiles(t *testing.T) {
	dir := t.TempDir()
	var applied []record
	l, _ := openLog(t, dir, Options{SegmentBytes: 128, Applied: func(v any, p Pos) { applied = append(applied, record{v.(string), p}) }})
	var want []string
	for i := range 10 {
		d := fmt.Sprintf("record-%02d", i)
		want = append(want, d)
		require.NoError(t, l.Append([]byte(d), d).Wait())
	}
	_, _ = compactKeeping(t, l, &applied, map[string]bool{"record-01": true})
	// No Install: the process dies with the snapshot still a .tmp file.
	require.NoError(t, l.Close())
	l, got := openLog(t, dir, Options{})
	defer l.Close()
	assert.Equal(t, want, datas(got))
	for _, n := range segments(t, dir) {
		assert.NotContains(t, n, ".tmp", "the unfinished snapshot is removed")
	}
}

func TestCrashAfterSnapshotRenameIgnoresReplacedFiles(t *testing.T) {
	dir := t.TempDir()
	var applied []record
	l, _ := openLog(t, dir, Options{SegmentBytes: 128, Applied: func(v any, p Pos) { applied = append(applied, record{v.(string), p}) }})
	for i := range 10 {
		d := fmt.Sprintf("record-%02d", i)
		require.NoError(t, l.Append([]byte(d), d).Wait())
	}
	_, c := compactKeeping(t, l, &applied, map[string]bool{"record-05": true})
	// The rename happened, the removal of the replaced files did not.
	require.NoError(t, os.Rename(c.snap.path, filepath.Join(dir, fileName(c.snap.id, true))))
	require.NoError(t, l.Close())
	l, got := openLog(t, dir, Options{})
	defer l.Close()
	assert.Equal(t, []string{"record-05extra"}, datas(got))
	for _, n := range segments(t, dir) {
		if id, ok := parseName(n, ".log"); ok {
			assert.Greater(t, id, c.snap.id, "replaced segment %s removed", n)
		}
	}
}

func TestSealWithNothingWrittenIsNil(t *testing.T) {
	l, _ := openLog(t, t.TempDir(), Options{})
	defer l.Close()
	c, err := l.Seal(func() { t.Error("nothing to capture") })
	require.NoError(t, err)
	assert.Nil(t, c)
}
