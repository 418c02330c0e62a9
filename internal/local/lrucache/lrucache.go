// Package lrucache is the bounded expiring cache both API emulators keep
// authorizer decisions in: an entry lives until its expiry, and when the
// cache is full the least recently used entry makes room, so a burst of
// new identities pushes out decisions nobody is using rather than the ones
// in use.
package lrucache

import (
	"container/list"
	"sync"
	"time"
)

// DefaultMax is the number of entries a Cache with Max 0 holds.
const DefaultMax = 10000

// Cache maps keys to values until their expiry. The zero value is ready.
type Cache[V any] struct {
	Max     int // 0: DefaultMax
	mu      sync.Mutex
	entries map[string]*list.Element // values are *entry[V]
	lru     list.List                // front: most recently used
}

type entry[V any] struct {
	key     string
	value   V
	expires time.Time
}

// Get returns the key's value, or V's zero value when it is absent or
// expired at now.
func (c *Cache[V]) Get(key string, now time.Time) V {
	c.mu.Lock()
	defer c.mu.Unlock()
	var zero V
	el, ok := c.entries[key]
	if !ok {
		return zero
	}
	e := el.Value.(*entry[V])
	if !now.Before(e.expires) {
		c.lru.Remove(el)
		delete(c.entries, key)
		return zero
	}
	c.lru.MoveToFront(el)
	return e.value
}

// Put stores v under key until expires.
func (c *Cache[V]) Put(key string, v V, expires time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[string]*list.Element{}
	}
	if el, ok := c.entries[key]; ok {
		e := el.Value.(*entry[V])
		e.value, e.expires = v, expires
		c.lru.MoveToFront(el)
		return
	}
	limit := c.Max
	if limit <= 0 {
		limit = DefaultMax
	}
	if len(c.entries) >= limit {
		oldest := c.lru.Back()
		c.lru.Remove(oldest)
		delete(c.entries, oldest.Value.(*entry[V]).key)
	}
	c.entries[key] = c.lru.PushFront(&entry[V]{key: key, value: v, expires: expires})
}

// Len is the number of entries held, expired ones not yet evicted
// included.
func (c *Cache[V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
