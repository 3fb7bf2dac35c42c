package cache

import (
	"iter"
	"time"
)

// peek returns the value of key and its age, without counting a read or
// starting anything. A value that is expired is still returned.
func (c *Cache[K, V]) peek(key K) (*item[V], int64, bool) {
	h := c.hash(key)
	s := c.shardOf(h)
	e := s.find(h, key)
	if e == nil {
		// The lock-free walk may miss a key while a writer relinks chains.
		s.mu.Lock()
		e = s.lookup(h, key)
		s.mu.Unlock()
		if e == nil {
			return nil, 0, false
		}
	}
	it := e.item.Load()
	if it == nil || it.isNegative() {
		return nil, 0, false
	}
	return it, it.ageAt(c.now()), true
}

// Contains reports whether key holds a value that has not expired. It does
// not count as a read, and loads nothing.
func (c *Cache[K, V]) Contains(key K) bool {
	_, age, ok := c.peek(key)
	return ok && age <= c.cfg.Load().ttl
}

// Peek returns the value of key if it holds one that has not expired,
// without loading, refreshing or counting a read: a peeked entry is not kept
// warm.
func (c *Cache[K, V]) Peek(key K) (V, bool) {
	if it, age, ok := c.peek(key); ok && age <= c.cfg.Load().ttl {
		return it.value, true
	}
	var zero V
	return zero, false
}

// Expired reports whether key holds a value older than the TTL (one the
// refresh loop has not removed yet). It is false for a key that holds no
// value: Contains and Age say whether it holds one.
func (c *Cache[K, V]) Expired(key K) bool {
	_, age, ok := c.peek(key)
	return ok && age > c.cfg.Load().ttl
}

// ShouldRefresh reports whether key holds a value in the refresh window:
// older than TTL - refresh, not older than the TTL. Always false when the
// refresh window is 0.
func (c *Cache[K, V]) ShouldRefresh(key K) bool {
	_, age, ok := c.peek(key)
	cfg := c.cfg.Load()
	return ok && cfg.refresh > 0 && age > cfg.refreshAfter && age <= cfg.ttl
}

// Age returns the time since key's value was loaded (or Set), and whether
// key holds a value; an expired value the loop has not removed yet still has
// an age.
func (c *Cache[K, V]) Age(key K) (time.Duration, bool) {
	_, age, ok := c.peek(key)
	return time.Duration(age), ok
}

// Len returns the number of keys that hold a value or a cached "not found"
// answer ([WithNegativeTTL]; under a bound, each takes a share of it),
// including expired ones the refresh loop has not removed yet (it removes
// them when they expire).
// It sums the shards' counts, one atomic load per shard; while writes run,
// the sum may be a moment old.
func (c *Cache[K, V]) Len() int {
	var n int64
	for i := range c.shards {
		n += c.shards[i].values.Load()
	}
	return int(n)
}

// All returns the keys and values that have not expired. It copies one shard
// at a time under that shard's lock, and yields with no lock held: the
// sequence sees each shard as it was when it was copied, and the loop body
// may call any method of the cache.
func (c *Cache[K, V]) All() iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		type kv struct {
			k K
			v V
		}
		var buf []kv
		for i := range c.shards {
			s := &c.shards[i]
			now := c.now()
			ttl := c.cfg.Load().ttl
			buf = buf[:0]
			s.mu.Lock()
			s.each(func(e *entry[K, V]) {
				if it := e.item.Load(); it != nil && !it.isNegative() && it.ageAt(now) <= ttl {
					buf = append(buf, kv{e.key, it.value})
				}
			})
			s.mu.Unlock()
			for _, p := range buf {
				if !yield(p.k, p.v) {
					return
				}
			}
		}
	}
}
