package cognito

import (
	"strings"
	"sync"
	"time"
)

// tokenCache remembers verified tokens until the earlier of their exp and
// a TTL. It holds at most max entries; when full, an arbitrary entry (Go's
// map order) makes room, which bounds memory without bookkeeping on hits.
// A nil *tokenCache is a disabled cache.
type tokenCache struct {
	max int
	ttl time.Duration

	mu sync.RWMutex
	m  map[string]cacheEntry
}

type cacheEntry struct {
	claims *Claims
	until  time.Time
}

// newTokenCache returns a cache of size entries (0: DefaultCacheSize), or
// nil (no cache) when size is negative.
func newTokenCache(size int, ttl time.Duration) *tokenCache {
	if size < 0 {
		return nil
	}
	if size == 0 {
		size = DefaultCacheSize
	}
	return &tokenCache{max: size, ttl: ttl, m: make(map[string]cacheEntry, size)}
}

func (c *tokenCache) get(token string, now time.Time) (*Claims, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.RLock()
	e, ok := c.m[token]
	c.mu.RUnlock()
	if !ok {
		return nil, false
	}
	if !now.Before(e.until) {
		// A put for the same token may have come in between; deleting it
		// costs one verification, never a wrong answer.
		c.mu.Lock()
		delete(c.m, token)
		c.mu.Unlock()
		return nil, false
	}
	return e.claims, true
}

func (c *tokenCache) put(token string, claims *Claims, now time.Time) {
	if c == nil {
		return
	}
	until := now.Add(c.ttl)
	if claims.Expires.Before(until) {
		until = claims.Expires
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[token]; !ok && len(c.m) >= c.max {
		for k := range c.m {
			delete(c.m, k)
			break
		}
	}
	// Clone: token may be a slice of a larger request buffer.
	c.m[strings.Clone(token)] = cacheEntry{claims: claims, until: until}
}
