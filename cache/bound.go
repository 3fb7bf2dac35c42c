package cache

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/asyncutils-go/asyncutils/internal"
)

// RemovalCause says why an entry left the cache, for [WithOnRemoval].
type RemovalCause uint8

const (
	// CauseEvicted: the eviction policy chose it to keep the size or weight bound.
	CauseEvicted RemovalCause = iota + 1
	// CauseExpired: it passed its TTL.
	CauseExpired
	// CauseInvalidated: Invalidate removed it.
	CauseInvalidated
	// CauseReplaced: a Set replaced its value.
	CauseReplaced
	// CauseCleared: Clear removed it.
	CauseCleared
)

func (r RemovalCause) String() string {
	switch r {
	case CauseEvicted:
		return "evicted"
	case CauseExpired:
		return "expired"
	case CauseInvalidated:
		return "invalidated"
	case CauseReplaced:
		return "replaced"
	case CauseCleared:
		return "cleared"
	}
	return fmt.Sprintf("RemovalCause(%d)", uint8(r))
}

// WithOnRemoval sets a function called with every key and value that leaves
// the cache, and why: evicted for size, expired, invalidated, replaced by a
// Set, cleared. It is called after the cache released every lock, on the
// goroutine that removed the entry (the refresh loop for expirations, the
// writer that caused an eviction), never on the hit path; a panic in it is
// recovered and logged. It must have the cache's key and value types.
func WithOnRemoval[K comparable, V any](fn func(key K, value V, cause RemovalCause)) Option {
	return optionFunc(func(o *options) {
		o.onRemoval = nil
		if fn != nil {
			o.onRemoval = fn
		}
		o.set |= setRemoval
	})
}

// The bounded cache. Hits record their entry in a small lossy ring of
// their shard (the shard's hit counter is the ring's index, so a hit adds
// one atomic store); writes (new entries, weight changes, removals, misses)
// append an event to one queue under a leaf mutex. Whoever holds the policy
// mutex drains the queue, in order, into the policy (policy.go), and removes
// the victims it chooses. A writer drains after its write when the policy
// mutex is free, and waits for it only when maxQueued events wait, so the
// bound is passed by at most maxQueued entries (or their weight) plus one
// per goroutine writing at that moment.
//
// Lock order: a shard's mutex, then the queue's; the policy's, then a
// shard's (to remove a victim), then the queue's. No writer holds a shard's
// mutex while it takes the policy's.

// readSlots is the size of a shard's ring of recent hits.
const readSlots = 16

// maxQueued is how many write events may wait before a writer waits for the
// policy mutex to drain them.
const maxQueued = 128

type eventKind uint8

const (
	evAdd eventKind = iota
	evUpdate
	evRemove
	evMiss
)

type event[K comparable, V any] struct {
	e      *entry[K, V]
	hash   uint64
	weight int64
	kind   eventKind
}

type bound[K comparable, V any] struct {
	mu      sync.Mutex // the policy's; see above
	policy  *policy[*entry[K, V]]
	victims []*entry[K, V] // under mu, reused

	qmu    sync.Mutex
	queue  []event[K, V] // under qmu
	spare  []event[K, V] // under mu: the drained queue, reused
	queued atomic.Int32

	max     int64
	weigher func(K, V) int64 // nil: every entry weighs 1

	evictions     atomic.Uint64
	evictedWeight atomic.Uint64
}

// removal is one call of the removal callback, made after the locks are released.
type removal[K comparable, V any] struct {
	key   K
	value V
	cause RemovalCause
}

func (e *entry[K, V]) node() *policyNode[*entry[K, V]] { return e.pol }

// newBound checks the bound options and returns the bound, or nil for an
// unbounded cache.
func newBound[K comparable, V any](o *options) (*bound[K, V], func(K, V, RemovalCause), error) {
	var onRemoval func(K, V, RemovalCause)
	if o.onRemoval != nil {
		fn, ok := o.onRemoval.(func(K, V, RemovalCause))
		if !ok {
			return nil, nil, fmt.Errorf("%w: WithOnRemoval's function is %T, want func(%T, %T, cache.RemovalCause)",
				ErrInvalidConfig, o.onRemoval, *new(K), *new(V))
		}
		onRemoval = fn
	}
	switch {
	case o.bounds == 0:
		return nil, onRemoval, nil
	case o.bounds > 1:
		return nil, nil, fmt.Errorf("%w: WithMaxSize and WithMaxWeight given together (or one twice); give one", ErrInvalidConfig)
	case o.maxWeight == 0 && o.weigher == nil:
		if o.maxSize <= 0 {
			return nil, nil, fmt.Errorf("%w: max size is %d, must be > 0", ErrInvalidConfig, o.maxSize)
		}
		return &bound[K, V]{max: int64(o.maxSize), policy: newPolicy[*entry[K, V]](int64(o.maxSize))}, onRemoval, nil
	}
	if o.maxWeight <= 0 {
		return nil, nil, fmt.Errorf("%w: max weight is %d, must be > 0", ErrInvalidConfig, o.maxWeight)
	}
	w, ok := o.weigher.(func(K, V) int64)
	if !ok {
		return nil, nil, fmt.Errorf("%w: WithMaxWeight's weigher is %T, want a non-nil func(%T, %T) int64",
			ErrInvalidConfig, o.weigher, *new(K), *new(V))
	}
	return &bound[K, V]{max: o.maxWeight, weigher: w, policy: newPolicy[*entry[K, V]](o.maxWeight)}, onRemoval, nil
}

// weigh is the weight of key's value; user code, so called with no lock
// held. A negative weight counts as 0.
func (b *bound[K, V]) weigh(key K, value V) int64 {
	if b.weigher == nil {
		return 1
	}
	return max(b.weigher(key, value), 0)
}

// push appends an event; the caller may hold its shard's mutex.
func (b *bound[K, V]) push(ev event[K, V]) {
	b.qmu.Lock()
	b.queue = append(b.queue, ev)
	b.qmu.Unlock()
	b.queued.Add(1)
}

// afterWrite drains the queue after a write, with no lock held.
func (c *Cache[K, V]) afterWrite() {
	b := c.bound
	if b == nil || b.queued.Load() == 0 {
		return
	}
	if b.mu.TryLock() {
		c.drain(nil)
	} else if b.queued.Load() >= maxQueued {
		b.mu.Lock()
		c.drain(nil)
	}
}

// drain drains until no event waits or another goroutine holds the policy's
// mutex; the mutex must be held. A writer whose try-lock failed leaves its
// event to the holder, which looks again after it unlocked: every event is
// drained by its writer or by a holder that saw it, never left behind.
func (c *Cache[K, V]) drain(s *shard[K, V]) {
	for {
		c.drainLocked(s)
		if c.bound.queued.Load() == 0 || !c.bound.mu.TryLock() {
			return
		}
		s = nil
	}
}

// recordHit puts e in its shard's ring of recent hits; n is the shard's hit
// count after this hit. A full turn of the ring drains it if the policy's
// mutex is free: a busy policy loses hits, never delays one.
func (c *Cache[K, V]) recordHit(s *shard[K, V], e *entry[K, V], n uint64) {
	s.reads[n%readSlots].Store(e)
	if n%readSlots == 0 && c.bound.mu.TryLock() {
		c.drain(s)
	}
}

// drainLocked applies the queued events and the hits in s's ring (s may be
// nil), removes the victims, unlocks the policy's mutex and then calls the
// removal callback for the victims.
func (c *Cache[K, V]) drainLocked(s *shard[K, V]) {
	b := c.bound
	evict := func(e *entry[K, V]) { b.victims = append(b.victims, e) }
	// Hits first, so that the policy sees them before it picks victims: a
	// drain for a write takes those of every shard that had some since the
	// last drain (one atomic load per shard); a drain for a full ring takes
	// that ring's alone, which keeps the hit path's share of the work small.
	if s != nil {
		c.drainReads(s)
	} else {
		for i := range c.shards {
			c.drainReads(&c.shards[i])
		}
	}
	b.qmu.Lock()
	events := b.queue
	b.queue = b.spare[:0]
	b.queued.Store(0)
	b.qmu.Unlock()
	for _, ev := range events {
		switch ev.kind {
		case evAdd:
			if ev.e.flags.Load()&flagRemoved == 0 && ev.e.pol.queue == queueNone {
				ev.e.pol.hash, ev.e.pol.weight = ev.hash, ev.weight
				b.policy.add(ev.e, evict)
			}
		case evUpdate:
			if ev.e.flags.Load()&flagRemoved == 0 {
				b.policy.update(ev.e, ev.weight, evict)
			}
		case evRemove:
			b.policy.remove(ev.e)
		case evMiss:
			b.policy.miss(ev.hash)
		}
	}
	clear(events)
	b.spare = events
	var removed []removal[K, V]
	for i, e := range b.victims {
		b.victims[i] = nil
		h := c.hash(e.key)
		vs := c.shardOf(h)
		vs.mu.Lock()
		if e.flags.Load()&flagRemoved == 0 {
			if it := c.removeLocked(vs, h, e, nil); it != nil {
				b.evictions.Add(1)
				b.evictedWeight.Add(uint64(e.pol.weight))
				if c.onRemoval != nil {
					removed = append(removed, removal[K, V]{e.key, it.value, CauseEvicted})
				}
			}
		}
		vs.mu.Unlock()
	}
	b.victims = b.victims[:0]
	b.mu.Unlock()
	c.notify(removed)
}

// drainReads feeds the policy the hits recorded in s's ring since the last
// drain; the policy's mutex must be held. A hit counted but not yet stored
// in its slot is lost, as are hits beyond the ring's size: the buffer is
// lossy by design, so that a hit never waits.
func (c *Cache[K, V]) drainReads(s *shard[K, V]) {
	n := s.hits.Load()
	from := s.drained
	if n == from {
		return
	}
	if n-from > readSlots {
		from = n - readSlots
	}
	for i := from + 1; i <= n; i++ {
		if e := s.reads[i%readSlots].Swap(nil); e != nil && e.flags.Load()&flagRemoved == 0 {
			c.bound.policy.access(e)
		}
	}
	s.drained = n
}

// notify calls the removal callback for each removal; no lock may be held.
func (c *Cache[K, V]) notify(removed []removal[K, V]) {
	for _, r := range removed {
		c.notifyOne(r.key, r.value, r.cause)
	}
}

func (c *Cache[K, V]) notifyOne(key K, value V, cause RemovalCause) {
	if c.onRemoval == nil {
		return
	}
	err := internal.Guard(func() error {
		c.onRemoval(key, value, cause)
		return nil
	}, func(gerr error) {
		c.warn("cache: removal callback exited its goroutine", "error", gerr, "cause", cause.String())
	})
	if err != nil {
		c.warn("cache: removal callback panicked", "error", err, "cause", cause.String())
	}
}

// clearPolicy unlinks every removed entry from the policy after Clear.
func (c *Cache[K, V]) clearPolicy() {
	b := c.bound
	if b == nil {
		return
	}
	b.mu.Lock()
	defer c.afterWrite()
	for q := queueWindow; q <= queueProtected; q++ {
		for e := b.policy.queues[q].head; e != nil; {
			next := e.pol.next
			if e.flags.Load()&flagRemoved != 0 {
				b.policy.remove(e)
			}
			e = next
		}
	}
	c.drainLocked(nil)
}
