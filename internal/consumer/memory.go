package consumer

import (
	"context"
	"sync"
)

// MemoryIdempotency is an in-process Idempotency. In Lambda it only
// remembers what one execution environment processed, so it catches
// redeliveries to a warm environment; use a shared store (e.g. a DynamoDB
// conditional put) for a guarantee across environments.
type MemoryIdempotency struct {
	mu   sync.Mutex
	done map[string]bool
}

// NewMemoryIdempotency returns an empty MemoryIdempotency.
func NewMemoryIdempotency() *MemoryIdempotency {
	return &MemoryIdempotency{done: map[string]bool{}}
}

// Seen reports whether key was marked Done.
func (m *MemoryIdempotency) Seen(_ context.Context, key string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.done[key], nil
}

// Done marks key processed.
func (m *MemoryIdempotency) Done(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.done[key] = true
	return nil
}
