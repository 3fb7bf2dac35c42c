package cache

import (
	"sync"
	"sync/atomic"
)

// The key table is sharded; each shard is a chained hash table whose bucket
// array and chains are published through atomic pointers. Readers walk it
// without a lock. Writers hold the shard's mutex. A reader that races with a
// writer may miss a key that is present (while a chain is relinked by a
// resize), never find a key that is absent or a wrong key: every miss is
// checked again under the mutex, so a false miss costs time, not
// correctness.

// maxWalk bounds a lock-free chain walk; a longer walk (only possible while
// writers relink chains) falls back to the locked lookup.
const maxWalk = 64

// minBuckets is the bucket array size of an empty shard.
const minBuckets = 8

type buckets[K comparable, V any] struct {
	mask  uint64
	heads []atomic.Pointer[entry[K, V]]
}

// index is the bucket of a key of hash h: bits 32 and up, which the bound's
// policy keeps of each entry (keyHash), so that it can find a victim's shard
// (the top bits) and bucket without hashing its key again. The shard's bits
// are the top ones too: in a shard of more than 2^(32-log2(shards))
// buckets the two overlap, which lengthens chains, never breaks a lookup.
func (t *buckets[K, V]) index(h uint64) uint64 { return (h >> 32) & t.mask }

func newBuckets[K comparable, V any](n int) *buckets[K, V] {
	return &buckets[K, V]{mask: uint64(n - 1), heads: make([]atomic.Pointer[entry[K, V]], n)}
}

// A shard's fields are in two groups of their own cache lines: the table,
// which every lookup reads and only a resize writes, and the rest, which
// writers write under the mutex. Hits are counted per goroutine stripe, not
// per shard (hitStripe).
type shard[K comparable, V any] struct {
	table atomic.Pointer[buckets[K, V]]
	_     linePad

	mu      sync.Mutex
	values  atomic.Int64                // entries that hold a value (Len is their sum), written under mu
	misses  atomic.Uint64               // Stats.Misses, per shard so that misses on different cores share no line
	loads   atomic.Uint64               // Stats.Loads, the same
	running sync.WaitGroup              // the shard's loads that run, for Close
	count   int                         // entries in the table, under mu
	flights map[*entry[K, V]]*flight[V] // the running load of each entry that has one, under mu
	heap    []scheduled[K, V]           // the shard's schedule, a min-heap by time, under mu
	next    atomic.Int64                // the earliest time in heap (maxTime: none), written under mu
	_       linePad
}

// linePad keeps the fields before it and those after it in different cache
// lines (64 bytes on the machines we measure; 128 on some ARM cores, where
// it still halves the sharing). It separates fields that one core writes
// from fields that others read on every call.
type linePad [64]byte

func (s *shard[K, V]) init() {
	s.table.Store(newBuckets[K, V](minBuckets))
	s.next.Store(maxTime)
}

// find returns the entry of key without locking. A nil result may be a false
// miss; see the comment at the top of this file.
func (s *shard[K, V]) find(h uint64, key K) *entry[K, V] {
	t := s.table.Load()
	e := t.heads[t.index(h)].Load()
	tag := tagOf(h)
	for range maxWalk {
		if e == nil || e.flags.Load()&tagMask == tag && e.key == key {
			return e
		}
		e = e.next.Load()
	}
	return nil
}

// lookup returns the entry of key; s.mu must be held.
func (s *shard[K, V]) lookup(h uint64, key K) *entry[K, V] {
	t := s.table.Load()
	tag := tagOf(h)
	for e := t.heads[t.index(h)].Load(); e != nil; e = e.next.Load() {
		if e.flags.Load()&tagMask == tag && e.key == key {
			return e
		}
	}
	return nil
}

// insert adds e, whose key is not in the table; s.mu must be held.
func (s *shard[K, V]) insert(h uint64, e *entry[K, V], hash func(K) uint64) {
	t := s.table.Load()
	if s.count >= len(t.heads) {
		t = s.grow(t, hash)
	}
	head := &t.heads[t.index(h)]
	e.next.Store(head.Load())
	head.Store(e)
	s.count++
}

// grow doubles the bucket array. Entries are relinked into the new array,
// which is published once complete; readers still walking the old one may
// miss keys, and fall back to the lock.
func (s *shard[K, V]) grow(old *buckets[K, V], hash func(K) uint64) *buckets[K, V] {
	t := newBuckets[K, V](2 * len(old.heads))
	for i := range old.heads {
		e := old.heads[i].Load()
		for e != nil {
			next := e.next.Load()
			head := &t.heads[t.index(hash(e.key))]
			e.next.Store(head.Load())
			head.Store(e)
			e = next
		}
	}
	s.table.Store(t)
	return t
}

// unlink removes e from the table; s.mu must be held. A reader standing on e
// keeps walking the chain behind it.
func (s *shard[K, V]) unlink(h uint64, e *entry[K, V]) {
	t := s.table.Load()
	link := &t.heads[t.index(h)]
	for cur := link.Load(); cur != nil; cur = cur.next.Load() {
		if cur == e {
			link.Store(e.next.Load())
			s.count--
			return
		}
		link = &cur.next
	}
}

// each calls fn for every entry; s.mu must be held.
func (s *shard[K, V]) each(fn func(*entry[K, V])) {
	t := s.table.Load()
	for i := range t.heads {
		for e := t.heads[i].Load(); e != nil; e = e.next.Load() {
			fn(e)
		}
	}
}

// reset empties the table; s.mu must be held.
func (s *shard[K, V]) reset() {
	s.table.Store(newBuckets[K, V](minBuckets))
	s.count = 0
	s.flights = nil
	for _, x := range s.heap {
		x.e.heapIdx = -1
	}
	s.heap = nil
	s.next.Store(maxTime)
}

// setFlight records f as the running load of e; s.mu must be held.
func (s *shard[K, V]) setFlight(e *entry[K, V], f *flight[V]) {
	if s.flights == nil {
		s.flights = map[*entry[K, V]]*flight[V]{}
	}
	s.flights[e] = f
}
