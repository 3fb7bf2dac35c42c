package cache

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"log/slog"
	"math/bits"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/asyncutils-go/asyncutils/internal/timing"
)

// Loader loads the value of key, under a context that carries the values of
// the caller that started the load but not its cancellation; Close cancels
// it. It runs on a goroutine of the cache, or, for a Get whose ctx can never
// end (context.Background), on the caller's goroutine.
type Loader[K comparable, V any] func(ctx context.Context, key K) (V, error)

// Cache is a concurrent cache that reloads entries in the background before
// they expire. Create it with [New] and stop it with [Close]. All methods
// are safe for concurrent use.
type Cache[K comparable, V any] struct {
	// Read by every call and written only by New and Close: no write of
	// the fields below shares their cache lines.
	shards        []shard[K, V]
	shift         uint // a key's shard is hash >> shift
	seed          maphash.Seed
	cfg           atomic.Pointer[config]
	closed        atomic.Bool
	clock         clock.Clock
	epoch         time.Time
	logger        *slog.Logger
	bound         *bound[K, V] // nil: unbounded
	hitStripes    []hitStripe  // an unbounded cache's hit counters (a bounded one counts in its read stripes)
	hitMask       uint32
	batcher       *batcher[K, V]           // nil: a single-key loader (New)
	onRemoval     func(K, V, RemovalCause) // nil: none
	defaultLoader Loader[K, V]
	_             linePad

	cfgMu     sync.Mutex // serializes Configure and Close
	opts      options    // what the configuration was built from, under cfgMu
	loadersMu sync.RWMutex
	loaders   map[K]Loader[K, V] // under loadersMu
	perKey    atomic.Int64       // len(loaders), written under loadersMu
	_         linePad

	counters counters // the rare ones; misses, loads and the length are counted per shard
	_        linePad

	// The refresh loop's state; see schedule.go.
	armed   atomic.Int64      // the time the loop sleeps until; maxTime while it works
	wake    chan struct{}     // signals the loop
	running atomic.Int32      // loop reloads in flight
	pendMu  sync.Mutex        // only the loop takes it, but for tests that inspect pending
	pending []*entry[K, V]    // due entries waiting for a reload slot, under pendMu
	waiting atomic.Int32      // len(pending), for the reloads that free a slot
	expired []removal[K, V]   // the loop's expirations, for the removal callback, under pendMu
	later   []scheduled[K, V] // the loop's retries not yet due, put back after a bulk wake-up, under pendMu
	_       linePad

	wg        sync.WaitGroup  // the loop and the batches; each shard counts its own loads
	ctx       context.Context // the cache's own context; Close cancels it
	cancel    context.CancelFunc
	done      chan struct{}
	closeOnce sync.Once
}

// New returns a cache that loads missing keys with defaultLoader (nil: only
// keys with a per-key loader can be loaded) and starts its refresh loop.
// TTL and refresh window default to defaults.Current(). An invalid
// configuration returns an error wrapping [ErrInvalidConfig] that names each
// problem; nothing is started then. Call Close to stop the loop.
func New[K comparable, V any](defaultLoader Loader[K, V], opts ...Option) (*Cache[K, V], error) {
	o := buildOptions(opts)
	var problems []error
	if o.set&setBatch != 0 {
		problems = append(problems, fmt.Errorf("%w: WithBatch is for NewBulk's caches", ErrInvalidConfig))
	}
	return newCache(defaultLoader, o, nil, problems...)
}

// newCache makes the cache of New and NewBulk (bt non-nil) and starts its loop.
// problems are those its caller found already: the error names them with
// the rest.
func newCache[K comparable, V any](defaultLoader Loader[K, V], o *options, bt *batcher[K, V], problems ...error) (*Cache[K, V], error) {
	// Every check runs, so that the error names every problem.
	cfg, cerr := newConfig(o)
	b, onRemoval, berr := newBound[K, V](o)
	if err := errors.Join(append(problems, cerr, berr)...); err != nil {
		return nil, err
	}
	n := shardCount()
	c := &Cache[K, V]{
		shards:        make([]shard[K, V], n),
		shift:         uint(64 - bits.TrailingZeros(uint(n))),
		seed:          maphash.MakeSeed(),
		clock:         timing.Or(o.clock),
		logger:        o.logger,
		opts:          *o,
		defaultLoader: defaultLoader,
		loaders:       map[K]Loader[K, V]{},
		bound:         b,
		batcher:       bt,
		onRemoval:     onRemoval,
		wake:          make(chan struct{}, 1),
		done:          make(chan struct{}),
	}
	if b == nil {
		n := stripeCount()
		c.hitStripes, c.hitMask = make([]hitStripe, n), uint32(n-1)
	}
	c.cfg.Store(cfg)
	c.epoch = c.clock.Now()
	c.armed.Store(maxTime)
	for i := range c.shards {
		c.shards[i].init()
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	c.wg.Add(1)
	go c.loop()
	return c, nil
}

// shardCount is a power of two, at least 64, that grows with GOMAXPROCS so
// that writers on different cores rarely share a shard.
func shardCount() int {
	n := 64
	for n < 16*runtime.GOMAXPROCS(0) && n < 4096 {
		n *= 2
	}
	return n
}

func (c *Cache[K, V]) hash(key K) uint64 { return maphash.Comparable(c.seed, key) }

// now is the time in nanoseconds since the cache's epoch, read from its clock.
func (c *Cache[K, V]) now() int64 { return int64(c.clock.Since(c.epoch)) }

func (c *Cache[K, V]) shardOf(h uint64) *shard[K, V] { return &c.shards[h>>c.shift] }

// Get returns the value of key. A value not older than the TTL at the time
// of the call is returned at once; a value in the refresh window (older than
// TTL - refresh) is returned at once too, and a background reload of key
// starts unless one is running or a failed one is waiting for its retry. A
// missing or expired key is loaded synchronously: concurrent callers share
// one loader call, each waits until the load ends or its own ctx ends (then
// it returns ctx.Err() and the load goes on for the others; a caller whose
// ctx has already ended starts no load). A failed load returns the loader's
// error and caches nothing. After Close, Get returns ErrClosed.
//
// A hit takes no lock and allocates nothing.
func (c *Cache[K, V]) Get(ctx context.Context, key K) (V, error) {
	h := c.hash(key)
	s := c.shardOf(h)
	if e := s.find(h, key); e != nil {
		if it := e.item.Load(); it != nil && c.serve(ctx, s, e, it) {
			if it.isNegative() {
				var zero V
				return zero, ErrNotFound
			}
			return it.value, nil
		}
	}
	return c.getSlow(ctx, h, s, key)
}

// serve reports whether it, the value of e, can be returned now; if so it
// counts the hit, records the read, and starts a single-key reload when the
// value is in the refresh window.
func (c *Cache[K, V]) serve(ctx context.Context, s *shard[K, V], e *entry[K, V], it *item[V]) bool {
	// The clock is read on every hit: the TTL bound must not depend on the
	// refresh loop running on time.
	age := it.ageAt(c.now())
	cfg := c.cfg.Load()
	if it.isNegative() {
		if age > cfg.negativeTTL {
			return false
		}
		c.counters.negativeHits.Add(1)
		return true
	}
	if age > cfg.serveFresh {
		if age > cfg.serveTTL {
			// Past the TTL: only a value whose reloads keep failing is
			// served, and only within the stale-if-error window.
			if cfg.staleIfError == 0 || e.flags.Load()&flagBackoff == 0 || age-cfg.ttl > cfg.staleIfError {
				return false
			}
			c.counters.staleHits.Add(1)
			return true
		}
		if e.flags.Load()&(flagLoading|flagBackoff|flagRemoved) == 0 {
			c.refreshOne(ctx, e, it)
		}
	}
	if e.flags.Load()&(flagRead|flagHit) != flagRead|flagHit {
		// Written once per load (and, in a bounded cache, once per read
		// the policy counts), so that parallel hits of a hot key do not
		// keep writing its cache line.
		e.flags.Or(flagRead | flagHit)
	}
	if c.bound != nil {
		c.recordHit(e)
	} else {
		c.hitStripes[stripeHint()&c.hitMask].n.Add(1)
	}
	return true
}

// getSlow handles a miss of the lock-free path: it checks again under the
// shard's lock, then joins or starts the key's load and waits for it.
func (c *Cache[K, V]) getSlow(ctx context.Context, h uint64, s *shard[K, V], key K) (V, error) {
	var zero V
	if c.closed.Load() {
		return zero, ErrClosed
	}
	s.mu.Lock()
	e := s.lookup(h, key)
	if e != nil {
		if it := e.item.Load(); it != nil {
			// Stored meanwhile, or missed by the lock-free walk.
			s.mu.Unlock()
			if c.serve(ctx, s, e, it) {
				if it.isNegative() {
					return zero, ErrNotFound
				}
				return it.value, nil
			}
			s.mu.Lock() // it expired just now
			e = s.lookup(h, key)
		}
	}
	if err := ctx.Err(); err != nil && s.flights[e] == nil {
		// A caller that has given up starts no load.
		s.mu.Unlock()
		return zero, err
	}
	s.misses.Add(1)
	starts := s.flights[e] == nil
	// A caller whose ctx can never end (no Done channel) could not leave the
	// load early anyway, so a load it starts runs on its own goroutine,
	// which saves starting one; a loader's runtime.Goexit then ends that
	// goroutine, as Go defines, and the other waiters get ErrGoexit. Every
	// other load runs on a goroutine of the cache, so that each waiter can
	// leave when its ctx ends while the load goes on for the others.
	f, in, err := c.startLockedInline(ctx, s, h, key, e, kindSync, ctx.Done() == nil)
	if err == nil && starts {
		// The policy hears of the miss with the value's store: one event,
		// not two. A load that stores nothing (it failed, or a Set won)
		// is not counted.
		f.missed = true
	}
	s.mu.Unlock()
	if err != nil {
		return zero, err
	}
	if in.loader != nil {
		// The caller waits for this load as surely as if it waited on its
		// channel: a loader's inline load (its ctx has no Done channel, say
		// context.WithoutCancel of its own) is an edge of the graph of
		// loads, so that a cycle through it is refused.
		if l, _ := ctx.Value(loadingKey{}).(*loadContext); l != nil {
			beginWait(l.node, &f.node) // f is new: nothing waits for it, no cycle yet
			defer endWait(l.node, &f.node)
		}
		c.run(in.s, in.h, in.e, f, in.loader)
		return c.result(f)
	}
	return c.wait(ctx, f)
}

// GetWith registers loader as key's loader (see RegisterLoader), then gets
// key as Get does. Registering the same function value again costs a read
// lock only; a new closure on every call costs a write lock every time.
func (c *Cache[K, V]) GetWith(ctx context.Context, key K, loader Loader[K, V]) (V, error) {
	c.RegisterLoader(key, loader)
	return c.Get(ctx, key)
}

// Set stores value for key as if a load had just returned it. A load of key
// in flight is superseded: its result is returned to its waiters but not
// stored. A Set is not a read: it does not keep the entry warm. After Close,
// Set does nothing.
//
// Replacing a present value takes no lock: one allocation and one
// compare-and-swap.
func (c *Cache[K, V]) Set(key K, value V) {
	if c.closed.Load() {
		return
	}
	h := c.hash(key)
	s := c.shardOf(h)
	now := c.now()
	if e := s.find(h, key); e != nil {
		// An entry that is backing off or idle is scheduled for that state;
		// it goes through the lock to be scheduled for its new value. An
		// entry being loaded does too, so that the Set ends the flight it
		// supersedes (a Load after the Set then starts its own load rather
		// than join one whose result will not be stored). With a weigher
		// the policy must see the new weight: under the lock.
		if old := e.item.Load(); old != nil && e.flags.Load()&(flagRemoved|flagBackoff|flagIdle|flagLoading) == 0 &&
			(c.bound == nil || c.bound.weigher == nil) {
			it := &item[V]{value: value, loadedAt: now, readAt: old.lastRead()}
			if e.item.CompareAndSwap(old, it) {
				flags := e.flags.Load()
				if flags&storedFlags != 0 {
					e.flags.And(^storedFlags)
				}
				if flags&flagLoading != 0 {
					c.supersede(s, e)
				}
				c.notifyOne(key, old, CauseReplaced)
				return
			}
		}
	}
	var w int64
	if c.bound != nil {
		w = c.bound.weigh(key, value)
	}
	s.mu.Lock()
	old := c.setLocked(s, h, key, value, now, w)
	s.mu.Unlock()
	c.afterWrite()
	if old != nil {
		c.notifyOne(key, old, CauseReplaced)
	}
}

// supersede ends the flight of e if it started from a value a lock-free Set
// replaced just now (it raced the Set's check for a load): its result would
// not be stored, and a Load must not join it.
func (c *Cache[K, V]) supersede(s *shard[K, V], e *entry[K, V]) {
	s.mu.Lock()
	if f := s.flights[e]; f != nil && f.base != e.item.Load() {
		delete(s.flights, e)
		e.flags.And(^flagLoading)
	}
	s.mu.Unlock()
}

// setLocked stores value, of weight w, for key and supersedes its flight;
// s.mu must be held. It returns the value it replaced.
func (c *Cache[K, V]) setLocked(s *shard[K, V], h uint64, key K, value V, now, w int64) *item[V] {
	e := s.lookup(h, key)
	if e == nil {
		e = c.newEntry(key, h)
		s.insert(h, e, c.hash)
	}
	if s.flights[e] != nil {
		delete(s.flights, e)
		e.flags.And(^flagLoading)
	}
	readAt := int64(neverRead)
	old := e.item.Load()
	if old != nil {
		readAt = old.lastRead()
	}
	it := &item[V]{value: value, loadedAt: now, readAt: readAt}
	e.item.Store(it)
	c.stored(e, h, old == nil, w, false)
	e.flags.And(^storedFlags)
	// An entry scheduled already keeps its earlier time: the loop then finds
	// it not due and schedules it for this value (schedule.go's invariant
	// allows early). Moving it later would sift it down its heap, a cache
	// miss per level, on every Set of a hot key.
	if at := c.nextEvent(it, c.cfg.Load()); e.heapIdx < 0 || at < s.heap[e.heapIdx].at {
		c.schedule(s, e, at)
	}
	return old
}

// stored counts a value just stored for e (fresh: e held none) and tells the
// bound's policy, with the miss that loaded it (missed); the caller holds e's
// shard's mutex.
func (c *Cache[K, V]) stored(e *entry[K, V], h uint64, fresh bool, w int64, missed bool) {
	if fresh {
		c.shardOf(h).values.Add(1)
	}
	if b := c.bound; b != nil {
		switch {
		case fresh:
			b.push(event[K, V]{e: e, hash: h, weight: w, kind: evAdd, miss: missed})
		case b.weigher != nil:
			b.push(event[K, V]{e: e, hash: h, weight: w, kind: evUpdate, miss: missed})
		case missed:
			b.push(event[K, V]{hash: h, kind: evMiss, miss: true})
		}
	}
}

// neverRead is the readAt of a value nobody has read.
const neverRead = -1 << 62

// Invalidate removes key and returns the value it held, if it held one that
// had not expired. A load of key in flight is superseded: its result is not
// stored, so an invalidated key never comes back from a load that started
// before Invalidate.
func (c *Cache[K, V]) Invalidate(key K) (V, bool) {
	var zero V
	h := c.hash(key)
	s := c.shardOf(h)
	now := c.now()
	s.mu.Lock()
	e := s.lookup(h, key)
	if e == nil {
		s.mu.Unlock()
		return zero, false
	}
	it := c.removeLocked(s, h, e, nil)
	s.mu.Unlock()
	if it == nil {
		return zero, false
	}
	c.afterWrite()
	c.notifyOne(key, it, CauseInvalidated)
	if it.isNegative() || it.ageAt(now) > c.cfg.Load().ttl {
		return zero, false
	}
	return it.value, true
}

// removeLocked takes e out of the cache for good and returns the value it
// held; s.mu must be held. A flight of e is superseded. With expired set,
// e is removed only if it still holds that value (a Set may have replaced
// it without the lock), and counted as an expiration.
func (c *Cache[K, V]) removeLocked(s *shard[K, V], h uint64, e *entry[K, V], expired *item[V]) *item[V] {
	old := c.takeOutLocked(s, h, e, expired)
	if c.bound != nil && e.flags.Load()&flagRemoved != 0 {
		c.bound.push(event[K, V]{e: e, kind: evRemove})
	}
	return old
}

// removeIfLocked takes e out of the cache for good if it still holds want
// (nil: no value), and reports whether it did; s.mu must be held. A Set that
// replaced want without the lock wins.
func (c *Cache[K, V]) removeIfLocked(s *shard[K, V], h uint64, e *entry[K, V], want *item[V]) bool {
	if !e.item.CompareAndSwap(want, nil) {
		return false
	}
	c.detachLocked(s, h, e, want)
	if c.bound != nil {
		c.bound.push(event[K, V]{e: e, kind: evRemove})
	}
	return true
}

// takeOutLocked is removeLocked without the policy's remove event, for a
// victim the policy has already unlinked.
func (c *Cache[K, V]) takeOutLocked(s *shard[K, V], h uint64, e *entry[K, V], expired *item[V]) *item[V] {
	var old *item[V]
	if expired != nil {
		if !e.item.CompareAndSwap(expired, nil) {
			return nil
		}
		old = expired
		c.counters.expirations.Add(1)
	} else {
		old = e.item.Swap(nil)
	}
	c.detachLocked(s, h, e, old)
	return old
}

// detachLocked takes e, whose value old (nil: none) was just taken, out of
// its shard: its flight, table slot and schedule; s.mu must be held.
func (c *Cache[K, V]) detachLocked(s *shard[K, V], h uint64, e *entry[K, V], old *item[V]) {
	e.flags.Or(flagRemoved)
	if s.flights[e] != nil {
		delete(s.flights, e)
		e.flags.And(^flagLoading)
	}
	if old != nil {
		s.values.Add(-1)
	}
	s.unlink(h, e)
	s.unschedule(e)
}

// Clear removes every key. Loads in flight are superseded, as by Invalidate.
func (c *Cache[K, V]) Clear() {
	var removed []removal[K, V]
	for i := range c.shards {
		c.shards[i].mu.Lock()
	}
	for i := range c.shards {
		s := &c.shards[i]
		s.each(func(e *entry[K, V]) {
			e.flags.Or(flagRemoved)
			if it := e.item.Swap(nil); it != nil {
				s.values.Add(-1)
				removed = c.appendRemoval(removed, e.key, it, CauseCleared)
			}
		})
		s.reset()
	}
	for i := range c.shards {
		c.shards[i].mu.Unlock()
	}
	c.clearPolicy()
	c.notify(removed)
}

// Close stops the refresh loop, cancels the loads in flight, and waits for
// every goroutine of the cache to return. It is safe to call more than once
// and from several goroutines; every call returns once the cache has
// stopped. Waiters of a cancelled load get ErrClosed; the cancelled reloads
// are not reported as failures. After Close, Get, GetWith, Load and Refresh
// return ErrClosed, and Configure returns ErrClosed; the other methods keep
// working on what is stored. Close always returns nil.
//
// Close waits for the loaders and error handlers that run: called from one of
// them, it waits for itself and never returns; call it on a new goroutine.
func (c *Cache[K, V]) Close() error {
	c.closeOnce.Do(func() {
		c.cfgMu.Lock()
		// Set under every shard's mutex: a load starts under its shard's
		// and looks at closed there, so none starts after this.
		for i := range c.shards {
			c.shards[i].mu.Lock()
		}
		c.closed.Store(true)
		for i := range c.shards {
			c.shards[i].mu.Unlock()
		}
		c.cfg.Store(closedConfig(c.cfg.Load())) // hits go to the path that checks closed
		c.cfgMu.Unlock()
		c.cancel()
		close(c.done)
	})
	c.wg.Wait()
	for i := range c.shards {
		c.shards[i].running.Wait()
	}
	return nil
}
