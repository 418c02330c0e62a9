package benchcmp

import (
	"testing"
	"time"
)

// Ratio runs op under b (the benchmark's own ns/op and allocs/op), then, with
// the timer stopped, times each baseline for the same number of iterations
// and reports ns/op(op) ÷ ns/op(baseline) as a metric named "x-<name>".
// op is timed a second time beside each baseline and the faster pass of
// each side is kept, so a machine that is busy for a moment skews neither
// side alone. (testing.Benchmark cannot be used here: it waits for the
// running benchmark to finish.)
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
		theirs := timeN(base, n)
		ours := min(first, timeN(op, n))
		theirs = min(theirs, timeN(base, n))
		b.ReportMetric(float64(ours)/float64(theirs), "x-"+name)
	}
}

func timeN(f func(), n int) time.Duration {
	start := time.Now()
	for range n {
		f()
	}
	return time.Since(start)
}
