package lrucache

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

var t0 = time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)

func TestEvictsLeastRecentlyUsedAndExpires(t *testing.T) {
	c := Cache[string]{Max: 2}
	exp := t0.Add(time.Minute)
	c.Put("a", "A", exp)
	c.Put("b", "B", exp)
	assert.Equal(t, "A", c.Get("a", t0)) // a is now the most recent
	c.Put("c", "C", exp)
	assert.Equal(t, "", c.Get("b", t0), "b was least recently used")
	assert.Equal(t, "C", c.Get("c", t0))
	c.Put("a", "A2", exp.Add(time.Minute)) // replacing keeps the size and refreshes the expiry
	assert.Equal(t, 2, c.Len())
	assert.Equal(t, 2, c.lru.Len(), "the list and the map agree")
	assert.Equal(t, "A2", c.Get("a", exp))
	assert.Equal(t, "", c.Get("c", exp), "expired at exactly its expiry")
	assert.Equal(t, 1, c.Len(), "an expired entry is evicted when read")
	assert.Equal(t, "", c.Get("zz", t0))
}

func TestZeroMaxHoldsDefaultMax(t *testing.T) {
	var c Cache[int]
	exp := t0.Add(time.Hour)
	for i := range DefaultMax + 1 {
		c.Put(string(rune('a'+i%26))+string(rune(i)), i, exp)
	}
	assert.Equal(t, DefaultMax, c.Len())
}
