package cache

import "math/rand/v2"

// The eviction policy: adaptive W-TinyLFU (Einziger, Friedman and Manes,
// "TinyLFU: A Highly Efficient Cache Admission Policy", and Einziger,
// Eytan, Friedman and Manes, "Adaptive Software Cache Management"), as
// Caffeine and otter describe it. docs/eviction.md gives the reasons and the
// measurements.
//
// Layout: a new entry enters the admission window, a small LRU (1% of the
// bound at first). An entry pushed out of the window becomes a candidate for
// the main space, an SLRU of a probation and a protected queue. When the
// cache is over its bound, the candidate and the main space's victim (the
// probation queue's least recently used entry) are compared by their
// estimated frequency in a count-min sketch (sketch.go), and the less
// frequent one is evicted. A hit in probation promotes the entry to
// protected (80% of the main space); protected's overflow is demoted back to
// probation. A hill climber (policy_climb.go) moves the boundary between the
// window and the main space towards the better hit ratio.
//
// The interface, as the cache uses it:
//
//   - The policy is intrusive and generic over the cache's entry pointer E:
//     each entry embeds a policyNode[E] (its queue links, its key's hash and
//     its queue) and returns it from node(); it keeps its weight itself
//     (weight and setWeight), so that a size bound's entries, which all
//     weigh 1, spend no bytes on it. Linking, moving and unlinking
//     an entry allocates nothing; the zero E (nil) ends a queue.
//   - It is single-threaded: the cache calls it under one mutex, from the
//     drain of its read and write buffers, never on the hit path.
//   - add links a new entry and calls evict for each entry it removes to keep
//     the total weight within the bound, the new one included: an entry
//     heavier than the bound is evicted at once. add does not count an
//     access: a load is a miss (counted by miss) followed by an add. A Set
//     that should count as an access calls miss before add.
//   - access records a hit; miss records a read that found no entry. Both
//     feed the sketch (TinyLFU counts every access) and the climber's
//     sample. access may come late, from a lossy buffer, for an entry
//     already removed: it is then ignored.
//   - frequency tells how often a key was read recently, so that the
//     refresh loop can prefer entries that are read.
//   - update records a new weight for a replaced value. It is not an access:
//     a value replaced by refresh-ahead must not keep an entry that no one
//     reads.
//   - remove unlinks an entry that left the cache for another reason
//     (invalidated, expired, cleared); it calls nothing.
//   - evict is called after the victim is unlinked (its queue is none). It
//     must not call back into the policy. It can name an entry that was
//     never linked: one heavier than the bound, at its add.
//   - Writes for one entry must arrive in order (add before its update or
//     remove); reads may be late or lost. Hashes should come from maphash
//     with a seed per cache: the defence against collisions rests on it.
//
// Every operation is O(1) amortized: eviction removes one entry per step and
// each step is paid for by the add or update that made the cache too heavy;
// the sketch's halving and the climber's transfers are bounded per sample of
// requests.

// Queues an entry can be in.
const (
	queueNone      uint8 = iota // not in the policy: new, evicted or removed
	queueWindow                 // the admission window's LRU
	queueProbation              // main space, not yet hit again
	queueProtected              // main space, hit while in probation
)

// policyNode is the policy's part of an entry. hash is set by the cache
// before add. The queues link nodes, not entries, so that moving an entry
// touches its neighbours' nodes alone. hash is the key's hash for the policy
// (keyHash): 32 bits, so that the node takes 24 bytes and a bounded entry of
// a string key fits the 64-byte size class (bound.go).
type policyNode[E any] struct {
	prev, next *policyNode[E]
	hash       uint32
	queue      uint8
}

// keyHash is the part of a key's 64-bit hash that the policy keeps and
// counts: its top 32 bits. Two keys that share it share their counts in the
// sketch, as keys that collide in the sketch's counters already do.
func keyHash(h uint64) uint32 { return uint32(h >> 32) }

// policyEntry is what the policy needs of an entry: a comparable pointer
// (its zero value ends a queue) that gives access to its node, and back:
// fromNode, called on the zero E, returns the entry whose node n is. The
// cache keeps the node in the same allocation as the entry (bound.go), so
// that neither needs a pointer to the other.
//
// takeHit reports whether the entry was read since the policy last counted
// a read of it, and forgets it: the cache marks every hit in the entry
// itself, which a lossy read buffer cannot lose.
//
// weight is the entry's weight, set by the cache before add and changed by
// the policy only through setWeight, in update.
type policyEntry[E any] interface {
	comparable
	node() *policyNode[E]
	fromNode(n *policyNode[E]) E
	takeHit() bool
	weight() int64
	setWeight(w int64)
}

// entryOf returns the entry of node n, or the zero E for nil.
func entryOf[E policyEntry[E]](n *policyNode[E]) E {
	var zero E
	if n == nil {
		return zero
	}
	return zero.fromNode(n)
}

// lruQueue is an intrusive doubly linked list of nodes, least recently used
// first.
type lruQueue[E policyEntry[E]] struct {
	head, tail *policyNode[E]
	weight     int64
	len        int
}

// front returns the least recently used entry, or the zero E.
func (q *lruQueue[E]) front() E { return entryOf(q.head) }

func (q *lruQueue[E]) pushBack(e E) {
	n := e.node()
	n.prev, n.next = q.tail, nil
	if q.tail == nil {
		q.head = n
	} else {
		q.tail.next = n
	}
	q.tail = n
	q.weight += e.weight()
	q.len++
}

func (q *lruQueue[E]) unlink(e E) {
	n := e.node()
	if n.prev == nil {
		q.head = n.next
	} else {
		n.prev.next = n.next
	}
	if n.next == nil {
		q.tail = n.prev
	} else {
		n.next.prev = n.prev
	}
	n.prev, n.next = nil, nil
	q.weight -= e.weight()
	q.len--
}

// moveToBack makes n, which is in q, the most recently used.
func (q *lruQueue[E]) moveToBack(n *policyNode[E]) {
	if q.tail == n {
		return
	}
	// Unlink (n is not the tail, so it has a next) and relink at the back.
	if n.prev == nil {
		q.head = n.next
	} else {
		n.prev.next = n.next
	}
	n.next.prev = n.prev
	n.prev, n.next = q.tail, nil
	q.tail.next = n
	q.tail = n
}

// policy is the adaptive W-TinyLFU policy for entries of type E.
type policy[E policyEntry[E]] struct {
	queues    [4]lruQueue[E] // indexed by queue; queues[queueNone] is unused
	maxWeight int64
	total     int64 // the weight of every linked entry
	sketch    sketch
	rng       rand.PCG
	climber   climber

	windowMax    int64 // the window's share of maxWeight
	protectedMax int64 // the protected queue's share of maxWeight
}

// Initial shares of the bound: 1% window, and 80% of the main space
// protected, as Caffeine starts.
const (
	initialWindowPercent = 1
	protectedPercent     = 80
)

// newPolicy returns an empty policy keeping the total weight within
// maxWeight (> 0). Its admission jitter is seeded at random, so that an
// adversary cannot predict which of its candidates get in.
func newPolicy[E policyEntry[E]](maxWeight int64) *policy[E] {
	if maxWeight <= 0 {
		panic("cache: policy bound must be positive")
	}
	p := &policy[E]{maxWeight: maxWeight}
	p.rng.Seed(rand.Uint64(), rand.Uint64())
	p.windowMax = max(1, percentOf(maxWeight, initialWindowPercent))
	p.protectedMax = percentOf(maxWeight-p.windowMax, protectedPercent)
	p.sketch.ensure(p.sketchCapacity(0))
	p.climber.init(maxWeight)
	return p
}

// percentOf is pct percent of n >= 0, rounded down, without overflow for any
// n (n*pct/100 overflows for n above math.MaxInt64/pct).
func percentOf(n, pct int64) int64 { return n/100*pct + n%100*pct/100 }

// weight returns the total weight of the entries in the policy.
func (p *policy[E]) weight() int64 { return p.total }

// len returns the number of entries in the policy.
func (p *policy[E]) len() int {
	return p.queues[queueWindow].len + p.queues[queueProbation].len + p.queues[queueProtected].len
}

// frequency estimates how often the key of this hash was read recently, from
// 0 to 15 (the sketch's counters, halved every sample). The refresh loop can
// use it to prefer reloading entries that are read.
func (p *policy[E]) frequency(hash uint32) int { return p.sketch.frequency(hash) }

// sketchCapacity is the number of entries the sketch is sized for when the
// policy holds n: twice that, so that it grows by doubling, but no more than
// the bound (with weights of 1, the most entries there can be) and no more
// than 2^26, so that a weighted bound in bytes does not size a table for
// billions of entries.
func (p *policy[E]) sketchCapacity(n int) int {
	const largest = 1 << 26
	return int(min(p.maxWeight, int64(max(2*n, sketchMinCapacity)), largest))
}

func (p *policy[E]) link(e E, queue uint8) {
	e.node().queue = queue
	p.queues[queue].pushBack(e)
}

func (p *policy[E]) unlink(e E) {
	n := e.node()
	p.queues[n.queue].unlink(e)
	n.queue = queueNone
}

// add links a new entry into the window and evicts until the bound is kept.
func (p *policy[E]) add(e E, evict func(E)) {
	n := e.node()
	if n.queue != queueNone {
		panic("cache: policy add of a linked entry")
	}
	w := e.weight()
	if w < 0 {
		panic("cache: negative entry weight")
	}
	if w > p.maxWeight {
		evict(e)
		return
	}
	p.link(e, queueWindow)
	p.total += w
	if l := p.len(); l > p.sketch.capacity {
		p.sketch.ensure(p.sketchCapacity(l))
	}
	p.evictEntries(evict)
}

// access records a hit on e, if e is still linked.
func (p *policy[E]) access(e E) { p.accessNode(e.node()) }

// accessNode records a hit on the entry of node n, if it is still linked.
func (p *policy[E]) accessNode(n *policyNode[E]) {
	if n.queue == queueNone {
		return
	}
	p.sketch.increment(n.hash)
	p.climber.hits++
	entryOf(n).takeHit()
	switch n.queue {
	case queueWindow, queueProtected:
		p.queues[n.queue].moveToBack(n)
	case queueProbation:
		e := entryOf(n)
		if e.weight() > p.protectedMax {
			p.queues[queueProbation].moveToBack(n)
			break
		}
		p.unlink(e)
		p.link(e, queueProtected)
		p.demoteProtected()
	}
	p.climbIfDue()
}

// miss records a read of a key that has no entry.
func (p *policy[E]) miss(hash uint32) {
	p.sketch.increment(hash)
	p.climber.misses++
	p.climbIfDue()
}

// update records that e's value was replaced by one of the given weight, and
// evicts until the bound is kept (e itself if it is now heavier than the
// bound). An unlinked e only takes the new weight.
func (p *policy[E]) update(e E, weight int64, evict func(E)) {
	n := e.node()
	if weight < 0 {
		panic("cache: negative entry weight")
	}
	if n.queue == queueNone {
		e.setWeight(weight)
		return
	}
	if weight > p.maxWeight {
		// Out before its weight is summed anywhere: every weight in the
		// sums is at most the bound, so they cannot overflow.
		p.total -= e.weight()
		p.unlink(e)
		e.setWeight(weight)
		evict(e)
		return
	}
	delta := weight - e.weight()
	e.setWeight(weight)
	p.queues[n.queue].weight += delta
	p.total += delta
	if n.queue == queueProtected {
		p.demoteProtected()
	}
	p.evictEntries(evict)
}

// remove unlinks e, if it is linked.
func (p *policy[E]) remove(e E) {
	n := e.node()
	if n.queue == queueNone {
		return
	}
	p.total -= e.weight()
	p.unlink(e)
}
