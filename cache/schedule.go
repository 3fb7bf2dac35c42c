package cache

import "math"

// The schedule is kept per shard: each shard orders its entries by the time
// the refresh loop must next look at them (a refresh, retry or expiry time)
// in a binary min-heap under the shard's own mutex, and publishes its
// earliest time in next. A write therefore takes only the lock of its
// key's shard, never a lock shared by the whole cache, and writers on
// different shards never meet. The loop reads every shard's next (one
// atomic load each) and locks only the shards that have due entries, so a
// wake-up costs O(S + d log n) for S shards and d due entries among n.
//
// Invariant (the schedule is never late): an entry with a value and no
// running load is in its shard's heap, or in the loop's pending queue, at a
// time no later than the earliest time it needs attention. An entry may be
// scheduled earlier than needed (a Set of a present key replaces the value
// without touching the heap): the loop then finds it not due and schedules
// it again, which costs one pop and one push per period at most. The hit
// path does not rely on the schedule: it reads the clock.
//
// Missed wake-ups: the loop stores maxTime in Cache.armed while it works and
// the time it sleeps until when it is done; whoever schedules an entry
// earlier than armed signals the loop. A shard that schedules while the loop
// works sees maxTime and signals, so no earlier time can slip between the
// loop's reading of the shards and its sleep.

const maxTime = int64(math.MaxInt64)

// satAdd is a + b, saturated to the int64 range: times and durations near
// math.MaxInt64 mean "forever" and must not wrap.
func satAdd(a, b int64) int64 {
	s := a + b
	switch {
	case a > 0 && b > 0 && s < 0:
		return maxTime
	case a < 0 && b < 0 && s >= 0:
		return math.MinInt64
	}
	return s
}

// scheduled is one entry of a shard's heap: the entry and the time the
// loop must next look at it. The time is kept in the heap, not in the entry,
// so that sifting compares times without reading the entries, and so that a
// bounded entry, with its policy node, fits one 64-byte size class.
type scheduled[K comparable, V any] struct {
	at int64
	e  *entry[K, V]
}

// schedule puts e in the heap of s at time at, or moves it there; s.mu must
// be held. It signals the loop when at is earlier than the loop's wake-up.
func (c *Cache[K, V]) schedule(s *shard[K, V], e *entry[K, V], at int64) {
	s.place(e, at)
	if at < c.armed.Load() {
		c.signal()
	}
}

// place is schedule without the signal, for the loop itself, which takes
// the earliest time into account when it goes to sleep; s.mu must be held.
func (s *shard[K, V]) place(e *entry[K, V], at int64) {
	if i := int(e.heapIdx); i >= 0 {
		old := s.heap[i].at
		s.heap[i].at = at
		if at < old {
			s.up(i)
		} else {
			s.down(i)
		}
	} else {
		e.heapIdx = int32(len(s.heap))
		s.heap = append(s.heap, scheduled[K, V]{at, e})
		s.up(int(e.heapIdx))
	}
	s.publishNext()
}

// unschedule takes e out of the heap of s, if it is there; s.mu must be held.
func (s *shard[K, V]) unschedule(e *entry[K, V]) {
	i := int(e.heapIdx)
	if i < 0 {
		return
	}
	last := len(s.heap) - 1
	s.swap(i, last)
	s.heap[last] = scheduled[K, V]{}
	s.heap = s.heap[:last]
	e.heapIdx = -1
	if i < last {
		s.down(i)
		s.up(i)
	}
	s.publishNext()
}

// popDueAt removes and returns the earliest entry, and the time it was
// scheduled at, if it is due at now; s.mu must be held.
func (s *shard[K, V]) popDueAt(now int64) (*entry[K, V], int64) {
	if len(s.heap) == 0 || s.heap[0].at > now || s.heap[0].at == maxTime {
		return nil, 0 // maxTime is never: a saturated clock does not reach it
	}
	top := s.heap[0]
	s.unschedule(top.e)
	return top.e, top.at
}

// publishNext stores the earliest scheduled time of s in s.next.
func (s *shard[K, V]) publishNext() {
	next := maxTime
	if len(s.heap) > 0 {
		next = s.heap[0].at
	}
	s.next.Store(next)
}

// heapify restores the heap order after times were changed in place.
func (s *shard[K, V]) heapify() {
	for i := len(s.heap)/2 - 1; i >= 0; i-- {
		s.down(i)
	}
	s.publishNext()
}

func (c *Cache[K, V]) signal() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (s *shard[K, V]) swap(i, j int) {
	s.heap[i], s.heap[j] = s.heap[j], s.heap[i]
	s.heap[i].e.heapIdx = int32(i)
	s.heap[j].e.heapIdx = int32(j)
}

func (s *shard[K, V]) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if s.heap[p].at <= s.heap[i].at {
			return
		}
		s.swap(i, p)
		i = p
	}
}

func (s *shard[K, V]) down(i int) {
	n := len(s.heap)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && s.heap[r].at < s.heap[l].at {
			m = r
		}
		if s.heap[i].at <= s.heap[m].at {
			return
		}
		s.swap(i, m)
		i = m
	}
}
