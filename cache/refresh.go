package cache

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/asyncutils-go/asyncutils/defaults"
)

// loop is the refresh loop: it sleeps until the earliest scheduled entry of
// any shard, then handles the entries that are due: reloads those in the
// refresh window that were read since their last load (at most the
// configured number at once; the others wait in the pending queue for a
// slot), lets unread ones run to their expiry, and removes the expired ones
// that could not be refreshed. See schedule.go.
func (c *Cache[K, V]) loop() {
	defer c.wg.Done()
	t := c.clock.Timer(time.Hour)
	defer t.Stop()
	var w boundWake // zero for an unbounded cache: its channels are nil, never ready
	if b := c.bound; b != nil {
		w.hits, w.writes = b.hitWake, b.writeWake
		w.listenHits, w.listenWrites = b.hitWake, b.writeWake
		w.timer = time.NewTimer(drainDelay)
		w.timer.Stop()
		defer w.timer.Stop()
	}
	for {
		c.armed.Store(maxTime) // while it works, whoever schedules earlier signals
		now := c.now()
		next := c.wakeOnce(now)
		if next <= now && next != maxTime {
			continue // pending entries and a free slot
		}
		c.armed.Store(next)
		if next != maxTime {
			t.Reset(time.Duration(next - now))
		} else {
			t.Stop()
		}
		if !c.sleep(t, &w) {
			return
		}
	}
}

// boundWake is what wakes the loop of a bounded cache to drain the policy's
// buffers: a ring of hits that completed half a turn (hits), and writes that
// left their events below a batch (writes; bound.afterWrite). The loop
// drains drainDelay after a write's wake-up, maxDrainDelay after a hit's
// when no event waits. While a delay runs, the loop does not listen to what
// cannot shorten it (listenHits, listenWrites are nil), so that a stream of
// hits or writes wakes it once per delay, not once per call; a write during
// a hit's delay shortens it to drainDelay. A write's wake-up that finds no
// event waiting is stale (a drain took its event since) and is dropped:
// taken for a hit's, it would make the next write wait maxDrainDelay.
type boundWake struct {
	hits, writes             <-chan struct{}
	listenHits, listenWrites <-chan struct{} // hits and writes, or nil while not listened to
	timer                    *time.Timer
	fired                    <-chan time.Time // timer.C while a delay runs, else nil
	seen                     uint64           // bound.drains when the delay started
	delay                    time.Duration    // the delay running
}

// start starts a delay of d before the loop drains; drains is the number
// of drains started so far (bound.drains).
func (w *boundWake) start(drains uint64, d time.Duration) {
	w.fired, w.seen, w.delay = w.timer.C, drains, d
	w.timer.Reset(d)
}

// sleep waits for the timer t, a wake-up or Close (then it returns false).
// Meanwhile it drains the policy's buffers as w asks.
func (c *Cache[K, V]) sleep(t *clock.Timer, w *boundWake) bool {
	for {
		select {
		case <-t.C:
			return true
		case <-c.wake:
			return true
		case <-w.listenHits:
			// Only hits wait: the buffer is lossy, there is no hurry. A
			// write is still heard, and shortens the delay.
			w.listenHits = nil
			if w.fired == nil {
				w.start(c.bound.drains.Load(), maxDrainDelay)
			}
		case <-w.listenWrites:
			if c.bound.queued.Load() == 0 {
				continue // stale: its events were drained already
			}
			w.listenHits, w.listenWrites = nil, nil
			w.start(c.bound.drains.Load(), drainDelay)
		case <-w.fired:
			if n := c.bound.drains.Load(); n != w.seen {
				// Writers drained since the wake-up: what waits now was
				// queued after their drain, less than the delay ago.
				// Look again later, and later each time writers keep
				// draining, up to maxDrainDelay: a stream of writes then
				// wakes the loop a few hundred times a second, not ten
				// thousand (waking a goroutine on an idle core is costly
				// on a virtual machine).
				w.seen, w.delay = n, min(2*w.delay, maxDrainDelay)
				w.timer.Reset(w.delay)
				continue
			}
			w.listenHits, w.listenWrites, w.fired = w.hits, w.writes, nil
			c.drainHits()
		case <-c.done:
			return false
		}
	}
}

// wakeOnce handles the entries due at now and returns the time the loop
// must wake next. Its cost is one atomic load per shard plus the due
// entries (times log n for the heaps), whatever the size of the cache.
func (c *Cache[K, V]) wakeOnce(now int64) int64 {
	c.pendMu.Lock()
	c.startPending(now)
	// A bulk cache reloads in batches: each wake-up also takes the entries
	// that come due within the next spread, so that the batches fill
	// (see nextEvent and handleDueLocked).
	horizon := now
	if c.batcher != nil {
		horizon = satAdd(now, c.cfg.Load().spread)
	}
	for i := range c.shards {
		s := &c.shards[i]
		if s.next.Load() > horizon {
			continue
		}
		s.mu.Lock()
		for e, at := s.popDueAt(horizon); e != nil; e, at = s.popDueAt(horizon) {
			if at > now && e.flags.Load()&flagBackoff != 0 {
				// A retry waits out its backoff: it is not taken early
				// with the batch, or a failing upstream would be retried
				// at once whenever the backoff is shorter than the spread.
				c.later = append(c.later, scheduled[K, V]{at, e})
				continue
			}
			if !c.handleDueLocked(s, e, now) {
				c.pending = append(c.pending, e)
			}
		}
		for _, x := range c.later {
			// Back without a signal: the loop sleeps until the earliest
			// time anyway, and a signal would wake it at once to pop them
			// again, spinning until the retry is due.
			s.place(x.e, x.at)
		}
		clear(c.later)
		c.later = c.later[:0]
		s.mu.Unlock()
	}
	c.waiting.Store(int32(len(c.pending)))
	// The drain of the events queued here and the removal callbacks run
	// with no lock held, pendMu included.
	expired := c.expired
	c.expired = nil
	c.pendMu.Unlock()
	c.afterWrite()
	c.notify(expired)
	clear(expired)
	c.pendMu.Lock()
	defer c.pendMu.Unlock()
	c.expired = expired[:0]
	if len(c.pending) > 0 && c.freeSlot() {
		return now
	}
	return c.earliest()
}

// earliest is the earliest scheduled time of any shard.
func (c *Cache[K, V]) earliest() int64 {
	next := maxTime
	for i := range c.shards {
		next = min(next, c.shards[i].next.Load())
	}
	return next
}

// startPending starts the reloads of pending entries while slots are free;
// c.pendMu must be held.
func (c *Cache[K, V]) startPending(now int64) {
	for len(c.pending) > 0 {
		if !c.freeSlot() {
			return
		}
		e := c.pending[0]
		c.pending[0] = nil
		c.pending = c.pending[1:]
		h := c.hash(e.key)
		s := c.shardOf(h)
		s.mu.Lock()
		if e.heapIdx < 0 { // else scheduled again meanwhile: the heap handles it
			c.handleDueLocked(s, e, now) // a slot is free: it needs no requeue
		}
		s.mu.Unlock()
	}
	c.pending = nil
}

func (c *Cache[K, V]) freeSlot() bool {
	return int(c.running.Load()) < c.cfg.Load().maxRefreshes
}

// handleDueLocked does what the due entry e, just taken out of its shard's
// heap, needs; s.mu must be held. It returns false only when e needs a
// reload and no reload slot is free.
func (c *Cache[K, V]) handleDueLocked(s *shard[K, V], e *entry[K, V], now int64) bool {
	// Removed, or loading: the load's end schedules it.
	if e.flags.Load()&flagRemoved != 0 || s.flights[e] != nil {
		return true
	}
	it := e.item.Load()
	if it == nil {
		return true
	}
	cfg := c.cfg.Load()
	age := it.ageAt(now)
	flags := e.flags.Load()
	switch {
	case it.isNegative():
		// A cached "not found": removed when its negative TTL has passed.
		if age <= cfg.negativeTTL {
			c.schedule(s, e, c.nextEvent(it, cfg))
		} else if c.removeLocked(s, c.hash(e.key), e, it) == nil {
			c.schedule(s, e, c.nextEvent(e.item.Load(), cfg))
		}
	case age > cfg.ttl && !c.staleUsable(e, it, now, cfg):
		if c.removeLocked(s, c.hash(e.key), e, it) == nil {
			c.schedule(s, e, c.nextEvent(e.item.Load(), cfg)) // a Set replaced it just now
		} else {
			c.expired = c.appendRemoval(c.expired, e.key, it, CauseExpired)
		}
	case age <= cfg.ttl && (cfg.refresh == 0 || age <= cfg.refreshAfter-c.earliness(cfg)):
		// Not due yet: a Set or Configure moved its time, or a failed
		// Refresh before the window has waited out its backoff.
		if flags&flagBackoff != 0 {
			e.flags.And(^flagBackoff)
		}
		at := c.nextEvent(it, cfg)
		if at <= now {
			// Only when the clock has saturated (now is math.MaxInt64):
			// the time cannot move on, so the entry is never due again,
			// rather than popped again by this wake-up forever.
			at = maxTime
		}
		c.schedule(s, e, at)
	case age <= cfg.ttl && !cfg.keepWarm && flags&flagRead == 0 && (cfg.idle == 0 || satAdd(now, -it.readAt) > cfg.idle):
		// Nobody read it: let it expire. A Get in the window still reloads it.
		e.flags.Or(flagIdle)
		c.schedule(s, e, expiryOf(it, cfg))
	default:
		// A bulk cache bounds its bulk calls, not its keys (see bulk.go).
		slot := c.batcher == nil
		if slot && !c.freeSlot() {
			return false
		}
		if slot {
			c.running.Add(1)
		}
		// The backoff flag stays on a stale value: it is what lets Gets serve it.
		if age <= cfg.ttl {
			e.flags.And(^(flagBackoff | flagIdle))
		} else {
			e.flags.And(^flagIdle)
		}
		f, err := c.startLocked(c.ctx, s, c.hash(e.key), e.key, e, kindBatched)
		if err != nil {
			// Closed, or the key lost its loader: keep the value until it expires.
			if slot {
				c.running.Add(-1)
			}
			c.schedule(s, e, expiryOf(it, cfg))
		} else {
			f.slot = slot
		}
	}
	return true
}

// nextEvent is when the loop next looks at an entry whose value is it: when
// it comes due for refresh, or up to cfg.spread earlier, at random, so that
// entries loaded together are not all reloaded together; or when it
// expires, without refresh-ahead. Every sum saturates.
func (c *Cache[K, V]) nextEvent(it *item[V], cfg *config) int64 {
	if it == nil {
		return maxTime
	}
	if it.isNegative() {
		return satAdd(satAdd(it.loadedAt, cfg.negativeTTL), 1)
	}
	if cfg.refresh == 0 {
		return expiryOf(it, cfg)
	}
	if c.batcher != nil {
		// No jitter: a bulk reload is a batch, not a storm; the loop gathers
		// what comes due within a spread into the same batches.
		return satAdd(satAdd(it.loadedAt, cfg.refreshAfter), 1-cfg.spread)
	}
	return satAdd(satAdd(it.loadedAt, cfg.refreshAfter), 1-jitter(cfg.spread))
}

// earliness is how long before it is due the loop may reload an entry: the
// spread, twice it for a bulk cache (whose loop takes a spread ahead).
func (c *Cache[K, V]) earliness(cfg *config) int64 {
	if c.batcher != nil {
		return 2 * cfg.spread
	}
	return cfg.spread
}

// staleUsable reports whether it, the value of e, past its TTL, may still
// be served and retried under WithStaleIfError: its reloads are failing and
// it is within the window.
func (c *Cache[K, V]) staleUsable(e *entry[K, V], it *item[V], now int64, cfg *config) bool {
	return cfg.staleIfError > 0 && !it.isNegative() && e.flags.Load()&flagBackoff != 0 &&
		it.ageAt(now)-cfg.ttl <= cfg.staleIfError
}

// expiryOf is the first instant at which the value it is expired.
func expiryOf[V any](it *item[V], cfg *config) int64 {
	return satAdd(satAdd(it.loadedAt, cfg.ttl), 1)
}

// retryAt is when the loop retries a background reload that failed n times
// in a row: capped exponential backoff with jitter, and never after expiry.
func (c *Cache[K, V]) retryAt(it *item[V], now int64, n uint32, cfg *config) int64 {
	d := backoff(cfg.backoffMin, cfg.backoffMax, n)
	d -= jitter(d / 2)
	return min(satAdd(now, d), satAdd(expiryOf(it, cfg), cfg.staleIfError))
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

// Configure changes the options it is given on a running cache and keeps
// the others: WithTTL, WithRefresh, WithErrorHandler, WithIdleTimeout,
// WithKeepWarm, WithBackoff and WithMaxConcurrentRefreshes. A refresh window
// never given explicitly follows a new TTL by the defaults' ratio, as in New.
// The result is validated as New validates it; when it is invalid, or when
// an option cannot change on a running cache (WithClock, WithLogger,
// WithMaxSize, WithMaxWeight), Configure returns an error wrapping
// ErrInvalidConfig that names the problem, and nothing changes. After Close
// it returns ErrClosed.
//
// The new values apply to every entry at once, by its load time; the
// schedule of every entry is recomputed, which costs O(n).
func (c *Cache[K, V]) Configure(opts ...Option) error {
	var given options
	applyOptions(&given, opts)
	if names := fixedNames(given.set); len(names) > 0 {
		return fmt.Errorf("%w: %s cannot change on a running cache", ErrInvalidConfig, strings.Join(names, ", "))
	}
	c.cfgMu.Lock()
	defer c.cfgMu.Unlock()
	if c.closed.Load() {
		return ErrClosed
	}
	o := c.opts
	wasSet := o.set
	applyOptions(&o, opts)
	if given.set&setTTL != 0 && wasSet&setRefresh == 0 && given.set&setRefresh == 0 {
		o.set &^= setRefresh
		o.followTTL(defaults.Current())
	}
	cfg, err := newConfig(&o)
	if err != nil {
		return err
	}
	c.opts = o
	c.cfg.Store(cfg)
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		for j := range s.heap {
			x := &s.heap[j]
			if it := x.e.item.Load(); it != nil {
				x.at = min(x.at, c.nextEvent(it, cfg), expiryOf(it, cfg))
			}
		}
		s.heapify()
		s.mu.Unlock()
	}
	if c.batcher != nil {
		c.batcher.slots.wakeAll() // batches waiting for a slot read the new bound
	}
	c.signal()
	return nil
}
