package lambdaruntime

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// pool holds one function's execution environments. A slot in sem is held
// by each environment that is busy: from its acquisition (or start) until
// the runtime asks for its next event or the process dies. Idle
// environments hold no slot, and a new one starts only when none is idle,
// so a function never has more environments than slots.
//
// An environment whose invocation was answered keeps its slot until its
// runtime asks for the next event, microseconds later; such "returning"
// environments are counted, and an acquisition that finds none idle waits
// for one of them (at most returnWait) rather than starting another. So
// sequential invocations reuse one environment, as in Lambda, and the caller
// gets its answer without waiting for the runtime's next request.
type pool struct {
	sem       chan struct{}
	returning atomic.Int64
	// gen counts Replace calls; an environment of an older generation
	// runs its bootstrap as it was and serves no new invocation.
	gen atomic.Int64
	// retire stops a replaced environment (env.shutdown in the runtime).
	retire func(*env)

	mu      sync.Mutex
	idle    []*env            // most recently parked last
	all     map[*env]struct{} // every live environment, for Close
	changed chan struct{}     // closed and renewed when idle or all change
}

// returnWait bounds the wait for a returning environment.
const returnWait = 200 * time.Millisecond

func newPool(maxConcurrency int) *pool {
	return &pool{
		sem:     make(chan struct{}, maxConcurrency),
		all:     make(map[*env]struct{}),
		changed: make(chan struct{}),
	}
}

// notify wakes acquisitions waiting for a returning environment; p.mu held.
func (p *pool) notify() {
	close(p.changed)
	p.changed = make(chan struct{})
}

// acquire takes a slot and returns an idle environment, or nil when the
// caller must start one. It waits for a slot as long as ctx allows.
func (p *pool) acquire(ctx context.Context, closing <-chan struct{}) (*env, error) {
	select {
	case p.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-closing:
		return nil, ErrClosed
	}
	var timer *time.Timer
	for {
		p.mu.Lock()
		for len(p.idle) > 0 {
			e := p.idle[len(p.idle)-1]
			p.idle = p.idle[:len(p.idle)-1]
			if e.gen != p.gen.Load() {
				p.stop(e)
				continue
			}
			if e.hold() {
				p.mu.Unlock()
				return e, nil
			}
		}
		changed := p.changed
		returning := p.returning.Load() > 0
		p.mu.Unlock()
		if !returning {
			return nil, nil
		}
		if timer == nil {
			timer = time.NewTimer(returnWait)
			defer timer.Stop()
		}
		select {
		case <-changed:
		case <-timer.C:
			return nil, nil
		case <-ctx.Done():
			p.releaseSlot()
			return nil, ctx.Err()
		case <-closing:
			p.releaseSlot()
			return nil, ErrClosed
		}
	}
}

func (p *pool) releaseSlot() { <-p.sem }

func (p *pool) add(e *env) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.all[e] = struct{}{}
}

// park makes a busy environment idle and frees its slot.
func (p *pool) park(e *env, wasReturning bool) {
	p.mu.Lock()
	if e.gen != p.gen.Load() {
		p.stop(e) // replaced while it ran: its invocation is done, it serves no other
	} else {
		p.idle = append(p.idle, e)
	}
	if wasReturning {
		p.returning.Add(-1)
	}
	p.notify()
	p.mu.Unlock()
	p.releaseSlot()
}

// remove forgets a dead environment.
func (p *pool) remove(e *env, wasReturning bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if wasReturning {
		p.returning.Add(-1)
	}
	defer p.notify()
	delete(p.all, e)
	for i, x := range p.idle {
		if x == e {
			p.idle = append(p.idle[:i], p.idle[i+1:]...)
			break
		}
	}
}

func (p *pool) snapshot() []*env {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]*env, 0, len(p.all))
	for e := range p.all {
		out = append(out, e)
	}
	return out
}

func (p *pool) size() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.all)
}

// replace starts a new generation: idle environments of the old one stop
// now, busy ones when their invocation ends (park), so every invocation
// from now on starts the bootstrap anew.
func (p *pool) replace() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.gen.Add(1)
	for _, e := range p.idle {
		p.stop(e)
	}
	p.idle = nil
	p.notify()
}

// stop retires e in the background; p.mu held.
func (p *pool) stop(e *env) {
	if p.retire != nil {
		go p.retire(e)
	}
}
