package benchcmp

import (
	"math"
	"testing"
	"time"
)

// Ratio runs op under b (the benchmark's own ns/op and allocs/op), then,
// with the timer stopped, times op and each baseline in alternation for the
// same number of iterations, rounds times, and reports the fastest pass of
// op ÷ the fastest pass of the baseline as a metric named "x-<name>". A
// machine busy for a moment thus skews neither side alone.
// (testing.Benchmark cannot be used here: it waits for the running
// benchmark to finish.)
func Ratio(b *testing.B, op func(), baselines map[string]func()) {
	b.Helper()
	b.ReportAllocs()
	for b.Loop() {
		op()
	}
	n := b.N
	if n < 2 {
		return // -benchtime=1x: too few runs for a ratio to mean anything
	}
	first := b.Elapsed()
	for name, base := range baselines {
		ours, theirs := first, time.Duration(math.MaxInt64)
		for range rounds {
			theirs = min(theirs, timeN(base, n))
			ours = min(ours, timeN(op, n))
		}
		b.ReportMetric(float64(ours)/float64(theirs), "x-"+name)
	}
}

const rounds = 3

func timeN(f func(), n int) time.Duration {
	start := time.Now()
	for range n {
		f()
	}
	return time.Since(start)
}
