package lambdaruntime

import (
	"fmt"
	"strings"
	"time"
)

// Report represents the platform's accounting of one invocation, as Lambda
// writes it in its REPORT log line.
type Report struct {
	RequestID string
	// Duration runs from handing the event to the runtime to its answer.
	Duration time.Duration
	// BilledDuration is Duration plus InitDuration, rounded up to the
	// millisecond.
	BilledDuration time.Duration
	// InitDuration runs from process start to the runtime's first
	// /invocation/next; zero for a warm invocation.
	InitDuration time.Duration
	MemorySizeMB int
	// MaxMemoryUsedMB is the process's peak resident set so far.
	MaxMemoryUsedMB int
	// Status is "" for an answered invocation, "timeout" or "error" when
	// the platform ended it, as Lambda's REPORT line shows.
	Status string
	// ErrorType names the platform error when Status is "error".
	ErrorType string
}

// String formats r as Lambda's REPORT line, without a trailing newline.
func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB\tMax Memory Used: %d MB",
		r.RequestID, millis(r.Duration), r.BilledDuration.Milliseconds(), r.MemorySizeMB, r.MaxMemoryUsedMB)
	if r.InitDuration > 0 {
		fmt.Fprintf(&b, "\tInit Duration: %.2f ms", millis(r.InitDuration))
	}
	if r.Status != "" {
		fmt.Fprintf(&b, "\tStatus: %s", r.Status)
	}
	if r.ErrorType != "" {
		fmt.Fprintf(&b, "\tError Type: %s", r.ErrorType)
	}
	return b.String()
}

func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// billed rounds the billed time up to the next millisecond, Lambda's unit.
func billed(d time.Duration) time.Duration {
	return (d + time.Millisecond - 1).Truncate(time.Millisecond)
}
