package cache

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/asyncutils-go/asyncutils/internal"
)

// BulkLoader loads the values of keys in one call: a key missing from the
// returned map does not exist (its Get returns [ErrNotFound]); an error
// fails every key of the call. It runs on a goroutine of the cache, under a
// context that carries the values of the caller whose key opened the batch
// but no caller's cancellation; Close cancels it.
type BulkLoader[K comparable, V any] func(ctx context.Context, keys []K) (map[K]V, error)

// NewBulk returns a cache whose loads all go through bulk: misses of
// different keys that arrive close together, and the refresh loop's
// reloads of entries that come due together, are coalesced into batches of
// at most [WithBatch] keys, each one call of bulk. One load per key still
// holds (a key already in a running batch is joined, never loaded twice),
// and every waiter honours its own ctx. A key with a per-key loader
// (RegisterLoader, GetWith) is loaded by that loader alone. A nil bulk
// loader is an error wrapping [ErrInvalidConfig]; otherwise NewBulk is New.
func NewBulk[K comparable, V any](bulk BulkLoader[K, V], opts ...Option) (*Cache[K, V], error) {
	var problems []error
	if bulk == nil {
		problems = append(problems, fmt.Errorf("%w: NewBulk's bulk loader is nil", ErrInvalidConfig))
	}
	o := buildOptions(opts)
	if o.batchKeys == 0 && o.set&setBatch == 0 {
		o.batchKeys, o.batchWait = defaultBatchKeys, defaultBatchWait
	}
	if o.batchKeys <= 0 || o.batchWait < 0 {
		problems = append(problems, fmt.Errorf("%w: batch is %d keys / %v, must be > 0 keys and >= 0", ErrInvalidConfig, o.batchKeys, o.batchWait))
	}
	single := func(ctx context.Context, key K) (V, error) {
		m, err := bulk(ctx, []K{key})
		var zero V
		if err != nil {
			return zero, err
		}
		v, ok := m[key]
		if !ok {
			return zero, fmt.Errorf("%w: key %v", ErrNotFound, key)
		}
		return v, nil
	}
	return newCache(single, o, &batcher[K, V]{
		load: bulk, maxKeys: o.batchKeys, maxWait: o.batchWait,
		slots: bulkSlots{wake: make(chan struct{})},
	}, problems...)
}

// batcher coalesces the loads of a bulk cache. Lock order: a shard's mutex,
// then the batcher's (a leaf).
type batcher[K comparable, V any] struct {
	load    BulkLoader[K, V]
	maxKeys int
	maxWait time.Duration
	slots   bulkSlots // bounds the bulk calls in flight (WithMaxConcurrentRefreshes, as configured now)

	mu   sync.Mutex
	open *batch[K, V] // the batch new loads join, under mu
}

// batch is one call of the bulk loader and the loads it serves.
type batch[K comparable, V any] struct {
	keys   []K
	loads  []batchLoad[K, V]
	values context.Context // the first caller's, for values only
	full   chan struct{}   // closed when the batch may be sent at once
	node   waitNode        // the call in the graph of loads waiting for each other
	gate   *batchGate      // opened when a running load waits for the batch
}

// bulkSlots counts the bulk calls in flight against a limit read at each
// acquire, so that Configure(WithMaxConcurrentRefreshes) changes it for the
// next call (a channel's capacity is fixed when it is made).
type bulkSlots struct {
	mu      sync.Mutex
	running int
	wake    chan struct{} // closed and replaced by every release
}

// acquire takes a slot while fewer than limit() calls run, or returns false
// when gate or done is closed first (then it took none).
func (b *bulkSlots) acquire(limit func() int, gate, done <-chan struct{}) bool {
	for {
		b.mu.Lock()
		if b.running < limit() {
			b.running++
			b.mu.Unlock()
			return true
		}
		w := b.wake
		b.mu.Unlock()
		select {
		case <-w:
		case <-gate:
			return false
		case <-done:
			return false
		}
	}
}

func (b *bulkSlots) release() {
	b.mu.Lock()
	b.running--
	b.wakeLocked()
	b.mu.Unlock()
}

// wakeAll makes every waiting acquire read its limit again (Configure).
func (b *bulkSlots) wakeAll() {
	b.mu.Lock()
	b.wakeLocked()
	b.mu.Unlock()
}

func (b *bulkSlots) wakeLocked() {
	close(b.wake)
	b.wake = make(chan struct{})
}

// batchGate lets a batch run without one of the bulk slots: when a load that
// is running (a loader reading the cache) waits for one of the batch's
// keys, the batch may be what that loader's own call, holding a slot, waits
// for; with every slot so held, a batch waiting for a slot would wait
// forever. So such a batch takes none, and the bound on bulk calls is passed
// by the calls that running calls wait for.
type batchGate struct {
	once sync.Once
	open chan struct{}
}

func (g *batchGate) release() { g.once.Do(func() { close(g.open) }) }

// heldSlotKey asks a load's context whether its chain of callers holds a
// bulk slot of batcher (loadContext.Value answers true).
type heldSlotKey struct{ batcher any }

type batchLoad[K comparable, V any] struct {
	s *shard[K, V]
	h uint64
	e *entry[K, V]
	f *flight[V]
}

// joinBatch adds the load f of e to the open batch, opening one (and its
// goroutine) if none is; s.mu must be held, and the cache not closed.
func (c *Cache[K, V]) joinBatch(values context.Context, s *shard[K, V], h uint64, e *entry[K, V], f *flight[V]) {
	b := c.batcher
	b.mu.Lock()
	defer b.mu.Unlock()
	bt := b.open
	if bt == nil {
		bt = &batch[K, V]{values: values, full: make(chan struct{}), gate: &batchGate{open: make(chan struct{})}}
		b.open = bt
		c.wg.Add(1)
		go c.runBatch(bt)
	}
	f.batch, f.gate = true, bt.gate
	bt.keys = append(bt.keys, e.key)
	bt.loads = append(bt.loads, batchLoad[K, V]{s, h, e, f})
	waitMu.Lock()
	f.node.waitsFor = append(f.node.waitsFor, &bt.node) // the load waits for its batch's call
	waitMu.Unlock()
	if len(bt.keys) >= b.maxKeys {
		close(bt.full)
		b.open = nil
	}
}

// flushBatch sends the open batch at once (GetMany, which has added every
// key it needs).
func (c *Cache[K, V]) flushBatch() {
	b := c.batcher
	b.mu.Lock()
	if bt := b.open; bt != nil {
		close(bt.full)
		b.open = nil
	}
	b.mu.Unlock()
}

// runBatch waits until the batch is full, its time is up or the cache
// closes, then calls the bulk loader once and settles every load of it.
func (c *Cache[K, V]) runBatch(bt *batch[K, V]) {
	defer c.wg.Done()
	b := c.batcher
	t := c.clock.Timer(b.maxWait)
	select {
	case <-bt.full:
	case <-t.C:
	case <-c.done:
	}
	t.Stop()
	b.mu.Lock()
	if b.open == bt {
		b.open = nil
	}
	b.mu.Unlock()
	var lctx *loadContext
	var m map[K]V
	var err error
	slot := b.slots.acquire(func() int { return c.cfg.Load().maxRefreshes }, bt.gate.open, c.done)
	if !slot {
		select {
		case <-c.done:
			err = ErrClosed
		default: // the gate opened: a running load waits for this batch
		}
	}
	if err == nil {
		lctx = &loadContext{Context: c.ctx, values: bt.values, node: &bt.node}
		if slot {
			lctx.holds = b
		}
		err = internal.Guard(func() error {
			var lerr error
			m, lerr = b.load(lctx, bt.keys)
			return lerr
		}, func(gerr error) {
			// The loader called runtime.Goexit: this goroutine ends here,
			// so the batch is settled now, or its loads would never end.
			if slot {
				b.slots.release()
			}
			c.settleBatch(bt, lctx, nil, fmt.Errorf("cache: bulk loader: %w", gerr))
		})
		if slot {
			b.slots.release()
		}
		if pe, ok := err.(*PanicError); ok { //nolint:errorlint // only Guard's own, unwrapped result
			err = fmt.Errorf("cache: bulk loader: %w", pe)
		}
	}
	c.settleBatch(bt, lctx, m, err)
}

// settleBatch ends every load of bt with the bulk call's result: m and err,
// and the age the loader gave with SetAge on lctx (nil: the call did not
// run).
func (c *Cache[K, V]) settleBatch(bt *batch[K, V], lctx *loadContext, m map[K]V, err error) {
	var age int64
	if lctx != nil {
		age = lctx.age.Load()
	}
	background, batched := false, false
	settled := 0
	defer func() {
		// A weigher that calls runtime.Goexit ends this goroutine in
		// finish: the batch's other loads are finished on the way out.
		// (load settled finishes itself: see finish.)
		for _, l := range bt.loads[min(settled+1, len(bt.loads)):] {
			var zero V
			c.finish(l.s, l.h, l.e, l.f, zero, 0, fmt.Errorf("cache: weigher: %w", ErrGoexit))
		}
	}()
	for _, l := range bt.loads {
		v, lerr := m[l.e.key], err
		if lerr == nil {
			if _, ok := m[l.e.key]; !ok {
				lerr = ErrNotFound
			}
		}
		c.finish(l.s, l.h, l.e, l.f, v, age, lerr)
		settled++
		background = background || l.f.kind != kindSync || l.f.refresh
		// A Refresh that joined reports as a single-key reload would.
		batched = batched || l.f.kind == kindBatched && !l.f.refresh
	}
	waitMu.Lock()
	for _, l := range bt.loads {
		l.f.node.waitsFor = nil
	}
	waitMu.Unlock()
	// A failed call is one failure, reported once, however many keys it had.
	if err != nil && !errors.Is(err, ErrClosed) && background && c.ctx.Err() == nil {
		c.report(c.cfg.Load(), err, batched)
	}
}

// GetMany returns the values of keys: present ones as Get serves them, the
// missing ones loaded in as few loader calls as the cache allows (with a
// bulk loader, one call per batch of WithBatch keys, sent at once; with a
// single-key loader, one call per key, at most WithMaxConcurrentRefreshes at
// a time). Keys not found are absent from the map. The error joins the
// failures of the other keys (their keys are absent too); ctx ending stops
// the waiting and returns what was found with ctx's error. Duplicate keys
// are loaded once.
func (c *Cache[K, V]) GetMany(ctx context.Context, keys []K) (map[K]V, error) {
	out := make(map[K]V, len(keys))
	var missing []K
	for _, k := range keys {
		if _, dup := out[k]; dup {
			continue
		}
		h := c.hash(k)
		s := c.shardOf(h)
		if e := s.find(h, k); e != nil {
			if it := e.item.Load(); it != nil && c.serve(ctx, s, e, it) {
				if !it.isNegative() {
					out[k] = it.value
				}
				continue
			}
		}
		missing = append(missing, k)
	}
	if len(missing) == 0 {
		return out, nil
	}
	if c.closed.Load() {
		return out, ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return out, err // a caller whose ctx has ended starts no load, as in Get
	}
	chunk := len(missing)
	if c.batcher == nil {
		chunk = c.cfg.Load().maxRefreshes
	}
	var errs []error
	seen := make(map[K]bool, len(missing))
	for len(missing) > 0 {
		n := min(chunk, len(missing))
		part := missing[:n]
		missing = missing[n:]
		flights := make([]*flight[V], 0, n)
		names := make([]K, 0, n)
		for _, k := range part {
			if seen[k] {
				continue
			}
			seen[k] = true
			h := c.hash(k)
			s := c.shardOf(h)
			s.mu.Lock()
			e := s.lookup(h, k)
			if e != nil {
				if it := e.item.Load(); it != nil {
					s.mu.Unlock()
					if c.serve(ctx, s, e, it) {
						if !it.isNegative() {
							out[k] = it.value
						}
						continue
					}
					s.mu.Lock()
					e = s.lookup(h, k)
				}
			}
			s.misses.Add(1)
			f, err := c.startLocked(ctx, s, h, k, e, kindSync)
			s.mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				continue
			}
			flights = append(flights, f)
			names = append(names, k)
		}
		if c.batcher != nil {
			c.flushBatch()
		}
		c.afterWrite()
		for i, f := range flights {
			v, err := c.wait(ctx, f)
			switch {
			case err == nil:
				out[names[i]] = v
			case errors.Is(err, ErrNotFound):
			case ctx.Err() != nil:
				return out, ctx.Err()
			default:
				errs = append(errs, fmt.Errorf("key %v: %w", names[i], err))
			}
		}
	}
	return out, errors.Join(errs...)
}
