package sqsendpoint

import (
	"maps"
	"sync/atomic"
)

// registry holds the queues by name. Reads take no lock: they load an
// immutable snapshot, so code holding a queue's lock may look another
// queue up (a receive resolving its dead-letter queue). Writers (create,
// delete) hold Server.mu and publish a new snapshot; queues are created
// and deleted rarely, so copying the map on each is cheap.
type registry struct {
	snap atomic.Pointer[map[string]*queue]
}

// get returns the queue called name, nil if there is none.
func (r *registry) get(name string) *queue {
	if m := r.snap.Load(); m != nil {
		return (*m)[name]
	}
	return nil
}

// all returns the current snapshot; callers must not modify it.
func (r *registry) all() map[string]*queue {
	if m := r.snap.Load(); m != nil {
		return *m
	}
	return nil
}

// put adds or replaces a queue. Callers hold Server.mu.
func (r *registry) put(name string, q *queue) {
	m := maps.Clone(r.all())
	if m == nil {
		m = map[string]*queue{}
	}
	m[name] = q
	r.snap.Store(&m)
}

// remove deletes a queue. Callers hold Server.mu.
func (r *registry) remove(name string) {
	m := maps.Clone(r.all())
	delete(m, name)
	r.snap.Store(&m)
}

// clear removes every queue. Callers hold Server.mu.
func (r *registry) clear() {
	m := map[string]*queue{}
	r.snap.Store(&m)
}
