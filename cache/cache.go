package cache

import (
	"context"
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

// Loader loads the value of key. It runs on a goroutine of the cache, under
// a context that carries the values of the caller that started the load but
// not its cancellation; Close cancels it.
type Loader[K comparable, V any] func(ctx context.Context, key K) (V, error)

// Cache is a concurrent cache that reloads entries in the background before
// they expire. Create it with [New] and stop it with [Close]. All methods
// are safe for concurrent use.
type Cache[K comparable, V any] struct {
	shards []shard[K, V]
	shift  uint // a key's shard is hash >> shift
	seed   maphash.Seed
	cfg    atomic.Pointer[config]
	closed atomic.Bool
	// allFresh is set by the refresh loop while it sleeps and the earliest
	// scheduled entry is not due yet: then every entry whose flags have none
	// of slowFlags is fresh, and a hit need not read the clock. Only with the
	// default clock; see schedule.go.
	allFresh atomic.Bool

	clock     clock.Clock
	epoch     time.Time
	idle      int64 // WithIdleTimeout in nanoseconds; 0: off
	fastClock bool  // the default clock: hits may trust allFresh instead of reading it
	logger    *slog.Logger
	opts      options // what Configure needs to rebuild the config

	defaultLoader Loader[K, V]
	loadersMu     sync.RWMutex
	loaders       map[K]Loader[K, V]

	sched    scheduler[K, V]
	size     atomic.Int64
	counters counters

	life      sync.RWMutex // read-held to start a goroutine; Close write-holds it to stop new ones
	wg        sync.WaitGroup
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
	cfg, err := newConfig(o.ttl, o.refresh, o.handler, o)
	if err != nil {
		return nil, err
	}
	n := shardCount()
	c := &Cache[K, V]{
		shards:        make([]shard[K, V], n),
		shift:         uint(64 - bits.TrailingZeros(uint(n))),
		seed:          maphash.MakeSeed(),
		clock:         timing.Or(o.clock),
		idle:          int64(o.idle),
		fastClock:     o.clock == nil,
		logger:        o.logger,
		opts:          *o,
		defaultLoader: defaultLoader,
		loaders:       map[K]Loader[K, V]{},
		done:          make(chan struct{}),
	}
	c.cfg.Store(cfg)
	c.epoch = c.clock.Now()
	for i := range c.shards {
		c.shards[i].init()
	}
	c.sched.init(o.maxRefreshes, &c.allFresh, &c.cfg, o.clock == nil)
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

// Get returns the value of key. A fresh value is returned at once. A value in
// the refresh window (older than TTL - refresh) is returned at once too, and
// a background reload of key starts unless one is running or a failed one is
// waiting for its retry. A missing or expired key is loaded synchronously:
// concurrent callers share one loader call, each waits until the load ends
// or its own ctx ends (then it returns ctx.Err() and the load goes on for the
// others; a caller whose ctx has already ended starts no load). A failed
// load returns the loader's error and caches nothing. After Close, Get
// returns ErrClosed.
//
// A fresh hit takes no lock and allocates nothing.
func (c *Cache[K, V]) Get(ctx context.Context, key K) (V, error) {
	h := c.hash(key)
	s := c.shardOf(h)
	if e := s.find(h, key); e != nil {
		if it := e.item.Load(); it != nil {
			f := e.flags.Load()
			if f&slowFlags == 0 && c.allFresh.Load() {
				if c.idle > 0 && f&flagRead == 0 {
					e.flags.Or(flagRead)
				}
				s.hits.Add(1)
				return it.value, nil
			}
			if !c.closed.Load() && c.serve(ctx, s, e, it, c.now()) {
				return it.value, nil
			}
		}
	}
	return c.getSlow(ctx, h, s, key)
}

// serve decides whether the value it of e can be returned at now; if so it
// counts the hit, records the read, and starts a single-key reload when the
// value is in the refresh window.
func (c *Cache[K, V]) serve(ctx context.Context, s *shard[K, V], e *entry[K, V], it *item[V], now int64) bool {
	cfg := c.cfg.Load()
	if age := now - it.loadedAt; age > cfg.refreshAfter {
		if age > cfg.ttl {
			return false
		}
		if e.flags.Load()&(flagLoading|flagBackoff|flagRemoved) == 0 {
			c.refreshOne(ctx, e)
		}
	}
	if c.idle > 0 && e.flags.Load()&flagRead == 0 {
		e.flags.Or(flagRead)
	}
	s.hits.Add(1)
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
			now := c.now()
			if now-it.loadedAt <= c.cfg.Load().ttl {
				s.mu.Unlock()
				c.serve(ctx, s, e, it, now) // true: not expired at now
				return it.value, nil
			}
		}
	}
	if err := ctx.Err(); err != nil && s.flights[e] == nil {
		// A caller that has given up starts no load.
		s.mu.Unlock()
		return zero, err
	}
	c.counters.misses.Add(1)
	f, err := c.startLocked(ctx, s, h, key, e, kindSync)
	s.mu.Unlock()
	if err != nil {
		return zero, err
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
// stored. After Close, Set does nothing.
func (c *Cache[K, V]) Set(key K, value V) {
	if c.closed.Load() {
		return
	}
	h := c.hash(key)
	s := c.shardOf(h)
	now := c.now()
	cfg := c.cfg.Load()
	s.mu.Lock()
	e := s.lookup(h, key)
	if e == nil {
		e = &entry[K, V]{key: key, heapIdx: -1}
		s.insert(h, e, c.hash)
	}
	delete(s.flights, e)
	it := &item[V]{value: value, loadedAt: now, readAt: now}
	if e.item.Swap(it) == nil {
		c.size.Add(1)
	}
	e.flags.And(^(reloadedFlags | flagRead))
	c.sched.set(e, c.nextEvent(it, cfg), cfg)
	s.mu.Unlock()
}

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
	defer s.mu.Unlock()
	e := s.lookup(h, key)
	if e == nil {
		return zero, false
	}
	it := e.item.Load()
	c.removeLocked(s, h, e, false)
	if it == nil || now-it.loadedAt > c.cfg.Load().ttl {
		return zero, false
	}
	return it.value, true
}

// removeLocked takes e out of the cache for good; s.mu must be held. A
// flight of e is superseded.
func (c *Cache[K, V]) removeLocked(s *shard[K, V], h uint64, e *entry[K, V], expired bool) {
	e.flags.Or(flagRemoved)
	delete(s.flights, e)
	if e.item.Swap(nil) != nil {
		c.size.Add(-1)
		if expired {
			c.counters.expirations.Add(1)
		}
	}
	s.unlink(h, e)
	c.sched.remove(e)
}

// Clear removes every key. Loads in flight are superseded, as by Invalidate.
func (c *Cache[K, V]) Clear() {
	for i := range c.shards {
		c.shards[i].mu.Lock()
	}
	for i := range c.shards {
		s := &c.shards[i]
		s.each(func(e *entry[K, V]) {
			e.flags.Or(flagRemoved)
			if e.item.Swap(nil) != nil {
				c.size.Add(-1)
			}
		})
		s.reset()
	}
	c.sched.clear()
	for i := range c.shards {
		c.shards[i].mu.Unlock()
	}
}

// Close stops the refresh loop, cancels the loads in flight, and waits for
// every goroutine of the cache to return. It is safe to call more than once
// and from several goroutines; every call returns once the cache has
// stopped. Waiters of a cancelled load get ErrClosed. After Close, Get,
// GetWith, Load and Refresh return ErrClosed; the other methods keep working
// on what is stored. Close always returns nil.
//
// Close waits for the loaders and error handlers that run: called from one of
// them, it waits for itself and never returns; call it on a new goroutine.
func (c *Cache[K, V]) Close() error {
	c.closeOnce.Do(func() {
		c.life.Lock()
		c.closed.Store(true)
		c.life.Unlock()
		c.sched.stop() // hits go to the path that checks closed
		c.cancel()
		close(c.done)
	})
	c.wg.Wait()
	return nil
}
