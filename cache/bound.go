package cache

import (
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

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
	// CauseReplaced: a Set or a reload replaced its value.
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
// the cache, and why: evicted for size, expired (removed, or replaced by a
// load, past its TTL), invalidated, replaced (by a Set, or by a reload of a
// live value), cleared. A cached "not found" ([WithNegativeTTL]) holds no
// value and is not reported; Stats counts it. It is called after the cache
// released every lock, on the goroutine that removed the value (the refresh
// loop for the expirations it finds, and a load for an expired value it
// replaces, which may be a Get's own goroutine; for evictions, the writer
// that drained a batch of writes or the loop; for a replacement, the writer
// or the load), never on the hit path; a panic in it is recovered and logged. It may call the
// cache's methods, but not Close, which waits for the goroutine it runs on.
// It must have the cache's key and value types.
func WithOnRemoval[K comparable, V any](fn func(key K, value V, cause RemovalCause)) Option {
	return optionFunc(func(o *options) {
		o.onRemoval = nil
		if fn != nil {
			o.onRemoval = fn
		}
		o.set |= setRemoval
	})
}

// The bounded cache. A hit records its entry's policy node in a small lossy
// ring, that of the read stripe its goroutine's stack picks (stripeHint; the
// stripe's hit counter is the ring's index, so a hit adds one atomic
// increment and one store, and hits on different cores rarely share a
// stripe). A full ring drops hits without storing them, as Caffeine's and
// otter's read buffers do (the counter still counts them, for Stats). A hit never does policy work:
// every half turn of a ring wakes the cache's own goroutine (the refresh
// loop), which feeds every stripe's hits to the policy under the policy
// mutex after a delay (boundWake, refresh.go). Writes (new entries, weight
// changes, removals; a miss rides on the event of the value it loads)
// append an event to one queue under a leaf mutex. Whoever holds the
// policy mutex drains the hits, then the queue, in order, into the policy
// (policy.go), and removes the victims of each event before it applies the
// next. A writer drains once drainBatch events wait and the policy mutex is
// free, and waits for it only when maxQueued events are queued or being
// applied, so the bound is passed by at most maxQueued entries (or their
// weight) plus one per write in progress (a Set, or a load storing its
// value: GetMany runs several per call on the cache's goroutines); events below a
// batch are drained by the loop, drainDelay after the write when the cache
// is quiet and within 2*maxDrainDelay in any case, so the bound is passed
// only briefly.
//
// Why batches: with a drain per write, the goroutines on two cores took
// turns at the policy, and its lists, sketch and nodes moved between the
// cores' caches with every write (docs/design.md has the measurements).
// The loop drains after a delay, not at once, because waking a goroutine on
// an idle core costs microseconds on a virtual machine: woken at once, ten
// thousand times a second, it cost parallel Sets more than batches saved.
//
// Lock order: a shard's mutex, then the queue's; the policy's, then a
// shard's (to remove a victim), then the queue's. No writer holds a shard's
// mutex while it takes the policy's.

// readSlots is the size of a stripe's ring of recent hits. A ring wakes the
// loop every half turn; hits beyond a full ring are dropped until the loop
// or a writer's drain empties it.
const readSlots = 64

// maxQueued is how many write events may be queued or being applied before
// a writer waits for the policy mutex to drain them.
const maxQueued = 128

// drainBatch is how many queued events make a writer drain at once.
// Events below a batch are drained by the loop drainDelay after the write
// that woke it, or, while writers go on draining batches, after at most
// 2*maxDrainDelay (boundWake).
const (
	drainBatch    = maxQueued / 2
	drainDelay    = 100 * time.Microsecond
	maxDrainDelay = 20 * time.Millisecond
)

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
	miss   bool // a Get missed the key first (always, for evMiss)
}

// readStripe is one ring of recent hits; n counts the hits recorded in it.
// Its fields fill cache lines of their own.
type readStripe[K comparable, V any] struct {
	n       atomic.Uint64
	drained atomic.Uint64 // the count drained into the policy, written under its mutex
	slots   [readSlots]atomic.Pointer[policyNode[*entry[K, V]]]
	_       [48]byte // 8 + 8 + 64*8 + 48 bytes: nine lines
}

type bound[K comparable, V any] struct {
	// Read by every hit and write, written only by newBoundOf: a line that
	// no write dirties, so that hits on one core do not miss it because
	// writes on another push events.
	stripes    []readStripe[K, V]
	stripeMask uint32
	hitWake    chan struct{}         // a ring of hits completed half a turn (capacity 1; boundWake)
	writeWake  chan struct{}         // events below a batch wait (capacity 1; boundWake)
	max        int64                 // the bound
	weigher    func(K, V) int64      // nil: every entry weighs 1
	policy     *policy[*entry[K, V]] // what it points to is under mu
	_          linePad

	mu      sync.Mutex     // the policy's; see above
	drains  atomic.Uint64  // drains started, written under mu: the loop leaves events to writers that drain (boundWake)
	victims []*entry[K, V] // under mu, reused
	spare   []event[K, V]  // under mu: the drained queue, reused
	_       linePad

	qmu    sync.Mutex
	queue  []event[K, V] // under qmu
	queued atomic.Int32
	_      linePad

	evictions     atomic.Uint64 // written under mu, read by Stats
	evictedWeight atomic.Uint64
}

// removal is one call of the removal callback, made after the locks are
// released. weigh marks an eviction of a weighted bound still to be counted
// (notify): its value may be newer than the weight the policy held for it
// (the value's update was still queued), so it is weighed again, with no
// lock held, and Stats.EvictedWeight agrees with the values the callback is
// given.
type removal[K comparable, V any] struct {
	key   K
	value V
	cause RemovalCause
	weigh bool
}

// appendRemoval appends the callback's call for it, the value key held, to
// removed: nothing without a callback, and nothing for a cached "not found",
// which holds no value.
func (c *Cache[K, V]) appendRemoval(removed []removal[K, V], key K, it *item[V], cause RemovalCause) []removal[K, V] {
	if c.onRemoval == nil || it == nil || it.isNegative() {
		return removed
	}
	return append(removed, removal[K, V]{key: key, value: it.value, cause: cause})
}

// boundedEntry is the allocation of a bounded cache's entry: the entry and
// its policy node in one object, so that neither needs a pointer to the
// other and an unbounded cache's entry carries nothing for the policy.
//
// Invariant: node and fromNode convert between the two fields with unsafe
// pointer arithmetic, which is valid only for an entry allocated as the
// first field of a boundedEntry (newEntry of a bounded cache). They are
// called only from the bound's code (the policy, the drain and recordHit),
// which exists only in a bounded cache; called on an unbounded cache's
// entry, node would point past the entry's allocation.
type boundedEntry[K comparable, V any] struct {
	entry entry[K, V]
	node  policyNode[*entry[K, V]]
}

// weightedEntry is the allocation of an entry of a weighted bound
// (WithMaxWeight): a boundedEntry and its weight. A size bound's entries all
// weigh 1 and carry no weight, which keeps a bounded entry of a string key in
// 64 bytes, one cache line, instead of 80. flagWeighted marks the entries
// allocated this way.
type weightedEntry[K comparable, V any] struct {
	boundedEntry[K, V]
	w int64
}

// weight returns e's weight in the policy: 1 in a size bound.
func (e *entry[K, V]) weight() int64 {
	if e.flags.Load()&flagWeighted == 0 {
		return 1
	}
	return (*weightedEntry[K, V])(unsafe.Pointer(e)).w
}

// setWeight records e's weight; in a size bound, where every entry weighs 1,
// w must be 1.
func (e *entry[K, V]) setWeight(w int64) {
	if e.flags.Load()&flagWeighted == 0 {
		if w != 1 {
			panic("cache: weight other than 1 in a size bound")
		}
		return
	}
	(*weightedEntry[K, V])(unsafe.Pointer(e)).w = w
}

// takeHit reports and clears flagHit, which every hit sets.
func (e *entry[K, V]) takeHit() bool {
	if e.flags.Load()&flagHit == 0 {
		return false
	}
	return e.flags.And(^flagHit)&flagHit != 0
}

// node returns e's policy node; e must belong to a bounded cache.
func (e *entry[K, V]) node() *policyNode[*entry[K, V]] {
	return &(*boundedEntry[K, V])(unsafe.Pointer(e)).node
}

// fromNode returns the entry whose policy node is n; called on any entry
// pointer (the policy calls it on nil).
func (*entry[K, V]) fromNode(n *policyNode[*entry[K, V]]) *entry[K, V] {
	return (*entry[K, V])(unsafe.Add(unsafe.Pointer(n), -unsafe.Offsetof(boundedEntry[K, V]{}.node)))
}

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
	case !o.weighted:
		if o.maxSize <= 0 {
			return nil, nil, fmt.Errorf("%w: max size is %d, must be > 0", ErrInvalidConfig, o.maxSize)
		}
		return newBoundOf[K, V](int64(o.maxSize), nil), onRemoval, nil
	}
	if o.maxWeight <= 0 {
		return nil, nil, fmt.Errorf("%w: max weight is %d, must be > 0", ErrInvalidConfig, o.maxWeight)
	}
	w, ok := o.weigher.(func(K, V) int64)
	if !ok {
		return nil, nil, fmt.Errorf("%w: WithMaxWeight's weigher is %T, want a non-nil func(%T, %T) int64",
			ErrInvalidConfig, o.weigher, *new(K), *new(V))
	}
	return newBoundOf(min(o.maxWeight, maxBoundWeight), w), onRemoval, nil
}

// newBoundOf returns a bound of max, weighed by weigher (nil: each entry
// weighs 1), with read stripes for the machine's cores.
func newBoundOf[K comparable, V any](max int64, weigher func(K, V) int64) *bound[K, V] {
	n := stripeCount()
	return &bound[K, V]{
		max:        max,
		weigher:    weigher,
		policy:     newPolicy[*entry[K, V]](max),
		stripes:    make([]readStripe[K, V], n),
		stripeMask: uint32(n - 1),
		hitWake:    make(chan struct{}, 1),
		writeWake:  make(chan struct{}, 1),
	}
}

// stripeCount is the number of read stripes: a power of two, eight per core
// up to 64, so that goroutines running at once rarely share one (see
// stripeHint) while a drain looks at few.
func stripeCount() int {
	n := 8
	for n < 8*runtime.GOMAXPROCS(0) && n < 64 {
		n *= 2
	}
	return n
}

// negativeWeight is the weight of a cached "not found" (WithNegativeTTL)
// under either bound: it holds no value for the weigher, and a weight of 0
// would let a flood of keys the loader does not find grow past the bound.
const negativeWeight = 1

// maxBoundWeight is the largest bound the policy keeps: WithMaxWeight's
// max above it counts as it. An entry heavier than the bound is evicted
// before its weight is added anywhere, so every weight the policy sums is at
// most the bound, its sums stay within twice the bound, and they cannot
// overflow.
const maxBoundWeight = math.MaxInt64 / 2

// weigh is the weight of key's value (a negative weight counts as 0); user
// code, so called with no lock held. A panicking weigher panics here.
func (b *bound[K, V]) weigh(key K, value V) int64 {
	if b.weigher == nil {
		return 1
	}
	return max(b.weigher(key, value), 0)
}

// weighLoaded is weigh for a value a load returned, on a goroutine that
// must go on (it holds the load's waiters): a panicking weigher fails the
// load instead.
func (b *bound[K, V]) weighLoaded(key K, value V) (int64, error) {
	var w int64
	err := internal.Guard(func() error {
		w = b.weigh(key, value)
		return nil
	}, nil)
	if err != nil {
		return 0, fmt.Errorf("cache: weigher: %w", err)
	}
	return w, nil
}

// push appends an event; the caller may hold its shard's mutex.
func (b *bound[K, V]) push(ev event[K, V]) {
	b.qmu.Lock()
	b.queue = append(b.queue, ev)
	b.queued.Add(1) // under qmu, so that a drain never subtracts an event not counted yet
	b.qmu.Unlock()
}

// afterWrite drains the queue after a write, with no lock held. A writer
// drains only once a batch (drainBatch events) waits: under a stream of
// writes from many goroutines, one drain applies many events, and the
// policy's lists and sketch stay in one core's cache instead of moving
// between the cores with a drain per write. Events below a batch, or whose
// writer found the policy's mutex taken, are left to the next writer's
// drain or to the loop's, which runs within drainDelay of the write
// (writeWake), so that the bound is passed only briefly.
func (c *Cache[K, V]) afterWrite() {
	b := c.bound
	if b == nil {
		return
	}
	q := b.queued.Load()
	if q == 0 {
		return
	}
	if q >= drainBatch {
		if b.mu.TryLock() {
			c.drain()
			return
		}
		if q >= maxQueued {
			b.mu.Lock()
			c.drain()
			return
		}
	}
	select {
	case b.writeWake <- struct{}{}:
	default: // a wake-up is pending already
	}
}

// drainHits feeds the recorded hits and the queued events to the policy,
// once: the loop calls it when a ring of hits completed half a turn, and
// drainDelay after a write left events below a batch. A single pass, so
// that under a stream of writes the loop does not become their drainer;
// events queued meanwhile have sent their own wake-up.
func (c *Cache[K, V]) drainHits() {
	c.bound.mu.Lock()
	c.drainLocked()
}

// drain drains until no event waits or another goroutine holds the policy's
// mutex; the mutex must be held. A writer whose try-lock failed leaves its
// event to the holder, which looks again after it unlocked: every event is
// drained by its writer or by a holder that saw it, never left behind.
func (c *Cache[K, V]) drain() {
	for {
		c.drainLocked()
		if c.bound.queued.Load() == 0 || !c.bound.mu.TryLock() {
			return
		}
	}
}

// recordHit puts e's policy node in a read stripe's ring. Every half turn of
// the ring wakes the loop to drain the stripes, unless a wake-up is already
// pending: the hit itself never waits and never does policy work.
func (c *Cache[K, V]) recordHit(e *entry[K, V]) {
	b := c.bound
	st := &b.stripes[stripeHint()&b.stripeMask]
	n := st.n.Add(1) // every hit: Stats.Hits is the sum of the stripes' counts
	if n-st.drained.Load() <= readSlots {
		st.slots[n%readSlots].Store(e.node())
	} // else the ring is full: the hit is dropped until the loop drains it
	if n%(readSlots/2) == 0 {
		select {
		case b.hitWake <- struct{}{}:
		default:
		}
	}
}

// stripeHint picks the read stripe of the calling goroutine: a hash of the
// address of a local variable, that is of the goroutine's stack. Bits below
// 2 KiB (the smallest stack) depend on the call depth, not the goroutine,
// and are dropped; the rest differ between goroutines and stay the same
// over one goroutine's hits, so that a goroutine keeps writing the cache
// lines of one stripe while goroutines on other cores write others'. In a
// same-run A/B of parallel bounded hits (5 interleaved runs) this was a
// quarter cheaper than a random stripe per hit, which moves every stripe's
// lines between the cores.
//
// It is a hint: any stripe is correct. Its failure mode is two goroutines
// on different cores whose stacks hash to one stripe; they then share its
// lines as random picks would, and a stack that moves (when it grows) picks
// another stripe.
func stripeHint() uint32 {
	var local byte
	return uint32(mix64(uint64(uintptr(unsafe.Pointer(&local)) >> 11)))
}

// drainLocked applies the recorded hits and the queued events, removes the
// victims, unlocks the policy's mutex and then calls the removal callback
// for the victims.
func (c *Cache[K, V]) drainLocked() {
	b := c.bound
	b.drains.Add(1)
	evict := func(e *entry[K, V]) { b.victims = append(b.victims, e) }
	// Hits first, so that the policy sees them before it picks victims (one
	// atomic load per stripe when there are none).
	for i := range b.stripes {
		b.drainReads(&b.stripes[i])
	}
	// queued still counts the events taken until they are applied, so
	// that writers wait once maxQueued entries are in the table and not in
	// the policy, whether they are queued or being applied.
	b.qmu.Lock()
	events := b.queue
	b.queue = b.spare[:0]
	b.qmu.Unlock()
	var removed []removal[K, V]
	for _, ev := range events {
		if ev.miss {
			b.policy.miss(keyHash(ev.hash))
		}
		switch ev.kind {
		case evAdd:
			if n := ev.e.node(); ev.e.flags.Load()&flagRemoved == 0 && n.queue == queueNone {
				n.hash = keyHash(ev.hash)
				ev.e.setWeight(ev.weight)
				b.policy.add(ev.e, evict)
			}
		case evUpdate:
			if ev.e.flags.Load()&flagRemoved == 0 {
				b.policy.update(ev.e, ev.weight, evict)
			}
		case evRemove:
			b.policy.remove(ev.e)
		}
		// Each event's victims leave the table before the next event is
		// applied: entries the policy holds never pass the bound, and the
		// table passes it only by the events not applied yet.
		if len(b.victims) > 0 {
			removed = c.removeVictims(removed)
		}
	}
	b.queued.Add(-int32(len(events)))
	clear(events)
	b.spare = events
	b.mu.Unlock()
	c.notify(removed)
}

// removeVictims takes the victims the policy chose out of the table and
// appends their removal callbacks to removed; the policy's mutex must be
// held.
func (c *Cache[K, V]) removeVictims(removed []removal[K, V]) []removal[K, V] {
	b := c.bound
	for i, e := range b.victims {
		b.victims[i] = nil
		// The victim is unlinked already, so its removal needs no remove
		// event. Its node's hash is the top half of its key's: enough for
		// its shard and bucket (buckets.index), without hashing its key.
		h := uint64(e.node().hash) << 32
		vs := c.shardOf(h)
		vs.mu.Lock()
		if e.flags.Load()&flagRemoved == 0 {
			if it := c.takeOutLocked(vs, h, e, nil); it != nil {
				if b.weigher != nil && !it.isNegative() {
					removed = append(removed, removal[K, V]{key: e.key, value: it.value, cause: CauseEvicted, weigh: true})
				} else {
					b.countEviction(e.weight())
					removed = c.appendRemoval(removed, e.key, it, CauseEvicted)
				}
			}
		}
		vs.mu.Unlock()
	}
	b.victims = b.victims[:0]
	return removed
}

// drainReads feeds the policy the hits recorded in st's ring since the last
// drain; the policy's mutex must be held. A hit counted but not yet stored
// in its slot is lost, as are hits beyond the ring's size: the buffer is
// lossy by design, so that a hit never waits.
func (b *bound[K, V]) drainReads(st *readStripe[K, V]) {
	n := st.n.Load()
	from := st.drained.Load()
	if n == from {
		return
	}
	if n-from > readSlots {
		from = n - readSlots
	}
	for i := from + 1; i <= n; i++ {
		// A node whose entry was removed is unlinked, or will be by
		// its remove event in this drain: the access of an unlinked
		// node is ignored, and nodes are never linked twice.
		if nd := st.slots[i%readSlots].Swap(nil); nd != nil {
			b.policy.accessNode(nd)
		}
	}
	st.drained.Store(n)
}

// hits is the number of hits recorded in the stripes.
func (b *bound[K, V]) hits() uint64 {
	var n uint64
	for i := range b.stripes {
		n += b.stripes[i].n.Load()
	}
	return n
}

// countEviction counts one eviction of weight w in Stats. The weight
// saturates: with weights near the bound's maximum, a few evictions would
// wrap a plain sum.
func (b *bound[K, V]) countEviction(w int64) {
	b.evictions.Add(1)
	for {
		old := b.evictedWeight.Load()
		sum := old + uint64(w)
		if sum < old {
			sum = math.MaxUint64
		}
		if b.evictedWeight.CompareAndSwap(old, sum) {
			return
		}
	}
}

// notify counts the evictions still to be counted and calls the removal
// callback for each removal; no lock may be held.
func (c *Cache[K, V]) notify(removed []removal[K, V]) {
	for _, r := range removed {
		if r.weigh {
			w, err := c.bound.weighLoaded(r.key, r.value)
			if err != nil {
				c.warn("cache: weigher panicked weighing an evicted value; counted as 0", "error", err)
			}
			c.bound.countEviction(w)
		}
		c.notifyValue(r.key, r.value, r.cause)
	}
}

// notifyOne calls the removal callback for it, the value key held; nothing
// for a cached "not found", which holds no value.
func (c *Cache[K, V]) notifyOne(key K, it *item[V], cause RemovalCause) {
	if it != nil && !it.isNegative() {
		c.notifyValue(key, it.value, cause)
	}
}

func (c *Cache[K, V]) notifyValue(key K, value V, cause RemovalCause) {
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
		for n := b.policy.queues[q].head; n != nil; {
			next := n.next
			if e := entryOf(n); e.flags.Load()&flagRemoved != 0 {
				b.policy.remove(e)
			}
			n = next
		}
	}
	c.drainLocked()
}
