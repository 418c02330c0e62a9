package lambdaruntime

import (
	"context"
	"sync"
)

// pool holds one function's execution environments. A slot in sem is held
// by each environment that is busy: from its acquisition (or start) until
// the runtime asks for its next event or the process dies. Idle
// environments hold no slot, and a new one starts only when none is idle,
// so a function never has more environments than slots.
type pool struct {
	sem chan struct{}

	mu   sync.Mutex
	idle []*env            // most recently parked last
	all  map[*env]struct{} // every live environment, for Close
}

func newPool(maxConcurrency int) *pool {
	return &pool{sem: make(chan struct{}, maxConcurrency), all: make(map[*env]struct{})}
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
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.idle) > 0 {
		e := p.idle[len(p.idle)-1]
		p.idle = p.idle[:len(p.idle)-1]
		if e.hold() {
			return e, nil
		}
	}
	return nil, nil
}

func (p *pool) releaseSlot() { <-p.sem }

func (p *pool) add(e *env) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.all[e] = struct{}{}
}

// park makes a busy environment idle and frees its slot.
func (p *pool) park(e *env) {
	p.mu.Lock()
	p.idle = append(p.idle, e)
	p.mu.Unlock()
	p.releaseSlot()
}

// remove forgets a dead environment.
func (p *pool) remove(e *env) {
	p.mu.Lock()
	defer p.mu.Unlock()
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
