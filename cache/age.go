package cache

import (
	"context"
	"time"
)

// SetAge tells the cache that the value the running loader is about to
// return is already age old: it was produced that long ago, for example by
// another replica that stored it in a shared tier. The cache then counts
// the entry's age, its refresh time and its TTL from when the value was
// produced, not from when the loader returned it, so that the TTL bounds the
// value's true age.
//
// Call it from a loader, with the ctx the loader was given; it reports
// whether ctx is a load's context (false: nothing happens). The last call
// before the loader returns wins; a negative age counts as 0. A value whose
// age already exceeds the TTL when the loader returns is not stored, and the
// load fails with an error wrapping [ErrTooOld].
func SetAge(ctx context.Context, age time.Duration) bool {
	l, _ := ctx.Value(loadingKey{}).(*loadContext)
	if l == nil {
		return false
	}
	l.age.Store(int64(max(age, 0)))
	return true
}

// SetWithAge stores value for key as [Cache.Set] does, but as a value that
// is already age old (produced that long ago, say by another replica that
// shared it): its age, refresh time and TTL count from then, as for a
// loader's value with [SetAge]. A negative age counts as 0. A value whose age
// already exceeds the TTL is not stored: key is invalidated instead, so that
// no Get serves it. After Close, SetWithAge does nothing.
func (c *Cache[K, V]) SetWithAge(key K, value V, age time.Duration) {
	if c.closed.Load() {
		return
	}
	age = max(age, 0)
	if int64(age) > c.cfg.Load().ttl {
		c.Invalidate(key)
		return
	}
	h := c.hash(key)
	s := c.shardOf(h)
	loadedAt := max(satAdd(c.now(), -int64(age)), neverRead+1)
	var w int64
	if c.bound != nil {
		w = c.bound.weigh(key, value)
	}
	s.mu.Lock()
	old := c.setLocked(s, h, key, value, loadedAt, w)
	s.mu.Unlock()
	c.afterWrite()
	c.notifyOne(key, old, CauseReplaced)
}
