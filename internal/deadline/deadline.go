package deadline

import (
	"context"
	"time"
)

// Reserve is the time kept back at the end of an invocation to build and
// return the answer; Share is the fraction of the remaining time the calls
// may use at most, which matters when the function's timeout is long.
const (
	Reserve = 500 * time.Millisecond
	Share   = 0.9
)

// For returns the deadline for calls made at now in an invocation that must
// end at end: the earlier of end-Reserve and now+Share*(end-now). It is
// before now when less than Reserve remains.
func For(now, end time.Time) time.Time {
	byReserve := end.Add(-Reserve)
	byShare := now.Add(time.Duration(Share * float64(end.Sub(now))))
	if byShare.Before(byReserve) {
		return byShare
	}
	return byReserve
}

// WithMargin returns a context that ends at For(now, the deadline of ctx),
// or ctx itself when it has no deadline. It reads the wall clock, as the
// context's own deadline does: a test clock would not match it.
func WithMargin(ctx context.Context) (context.Context, context.CancelFunc) {
	end, ok := ctx.Deadline()
	if !ok {
		return ctx, func() {}
	}
	return context.WithDeadline(ctx, For(time.Now(), end))
}
