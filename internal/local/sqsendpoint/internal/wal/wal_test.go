package wal

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"slices"
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

func TestPosSlice(t *testing.T) {
	p := Pos{f: &file{}, off: 100, n: 10}
	assert.False(t, p.IsZero())
	assert.True(t, Pos{}.IsZero())
	q := p.Slice(2, 8)
	assert.Equal(t, 8, q.Len())
	assert.Equal(t, 2, p.Offset(q))
	for _, bad := range [][2]int{{-1, 1}, {0, -1}, {3, 8}, {11, 0}} {
		assert.Panics(t, func() { p.Slice(bad[0], bad[1]) }, "Slice(%d, %d)", bad[0], bad[1])
	}
	assert.NotPanics(t, func() { p.Slice(10, 0) })
	assert.NotPanics(t, func() { p.Slice(0, 10) })
}

// fileSize is a file's size in dir by its name's id and kind.
func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	st, err := os.Stat(path)
	require.NoError(t, err)
	return st.Size()
}

// TestSegmentBoundaries: records that fill a segment exactly stay in it;
// the next one starts a segment; a record bigger than a segment has one
// of its own; a sealed segment is cut to its data.
func TestSegmentBoundaries(t *testing.T) {
	dir := t.TempDir()
	rec := func(c byte) string { return string(bytesOf(c, 10)) }
	l, _ := openLog(t, dir, Options{SegmentBytes: 2 * (headerSize + 10)})
	appendAll(t, l, rec('a'), rec('b'))
	assert.Len(t, l.files, 1, "two records fill the segment exactly")
	appendAll(t, l, rec('c'))
	require.Len(t, l.files, 2)
	assert.Equal(t, int64(2*(headerSize+10)), fileSize(t, l.files[0].path), "the sealed segment is cut to its data")
	appendAll(t, l, string(bytesOf('d', 100)))
	assert.Len(t, l.files, 3, "a record bigger than a segment starts a new one…")
	appendAll(t, l, rec('e'))
	assert.Len(t, l.files, 4, "…and fills it")
	big := l.files[2]
	assert.Equal(t, int64(headerSize+100), big.size.Load())
	// A record that fits without its header does not fit.
	appendAll(t, l, string(bytesOf('f', 12)))
	assert.Len(t, l.files, 5, "18 + 8 + 12 bytes overflow a 36-byte segment")
	require.NoError(t, l.Close())
	l, got := openLog(t, dir, Options{})
	defer l.Close()
	assert.Equal(t, []string{rec('a'), rec('b'), rec('c'), string(bytesOf('d', 100)), rec('e'), string(bytesOf('f', 12))}, datas(got))

	fresh, _ := openLog(t, t.TempDir(), Options{SegmentBytes: 36})
	defer fresh.Close()
	appendAll(t, fresh, string(bytesOf('g', 100)))
	assert.Len(t, fresh.files, 1, "an empty segment takes a record bigger than a segment")
}

func bytesOf(c byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = c
	}
	return b
}

// TestSegmentsAreReservedAheadByTheMebibyte: the active segment's size is
// its data rounded up to the reservation chunk, so that writes inside it
// do not change its size.
func TestSegmentsAreReservedAheadByTheMebibyte(t *testing.T) {
	probe, err := os.Create(filepath.Join(t.TempDir(), "probe"))
	require.NoError(t, err)
	require.NoError(t, preallocate(probe, 0, 4096))
	st, _ := probe.Stat()
	probe.Close()
	if st.Size() != 4096 {
		t.Skip("this filesystem or OS does not preallocate; files grow as written")
	}
	l, _ := openLog(t, t.TempDir(), Options{})
	defer l.Close()
	path := l.active.path
	assert.Equal(t, int64(preallocChunk), fileSize(t, path), "a new segment is reserved one chunk")
	chunk := string(bytesOf('x', preallocChunk/2))
	appendAll(t, l, chunk, chunk) // just over one chunk with the headers
	assert.Equal(t, int64(2*preallocChunk), fileSize(t, path))
	appendAll(t, l, chunk)
	assert.Equal(t, int64(2*preallocChunk), fileSize(t, path), "still inside the reservation")
	appendAll(t, l, chunk)
	assert.Equal(t, int64(3*preallocChunk), fileSize(t, path))
}

// TestSealedSegmentEnds: zeros after a sealed segment's records (a roll
// whose cut-to-size did not reach the disk) end it cleanly; anything else
// there is damage.
func TestSealedSegmentEnds(t *testing.T) {
	cases := []struct {
		name    string
		tail    []byte
		damaged bool
	}{
		{"zero padding", make([]byte, 4096), false},
		{"half a header", []byte{9, 0}, true},
		{"a length past the end", func() []byte {
			b := appendRecord(nil, []byte("short"))
			b[0] = 200
			return b
		}(), true},
		{"an absurd length", []byte{0xff, 0xff, 0xff, 0x7f, 1, 2, 3, 4}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			l, _ := openLog(t, dir, Options{SegmentBytes: 40})
			appendAll(t, l, "first-segment-record", "second-segment-record")
			require.NoError(t, l.Close())
			names := segments(t, dir)
			require.Len(t, names, 2)
			f, err := os.OpenFile(filepath.Join(dir, names[0]), os.O_WRONLY|os.O_APPEND, 0)
			require.NoError(t, err)
			_, err = f.Write(tc.tail)
			require.NoError(t, err)
			require.NoError(t, f.Close())
			l, got, err := tryOpen(dir)
			if tc.damaged {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "damaged")
				return
			}
			require.NoError(t, err)
			defer l.Close()
			assert.Equal(t, []string{"first-segment-record", "second-segment-record"}, datas(got))
		})
	}
}

func tryOpen(dir string) (*Log, []record, error) {
	var got []record
	l, err := Open(dir, Options{}, func(b []byte, p Pos) error {
		got = append(got, record{string(b), p})
		return nil
	})
	return l, got, err
}

// TestCompactionKeepsLogOrder: items handed over in any order, from
// several sealed files, come out in log order, in records of about a
// mebibyte.
func TestCompactionKeepsLogOrder(t *testing.T) {
	dir := t.TempDir()
	var applied []record
	l, _ := openLog(t, dir, Options{SegmentBytes: 300 << 10, Applied: func(v any, p Pos) { applied = append(applied, record{v.(string), p}) }})
	var want []string
	for i := range 12 {
		d := fmt.Sprintf("%02d", i) + string(bytesOf('k', 200<<10))
		want = append(want, d)
		require.NoError(t, l.Append([]byte(d), d).Wait())
	}
	var items []Pos
	c, err := l.Seal(func() {
		for i := len(applied) - 1; i >= 0; i-- {
			items = append(items, applied[i].pos)
		}
	})
	require.NoError(t, err)
	require.Greater(t, len(c.sealed), 3)
	moved, err := c.Rewrite(items, nil, nil)
	require.NoError(t, err)
	for i, p := range moved {
		b, err := l.Read(p)
		require.NoError(t, err)
		assert.Equal(t, applied[len(applied)-1-i].data, string(b), "item %d read at its new place", i)
	}
	require.NoError(t, c.Install())
	require.NoError(t, l.Close())
	l, got := openLog(t, dir, Options{})
	defer l.Close()
	var joined string
	for _, r := range got {
		joined += r.data
	}
	assert.True(t, slices.Equal(want, splitEvery(joined, len(want[0]))), "log order")
	assert.Equal(t, 2, len(got), "a record closes once it holds a MiB: 12 items of 200 KiB make two of 6")
}

func splitEvery(s string, n int) []string {
	var out []string
	for len(s) >= n {
		out, s = append(out, s[:n]), s[n:]
	}
	return out
}

// TestReopenAfterCompactionKeepsCounting: a snapshot, the segments after
// it, and an older snapshot a crash left behind; new segments take fresh
// ids after the newest file.
func TestReopenAfterCompactionKeepsCounting(t *testing.T) {
	dir := t.TempDir()
	var applied []record
	l, _ := openLog(t, dir, Options{SegmentBytes: 64, Applied: func(v any, p Pos) { applied = append(applied, record{v.(string), p}) }})
	appendAll(t, l, "record-one-is-long", "record-two-is-long", "record-three-long")
	moved, c := compactKeeping(t, l, &applied, map[string]bool{"record-two-is-long": true})
	require.NoError(t, c.Install())
	_ = moved
	appendAll(t, l, "record-four-is-long", "record-five-is-long", "record-six-is-long")
	require.NoError(t, l.Close())
	stale := filepath.Join(dir, fileName(0, true))
	require.NoError(t, os.WriteFile(stale, appendRecord(nil, []byte("stale snapshot")), 0o600))

	l, got := openLog(t, dir, Options{SegmentBytes: 64})
	assert.Equal(t, []string{"record-two-is-longextra", "record-four-is-long", "record-five-is-long", "record-six-is-long"}, datas(got))
	_, err := os.Stat(stale)
	assert.True(t, os.IsNotExist(err), "an older snapshot is removed")
	appendAll(t, l, "record-seven-is-long", "record-eight-is-long")
	require.NoError(t, l.Close())
	l, got = openLog(t, dir, Options{})
	defer l.Close()
	assert.Len(t, got, 6)
}

func TestAbortRemovesTheUnfinishedSnapshot(t *testing.T) {
	var c *Compaction
	assert.NotPanics(t, func() { c.Abort() })
	assert.NotPanics(t, func() { (&Compaction{}).Abort() })
	dir := t.TempDir()
	var applied []record
	l, _ := openLog(t, dir, Options{SegmentBytes: 64, Applied: func(v any, p Pos) { applied = append(applied, record{v.(string), p}) }})
	defer l.Close()
	appendAll(t, l, "record-one-is-long", "record-two-is-long")
	_, c = compactKeeping(t, l, &applied, map[string]bool{"record-one-is-long": true})
	c.Abort()
	for _, n := range segments(t, dir) {
		assert.NotContains(t, n, ".tmp")
	}
}
