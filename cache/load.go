package cache

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/asyncutils-go/asyncutils/internal"
)

// kind says who started a load, which decides how its failure is handled
// and reported.
type kind uint8

const (
	kindSync    kind = iota // a caller waits for it: Get of a missing or expired key, Load
	kindSingle              // a single-key background reload: Get in the refresh window, Refresh
	kindBatched             // a reload started by the refresh loop
)

// flight is one running loader call; every caller that wants the key's value
// meanwhile waits on done.
type flight[V any] struct {
	// done is closed when the load ends. A load that its caller runs
	// inline starts without one: the first waiter to join makes it, under
	// the shard's mutex, and finish takes it under that mutex once the
	// flight can no longer be joined; most inline loads have no other
	// waiter and save the allocation.
	done chan struct{}
	kind kind
	base *item[V]    // the entry's value when the load started; the result is stored only over it
	node waitNode    // the load in the graph of loads waiting for each other
	lctx loadContext // the loader's context, in the flight to save an allocation
	// refresh: a Refresh joined this load (under the shard's mutex): its
	// failure is reported as a single-key one and backs the key off.
	refresh bool
	batch   bool       // the load is in a bulk batch, which reports its failure once
	gate    *batchGate // its batch's (bulk.go), released when a running load waits for it
	missed  bool       // a Get's miss started the load: its store tells a bound's policy of the miss too
	slot    bool       // the load holds one of the refresh loop's slots
	value   V          // set before done is closed
	err     error      // set before done is closed
}

// loadContext is the context a loader runs under: the cache's context for
// cancellation and deadline (Close cancels it), the starting caller's
// context for values. It also names the load it runs, so that a loader that
// would wait for a load that waits for it gets ErrReentrant instead of a
// deadlock (see waitgraph.go).
type loadContext struct {
	context.Context
	values context.Context
	node   *waitNode
	holds  any          // the *batcher whose bulk slot this call holds (bulk.go), or nil
	age    atomic.Int64 // set by SetAge: how old the loaded value already is
}

// loadingKey finds the innermost loadContext among a context's values.
type loadingKey struct{}

func (l *loadContext) Value(key any) any {
	if key == (loadingKey{}) {
		return l
	}
	if k, ok := key.(heldSlotKey); ok && l.holds != nil && l.holds == k.batcher {
		return true
	}
	// The cache's own context holds no values of its own, only the key by
	// which context.Cause finds its cancellation; that must win.
	if v := l.Context.Value(key); v != nil {
		return v
	}
	return l.values.Value(key)
}

// startLocked joins the flight of e or starts one for key; s.mu must be held.
// e may be nil (the key has no entry yet). A new load runs on a goroutine
// of the cache.
func (c *Cache[K, V]) startLocked(ctx context.Context, s *shard[K, V], h uint64, key K, e *entry[K, V], k kind) (*flight[V], error) {
	f, _, err := c.startLockedInline(ctx, s, h, key, e, k, false)
	return f, err
}

// inlineLoad is a load that startLockedInline left for its caller to run
// on its own goroutine, with c.run, once it has released the shard's mutex;
// its zero value (no loader) is no load.
type inlineLoad[K comparable, V any] struct {
	s      *shard[K, V]
	h      uint64
	e      *entry[K, V]
	loader Loader[K, V]
}

// startLockedInline is startLocked; with inline set, a new single-key load
// is not started but returned, for the caller to run.
func (c *Cache[K, V]) startLockedInline(ctx context.Context, s *shard[K, V], h uint64, key K, e *entry[K, V], k kind, inline bool) (*flight[V], inlineLoad[K, V], error) {
	var none inlineLoad[K, V]
	if f := s.flights[e]; f != nil {
		if f.done == nil { // an inline load's first waiter
			f.done = make(chan struct{})
		}
		return f, none, nil
	}
	loader := c.perKeyLoader(key)
	bulk := loader == nil && c.batcher != nil
	if loader == nil && !bulk {
		var err error
		if loader, err = c.Loader(key); err != nil {
			return nil, none, err
		}
	}
	if c.closed.Load() { // read under s.mu, which Close holds to set it
		return nil, none, ErrClosed
	}
	if e == nil {
		e = c.newEntry(key, h)
		s.insert(h, e, c.hash)
	}
	inline = inline && !bulk
	// flagLoading is set before base is read: a lock-free Set that swaps the
	// value in after it checked for a load re-checks the flag (Set), so
	// either it sees the load or the load's base is the Set's value.
	e.flags.Or(flagLoading)
	f := &flight[V]{kind: k, base: e.item.Load()}
	if !inline {
		f.done = make(chan struct{})
	}
	s.setFlight(e, f)
	if ctx == c.ctx { // the refresh loop's reloads: no caller
		ctx = context.Background()
	}
	if bulk {
		c.joinBatch(ctx, s, h, e, f)
		return f, none, nil
	}
	f.lctx = loadContext{Context: c.ctx, values: ctx, node: &f.node}
	s.running.Add(1)
	if inline {
		return f, inlineLoad[K, V]{s, h, e, loader}, nil
	}
	go c.run(s, h, e, f, loader)
	return f, none, nil
}

// run calls the loader on a goroutine of the cache and publishes the result,
// also when the loader panics or calls runtime.Goexit.
func (c *Cache[K, V]) run(s *shard[K, V], h uint64, e *entry[K, V], f *flight[V], loader Loader[K, V]) {
	defer s.running.Done()
	ctx := &f.lctx
	var v V
	err := internal.Guard(func() error {
		var err error
		v, err = loader(ctx, e.key)
		return err
	}, func(err error) {
		var zero V
		c.finish(s, h, e, f, zero, 0, fmt.Errorf("cache: loader: %w", err))
	})
	// A panic recovered by Guard comes back as the *PanicError itself; say
	// where it happened. A loader's own error, whatever it wraps, passes as
	// the loader returned it.
	if pe, ok := err.(*PanicError); ok { //nolint:errorlint // only Guard's own, unwrapped result
		err = fmt.Errorf("cache: loader: %w", pe)
	}
	c.finish(s, h, e, f, v, ctx.age.Load(), err)
}

// finish stores the result of f when f is still the flight of e and the
// value it started from is still there, publishes the result to the
// waiters, and reports a background failure.
func (c *Cache[K, V]) finish(s *shard[K, V], h uint64, e *entry[K, V], f *flight[V], v V, age int64, err error) {
	cfg := c.cfg.Load()
	now := c.now()
	if err == nil && age > cfg.ttl {
		err = fmt.Errorf("%w: the loader's value is %v old, the TTL is %v", ErrTooOld, time.Duration(age), time.Duration(cfg.ttl))
	}
	var w int64
	if c.bound != nil && err == nil {
		// A weigher that calls runtime.Goexit ends this goroutine; the load
		// is finished on the way out, or its waiters would wait forever.
		weighed := false
		defer func() {
			if !weighed {
				var zero V
				c.finish(s, h, e, f, zero, 0, fmt.Errorf("cache: weigher: %w", ErrGoexit))
			}
		}()
		w, err = c.bound.weighLoaded(e.key, v)
		weighed = true
		if err != nil {
			var zero V
			v = zero // the load fails: its value is not stored, nor handed out
		}
	}
	var gone *item[V]
	var cause RemovalCause
	s.mu.Lock()
	if s.flights[e] == f {
		delete(s.flights, e)
		e.flags.And(^flagLoading)
		gone, cause = c.settleLocked(s, h, e, f, v, now, age, w, err, c.cfg.Load())
	}
	reported := (f.kind != kindSync || f.refresh) && !f.batch && !errors.Is(err, ErrNotFound)
	batched := f.kind == kindBatched && !f.refresh
	done := f.done // final: f is out of the flights map, no waiter can join
	s.mu.Unlock()
	c.afterWrite()
	c.notifyOne(e.key, gone, cause)
	// Counted before the waiters are released, so that a caller sees the
	// counters of its own load.
	// A key the loader does not find is an answer, not a failure.
	failed := err != nil && !errors.Is(err, ErrNotFound)
	if f.kind == kindSync {
		s.loads.Add(1)
		if failed {
			c.counters.loadErrors.Add(1)
		}
	} else {
		c.counters.refreshes.Add(1)
		if failed {
			c.counters.refreshErrors.Add(1)
		}
	}
	f.value, f.err = v, err
	if done != nil {
		close(done)
	}
	if f.slot {
		c.running.Add(-1)
		if c.waiting.Load() > 0 {
			c.signal()
		}
	}
	// A reload that failed because Close cancelled it is no failure.
	if err != nil && reported && c.ctx.Err() == nil {
		c.report(cfg, err, batched)
	}
}

// settleLocked applies the result of f, the flight that just ended for e,
// and returns the value it removed or replaced, if any, and why (for the
// removal callback); s.mu must be held. w is the new value's weight.
func (c *Cache[K, V]) settleLocked(s *shard[K, V], h uint64, e *entry[K, V], f *flight[V], v V, now, age, w int64, err error, cfg *config) (*item[V], RemovalCause) {
	old := e.item.Load()
	if old != f.base {
		// A Set replaced the value during the load and wins; the entry is
		// scheduled for that value, since the loop skipped it while it loaded.
		if old != nil && e.heapIdx < 0 {
			c.schedule(s, e, c.nextEvent(old, cfg))
		}
		return nil, 0
	}
	expired := old != nil && old.ageAt(now) > cfg.ttl && !c.staleUsable(e, old, now, cfg)
	switch {
	case err != nil && errors.Is(err, ErrNotFound):
		// The key does not exist upstream (any more): nothing to keep; with
		// WithNegativeTTL the answer itself is cached.
		if cfg.negativeTTL == 0 {
			if !c.removeIfLocked(s, h, e, old) {
				return c.settleLocked(s, h, e, f, v, now, age, w, err, cfg) // a Set won just now
			}
			return old, CauseInvalidated
		}
		it := &item[V]{loadedAt: now, readAt: negativeMark}
		if !e.item.CompareAndSwap(old, it) {
			return c.settleLocked(s, h, e, f, v, now, age, w, err, cfg) // a Set won just now
		}
		// A cached "not found" weighs 1 under either bound (the weigher
		// has no value to weigh), so that a flood of unknown keys is
		// bounded like any other.
		c.stored(e, h, old == nil, negativeWeight, f.missed)
		e.flags.And(^storedFlags)
		c.schedule(s, e, c.nextEvent(it, cfg))
		return old, CauseInvalidated
	case err == nil:
		// readAt is never before neverRead: a clock set centuries back must
		// not stamp the times that mark a cached "not found" (negativeMark)
		// or a value never read.
		it := &item[V]{value: v, loadedAt: max(now-age, neverRead), readAt: max(now, neverRead+1)}
		if f.kind != kindSync && old != nil && e.flags.Load()&flagRead == 0 {
			it.readAt = old.lastRead() // a background reload is not a read
		}
		if !e.item.CompareAndSwap(old, it) {
			return c.settleLocked(s, h, e, f, v, now, age, w, err, cfg) // a Set won just now
		}
		c.stored(e, h, old == nil, w, f.missed)
		e.flags.And(^storedFlags)
		c.schedule(s, e, c.nextEvent(it, cfg))
		switch {
		case expired:
			c.counters.expirations.Add(1)
			return old, CauseExpired
		case old != nil:
			return old, CauseReplaced // a reload replaced it
		}
	case old == nil:
		// Nothing to keep: a failed load caches nothing.
		c.removeLocked(s, h, e, nil)
	case expired:
		return c.removeLocked(s, h, e, old), CauseExpired
	case f.kind == kindSync && !f.refresh:
		// Load of a present key failed: keep the value and its schedule (a
		// retry time too); the loop skipped the entry if it came due during
		// the load.
		if e.heapIdx < 0 {
			c.schedule(s, e, c.nextEvent(old, cfg))
		}
	default:
		c.backoffLocked(s, e, old, now, cfg)
	}
	return nil, 0
}

// backoffLocked records one more failed background reload of e, whose value
// is it, and schedules its retry; s.mu must be held.
func (c *Cache[K, V]) backoffLocked(s *shard[K, V], e *entry[K, V], it *item[V], now int64, cfg *config) {
	n := e.failures() + 1
	e.setFailures(n)
	e.flags.Or(flagBackoff)
	c.schedule(s, e, c.retryAt(it, now, n, cfg))
}

// report hands a background reload error to the handler, or logs it.
func (c *Cache[K, V]) report(cfg *config, err error, batched bool) {
	if cfg.handler == nil {
		c.warn("cache: background reload failed", "error", err, "batched", batched)
		return
	}
	herr := internal.Guard(func() error {
		cfg.handler(err, batched)
		return nil
	}, func(gerr error) {
		c.warn("cache: error handler exited its goroutine", "error", gerr, "reload_error", err)
	})
	if herr != nil {
		c.warn("cache: error handler panicked", "error", herr, "reload_error", err)
	}
}

// warn logs at warning level. The logger is user code too: if its handler
// panics, the message is lost, never the process.
func (c *Cache[K, V]) warn(msg string, args ...any) {
	_ = internal.Guard(func() error {
		c.log().Warn(msg, args...)
		return nil
	}, nil)
}

func (c *Cache[K, V]) log() *slog.Logger {
	if c.logger != nil {
		return c.logger
	}
	return slog.Default()
}

// wait waits for f, ctx or Close. A loader that waits for a load that waits
// for it gets ErrReentrant at once.
func (c *Cache[K, V]) wait(ctx context.Context, f *flight[V]) (V, error) {
	var zero V
	if l, _ := ctx.Value(loadingKey{}).(*loadContext); l != nil {
		if !beginWait(l.node, &f.node) {
			return zero, ErrReentrant
		}
		defer endWait(l.node, &f.node)
		if f.gate != nil && ctx.Value(heldSlotKey{c.batcher}) != nil {
			// A call holding one of this cache's bulk slots waits, maybe
			// through other loads, for this batch: it takes no slot.
			f.gate.release()
		}
	}
	// Close ends the wait as it ends every load: it cancels them and
	// waits for them, and result reports ErrClosed. So the wait needs no
	// case of its own for Close, and a ctx that never ends waits with one
	// channel receive: every channel a select names is locked by each of
	// its waiters, which the thousands of goroutines of a stampede on one
	// key all contend on (and a select's frame grew each of their
	// stacks).
	done := ctx.Done()
	if done == nil {
		<-f.done
		return c.result(f)
	}
	select {
	case <-f.done:
	case <-done:
		return zero, ctx.Err()
	}
	return c.result(f)
}

// result is the outcome of f, which has ended: ErrClosed for a load that
// failed because Close cancelled it.
func (c *Cache[K, V]) result(f *flight[V]) (V, error) {
	if f.err != nil && c.closed.Load() {
		var zero V
		return zero, ErrClosed
	}
	return f.value, f.err
}

// refreshOne starts a single-key background reload of e, whose value was
// it when the caller found it in the refresh window, unless a reload runs
// or the value changed meanwhile (a reload that ended just now). It is
// called on the hit path: it allocates only when it starts a load.
func (c *Cache[K, V]) refreshOne(ctx context.Context, e *entry[K, V], it *item[V]) {
	h := c.hash(e.key)
	s := c.shardOf(h)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.flights[e] != nil || e.flags.Load()&(flagRemoved|flagBackoff) != 0 || e.item.Load() != it {
		return
	}
	_, _ = c.startLocked(ctx, s, h, e.key, e, kindSingle)
}

// Load loads key now and stores the value, whether or not key holds one; it
// joins a load of key already in flight instead of starting a second one. A
// failure returns the loader's error and leaves what is stored as it was
// (a missing key stays missing). After Close, Load returns ErrClosed.
func (c *Cache[K, V]) Load(ctx context.Context, key K) error {
	if c.closed.Load() {
		return ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	h := c.hash(key)
	s := c.shardOf(h)
	s.mu.Lock()
	f, err := c.startLocked(ctx, s, h, key, s.lookup(h, key), kindSync)
	s.mu.Unlock()
	if err != nil {
		return err
	}
	_, err = c.wait(ctx, f)
	return err
}

// Refresh reloads the value of a present key now, as a single-key
// background reload would, and waits for it; it joins a load of key already
// in flight. It returns the reload's error. A failure keeps the value, is
// reported once to the error handler with batched false and backs the key
// off, whether Refresh started the reload or joined one (a refresh-loop
// reload or a Load). A key that holds no
// value is not loaded: Refresh returns nil (use Load). After Close, Refresh
// returns ErrClosed.
func (c *Cache[K, V]) Refresh(ctx context.Context, key K) error {
	if c.closed.Load() {
		return ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	h := c.hash(key)
	s := c.shardOf(h)
	s.mu.Lock()
	e := s.lookup(h, key)
	var it *item[V]
	if e != nil {
		it = e.item.Load()
	}
	if it == nil || it.isNegative() {
		// No value (a cached "not found" is none, and is never refreshed).
		s.mu.Unlock()
		return nil
	}
	f, err := c.startLocked(ctx, s, h, key, e, kindSingle)
	if f != nil {
		f.refresh = true
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}
	_, err = c.wait(ctx, f)
	return err
}

// RegisterLoader sets the loader of key, used instead of the default loader
// from the next load of key on. A nil loader removes the per-key loader.
// Registrations are kept until removed, also when key is invalidated.
func (c *Cache[K, V]) RegisterLoader(key K, loader Loader[K, V]) {
	if loader != nil {
		if sameFunc(c.perKeyLoader(key), loader) {
			return // GetWith with the loader it registered before: no write
		}
	}
	c.loadersMu.Lock()
	defer c.loadersMu.Unlock()
	if loader == nil {
		delete(c.loaders, key)
	} else {
		c.loaders[key] = loader
	}
	c.perKey.Store(int64(len(c.loaders)))
}

// perKeyLoader returns the loader registered for key, or nil. A cache with
// no registration takes no lock: a read lock on every miss would make the
// cores that miss at once write one cache line.
func (c *Cache[K, V]) perKeyLoader(key K) Loader[K, V] {
	if c.perKey.Load() == 0 {
		return nil
	}
	c.loadersMu.RLock()
	defer c.loadersMu.RUnlock()
	return c.loaders[key]
}

// sameFunc reports whether a and b are the same function value (the same
// function, or the same closure object): a func value is a pointer to its
// closure, and comparing those pointers is what == would do if Go allowed it.
func sameFunc[F ~func(context.Context, K) (V, error), K comparable, V any](a, b F) bool {
	return a != nil && *(*unsafe.Pointer)(unsafe.Pointer(&a)) == *(*unsafe.Pointer)(unsafe.Pointer(&b))
}

// Loader returns the loader of key: its per-key loader, else the default
// loader, else an error wrapping ErrNoLoader.
func (c *Cache[K, V]) Loader(key K) (Loader[K, V], error) {
	if l := c.perKeyLoader(key); l != nil {
		return l, nil
	}
	if c.defaultLoader != nil {
		return c.defaultLoader, nil
	}
	return nil, fmt.Errorf("%w for key %v", ErrNoLoader, key)
}
