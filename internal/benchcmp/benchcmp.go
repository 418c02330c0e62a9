package benchcmp

import (
	"math"
	"testing"
	"time"
)

// Ratio runs op under b (the benchmark's own ns/op and allocs/op), then,
// with the timer stopped, times op and each baseline in alternation for the
// same number of iterations, rounds passes each, and reports the fastest
// pass of op ÷ the fastest pass of the baseline as a metric named
// "x-<name>". A machine busy for a moment thus skews neither side alone.
// (testing.Benchmark cannot be used here: it waits for the running
// benchmark to finish.)
func Ratio(b *testing.B, op func(), baselines map[string]func()) {
	b.Helper()
	ratio(b, op, baselines, timeN)
}

// rounds is how many timed passes each side gets.
const rounds = 3

// ratio is Ratio with the pass timer as a parameter, for its tests.
func ratio(b *testing.B, op func(), baselines map[string]func(), timer func(func(), int) time.Duration) {
	b.ReportAllocs()
	for b.Loop() {
		op()
	}
	n := b.N
	if n < 2 {
		return // -benchtime=1x: too few runs for a ratio to mean anything
	}
	for name, base := range baselines {
		ours, theirs := alternate(op, base, n, timer)
		b.ReportMetric(float64(ours)/float64(theirs), "x-"+name)
	}
}

// alternate times rounds passes of n calls of op and as many of base, in
// turn, and returns the fastest pass of each. The b.Loop pass above is not
// one of them: it would give op one more chance at a fast pass than base
// gets. The side that goes first swaps every round, so neither always runs
// on the caches the other warmed.
func alternate(op, base func(), n int, timer func(func(), int) time.Duration) (ours, theirs time.Duration) {
	ours, theirs = time.Duration(math.MaxInt64), time.Duration(math.MaxInt64)
	for r := range rounds {
		if r%2 == 0 {
			theirs = min(theirs, timer(base, n))
			ours = min(ours, timer(op, n))
		} else {
			ours = min(ours, timer(op, n))
			theirs = min(theirs, timer(base, n))
		}
	}
	return ours, theirs
}

func timeN(f func(), n int) time.Duration {
	start := time.Now()
	for range n {
		f()
	}
	return time.Since(start)
}
