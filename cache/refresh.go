package cache

import (
	"math/rand/v2"
	"time"
)

// loop is the refresh loop: it sleeps until the earliest scheduled entry,
// then handles the entries that are due: reloads those in the refresh window
// (at most the configured number at once; the others wait in the pending
// queue for a slot), lets idle ones run to their expiry, and removes the
// expired ones that could not be refreshed.
func (c *Cache[K, V]) loop() {
	defer c.wg.Done()
	t := c.clock.Timer(time.Hour)
	defer t.Stop()
	for {
		c.wakeOnce(c.now())
		now := c.now()
		next := c.sched.arm(now)
		if next <= now {
			continue // due meanwhile, or pending entries and a free slot
		}
		if next != maxTime {
			t.Reset(time.Duration(next - now))
		} else {
			t.Stop()
		}
		select {
		case <-t.C:
		case <-c.sched.wake:
		case <-c.done:
			return
		}
	}
}

const maxTime = int64(^uint64(0) >> 1)

// wakeOnce handles the entries due at now; its cost is proportional to their
// number (times log n for the heap), whatever the size of the cache.
func (c *Cache[K, V]) wakeOnce(now int64) {
	due := c.sched.collect(now)
	for i, e := range due {
		if !c.handleDue(e, now) {
			c.sched.requeue(due[i:])
			return
		}
	}
}

// handleDue does what the due entry e needs. It returns false only when e
// needs a reload and no reload slot is free.
func (c *Cache[K, V]) handleDue(e *entry[K, V], now int64) bool {
	h := c.hash(e.key)
	s := c.shardOf(h)
	s.mu.Lock()
	defer s.mu.Unlock()
	// Removed, loading (its end reschedules it), or rescheduled meanwhile.
	if e.flags.Load()&flagRemoved != 0 || s.flights[e] != nil || c.sched.scheduled(e) {
		return true
	}
	it := e.item.Load()
	if it == nil {
		return true
	}
	cfg := c.cfg.Load()
	age := now - it.loadedAt
	switch {
	case age > cfg.ttl:
		c.removeLocked(s, h, e, true)
	case cfg.refresh == 0 || age <= cfg.refreshAfter-cfg.spread:
		c.sched.set(e, c.nextEvent(it, cfg), cfg) // not due (yet): Configure moved it
	case c.idle > 0 && e.flags.Load()&flagRead == 0 && now-it.readAt > c.idle:
		e.flags.Or(flagIdle) // a Get in the window still reloads it
		c.sched.set(e, it.loadedAt+cfg.ttl+1, cfg)
	default:
		if !c.sched.acquire() {
			return false
		}
		e.flags.And(^(flagBackoff | flagIdle))
		if _, err := c.startLocked(c.ctx, s, h, e.key, e, kindBatched); err != nil {
			// Closed, or the key lost its loader: keep the value until it expires.
			c.sched.release()
			c.sched.set(e, it.loadedAt+cfg.ttl+1, cfg)
		}
	}
	return true
}

// nextEvent is when the loop next looks at an entry that was just loaded:
// when it comes due for refresh, or up to cfg.spread earlier, at random, so
// that entries loaded together are not all reloaded together; or when it
// expires, without refresh-ahead. The jitter moves the reload earlier, never
// later: the hit path trusts that no entry comes due before the loop wakes.
func (c *Cache[K, V]) nextEvent(it *item[V], cfg *config) int64 {
	if cfg.refresh == 0 {
		return it.loadedAt + cfg.ttl + 1
	}
	return it.loadedAt + cfg.refreshAfter + 1 - jitter(cfg.spread)
}

// retryAt is when the loop retries a background reload that failed n times
// in a row: capped exponential backoff with jitter, and never after expiry.
func (c *Cache[K, V]) retryAt(it *item[V], now int64, n uint32, cfg *config) int64 {
	d := backoff(cfg.backoffMin, cfg.backoffMax, n)
	d -= jitter(d / 2)
	return min(now+d, it.loadedAt+cfg.ttl+1)
}

// backoff is the delay before the retry that follows n failures in a row:
// minDelay << (n-1), capped at maxDelay, never overflowing.
func backoff(minDelay, maxDelay int64, n uint32) int64 {
	if s := n - 1; s < 63 && minDelay <= maxDelay>>s {
		return minDelay << s
	}
	return maxDelay
}

// jitter is a random duration in [0, d).
func jitter(d int64) int64 {
	if d <= 0 {
		return 0
	}
	return rand.Int64N(d)
}

// Configure changes the TTL, the refresh window and the error handler (nil:
// log) of a running cache, with the same rules as New; an invalid
// configuration returns an error wrapping ErrInvalidConfig and changes
// nothing. The new values apply to every entry at once, by its load time;
// the schedule of every entry is recomputed, which costs O(n).
func (c *Cache[K, V]) Configure(ttl, refresh time.Duration, handler func(err error, batched bool)) error {
	cfg, err := newConfig(ttl, refresh, handler, &c.opts)
	if err != nil {
		return err
	}
	q := &c.sched
	q.mu.Lock()
	// Hits must stop trusting the loop before the new values apply.
	q.allFresh.Store(false)
	c.cfg.Store(cfg)
	for _, e := range q.heap {
		if it := e.item.Load(); it != nil {
			e.at = min(e.at, c.nextEvent(it, cfg), it.loadedAt+cfg.ttl+1)
		}
	}
	for i := len(q.heap)/2 - 1; i >= 0; i-- {
		q.down(i)
	}
	q.armed = maxTime
	q.mu.Unlock()
	q.signal()
	return nil
}
