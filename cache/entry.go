package cache

import (
	"math"
	"sync/atomic"
)

// item is one loaded value, when it was loaded and when the entry was last
// known to be read (consulted only with WithIdleTimeout), in nanoseconds
// since the cache's epoch. It is immutable once published, so that a reader that loads
// the pointer sees a consistent value without a lock.
type item[V any] struct {
	value    V
	loadedAt int64
	readAt   int64 // negativeMark: a cached "not found" (WithNegativeTTL), no value
}

// negativeMark in readAt marks a cached "not found". It is kept in readAt,
// which such an item has no use for, so that item stays in the size class
// of its value and two times.
const negativeMark = math.MinInt64

func (it *item[V]) isNegative() bool { return it.readAt == negativeMark }

// ageAt is how old it is at now: never negative (a clock that went back
// makes a value new, not younger than new) and saturating at math.MaxInt64
// (a clock stepped far forward, or a value stamped far back with SetAge,
// must not wrap around to a fresh age).
func (it *item[V]) ageAt(now int64) int64 {
	if now >= it.loadedAt && it.loadedAt >= 0 {
		return now - it.loadedAt // no overflow; every hit of a sane clock
	}
	return ageOf(now, it.loadedAt)
}

// ageOf is ageAt's general case, out of line so that the hit path stays
// short.
//
//go:noinline
func ageOf(now, loadedAt int64) int64 {
	d := now - loadedAt
	switch {
	case now >= 0 && loadedAt < 0 && d < 0:
		return math.MaxInt64
	case d < 0, now < 0 && loadedAt > 0 && d > 0:
		return 0
	}
	return d
}

// lastRead is when the entry of it was last known to be read, for the value
// that replaces it.
func (it *item[V]) lastRead() int64 {
	if it.isNegative() {
		return neverRead
	}
	return it.readAt
}

// Entry flags, read on the hit path without a lock.
const (
	flagLoading  uint32 = 1 << iota // a flight is running for the entry
	flagBackoff                     // the last background reload failed; the loop retries it
	flagRemoved                     // the entry left its table; it never comes back
	flagIdle                        // the loop found it idle and lets it expire
	flagRead                        // a Get was served from its value since it was stored
	flagHit                         // a Get was served since the bound's policy last counted one (bound.go)
	flagWeighted                    // the entry is a weightedEntry (bound.go); set at creation, never changed

	// storedFlags are cleared when a load stores a value or a Set replaces it.
	storedFlags = flagBackoff | flagIdle | flagRead | failureMask

	failureShift = 8 // bits 8..15 count consecutive background reload failures
	failureMask  = 0xff << failureShift

	// tagMask: bits 16..31 hold 16 bits of the key's hash (tagOf), set at
	// creation and never changed, so that a table walk compares a key only
	// when its tag matches: a miss does not read the keys of the entries it
	// passes (for a string key, another cache line each).
	tagMask = 0xffff << 16
)

// entry is the cache's record of one key. It stays the same object from the
// first load until the key is invalidated, cleared or expires, so that an
// in-flight load can tell whether the entry it loads for is still current.
//
// Lock-free fields: item, next, flags. Fields under the shard's mutex:
// heapIdx. A value is stored by compare-and-swap, so that a Set that
// replaces a present value without the lock and a load that ends under it
// cannot overwrite each other unseen. The entry's running load, if any, is in its shard's flights
// map, under the shard's mutex: loads are rare, and keeping the pointer out
// of the entry keeps the entry in a smaller size class.
type entry[K comparable, V any] struct {
	// What a hit reads comes first, in the fewest bytes (flags, key, item):
	// an unbounded entry is not aligned to a cache line (48 bytes for a
	// string key), and the fewer bytes a hit reads from its start, the fewer
	// entries have them split over two lines. A size bound's entry of a
	// string key takes 64 bytes with its policy node (bound.go): one line.
	flags   atomic.Uint32
	heapIdx int32 // position in the shard's heap; -1 when not scheduled
	key     K
	item    atomic.Pointer[item[V]]     // nil: no value yet, or removed
	next    atomic.Pointer[entry[K, V]] // the bucket chain
}

// newEntry returns a new entry of key, whose hash is h. A bounded cache's
// entry is the first field of a boundedEntry, which holds its policy node,
// or of a weightedEntry, which adds its weight (bound.go); an unbounded
// cache's entry has neither.
func (c *Cache[K, V]) newEntry(key K, h uint64) *entry[K, V] {
	var e *entry[K, V]
	flags := tagOf(h)
	switch {
	case c.bound == nil:
		e = new(entry[K, V])
	case c.bound.weigher != nil:
		e = &(&weightedEntry[K, V]{}).entry
		flags |= flagWeighted
	default:
		e = &(&boundedEntry[K, V]{}).entry
	}
	e.key, e.heapIdx = key, -1
	e.flags.Store(flags)
	return e
}

// tagOf is the tag of a key of hash h in an entry's flags: the low 16 bits
// of h, which pick neither the shard (the top bits) nor the bucket (bits 32
// and up; see buckets.index).
func tagOf(h uint64) uint32 { return uint32(h<<16) & tagMask }

func (e *entry[K, V]) failures() uint32 {
	return (e.flags.Load() & failureMask) >> failureShift
}

// setFailures stores n (capped at 255) in the failure bits.
func (e *entry[K, V]) setFailures(n uint32) {
	n = min(n, 0xff)
	for {
		old := e.flags.Load()
		if e.flags.CompareAndSwap(old, old&^failureMask|n<<failureShift) {
			return
		}
	}
}
