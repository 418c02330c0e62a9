package benchcmp

import (
	"testing"
	"time"
)

// fakeTimer times nothing: it records which side each pass ran and
// answers a fixed duration per side, so the ratio is known in advance.
type fakeTimer struct {
	op, base *int // call counters the funcs increment, to tell them apart
	passes   []string
	opTime   time.Duration
	baseTime time.Duration
}

func (f *fakeTimer) time(fn func(), n int) time.Duration {
	before := *f.op
	fn()
	if *f.op != before {
		f.passes = append(f.passes, "op")
		return f.opTime
	}
	f.passes = append(f.passes, "base")
	return f.baseTime
}

func TestAlternateGivesBothSidesTheSamePasses(t *testing.T) {
	var opCalls, baseCalls int
	ft := &fakeTimer{op: &opCalls, base: &baseCalls, opTime: 300, baseTime: 200}
	ours, theirs := alternate(func() { opCalls++ }, func() { baseCalls++ }, 1000, ft.time)
	if ours != 300 || theirs != 200 {
		t.Fatalf("fastest passes = %v, %v; want 300ns, 200ns", ours, theirs)
	}
	count := map[string]int{}
	for _, p := range ft.passes {
		count[p]++
	}
	if count["op"] != rounds || count["base"] != rounds {
		t.Fatalf("passes %v: want %d of each side", ft.passes, rounds)
	}
	// The side that goes first swaps every round.
	for r := 0; r+1 < rounds; r++ {
		if ft.passes[2*r] == ft.passes[2*r+2] {
			t.Fatalf("passes %v: round %d starts with the same side as round %d", ft.passes, r+1, r)
		}
	}
}

// TestRatioLeavesTheLoopPassOut: the b.Loop pass (real time, far below the
// fake passes here) must not count as one of op's passes, or op gets one
// more chance at a fast pass than the baseline and the ratio drops below
// the true 1.0.
func TestRatioLeavesTheLoopPassOut(t *testing.T) {
	var opCalls, baseCalls int
	ft := &fakeTimer{op: &opCalls, base: &baseCalls, opTime: time.Hour, baseTime: time.Hour}
	res := testing.Benchmark(func(b *testing.B) {
		ratio(b, func() { opCalls++ }, map[string]func(){"base": func() { baseCalls++ }}, ft.time)
	})
	got, ok := res.Extra["x-base"]
	if !ok {
		t.Fatalf("no x-base metric in %v", res.Extra)
	}
	if got != 1 {
		t.Fatalf("x-base = %v, want 1 (equal fake passes)", got)
	}
	if len(ft.passes) != 2*rounds {
		t.Fatalf("%d timed passes, want %d", len(ft.passes), 2*rounds)
	}
}
