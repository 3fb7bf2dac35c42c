package cache

import (
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// scheduler orders the entries by the time the refresh loop must next look at
// them (their refresh, retry or expiry time) in a binary min-heap, so that a
// wake-up of the loop costs O(d log n) for d due entries among n, never a
// scan. It also holds the queue of due entries waiting for a reload slot.
//
// Lock order: a shard's mutex, then the scheduler's; never the other way.
type scheduler[K comparable, V any] struct {
	mu      sync.Mutex
	heap    []*entry[K, V]
	armed   int64 // the time the loop sleeps until
	wake    chan struct{}
	running int // loop reloads in flight
	limit   int
	pending []*entry[K, V] // due entries waiting for a reload slot, oldest first

	// allFresh is the cache's flag (see Cache.allFresh); it is written only
	// under mu. It is set by arm when the loop goes to sleep before the
	// earliest scheduled time with nothing pending, and cleared as soon as
	// anything may have come due: the loop wakes (collect), an entry is
	// scheduled at or before the armed time (set), Configure, Close.
	allFresh *atomic.Bool
	fast     bool // the cache uses the default clock; else allFresh stays false
	stopped  bool

	// cfg is the cache's configuration, swapped by Configure under mu.
	cfg *atomic.Pointer[config]
}

func (q *scheduler[K, V]) init(limit int, allFresh *atomic.Bool, cfg *atomic.Pointer[config], fast bool) {
	q.wake = make(chan struct{}, 1)
	q.limit = limit
	q.armed = math.MaxInt64
	q.allFresh = allFresh
	q.cfg = cfg
	q.fast = fast
}

// stop keeps allFresh cleared for good.
func (q *scheduler[K, V]) stop() {
	q.mu.Lock()
	q.stopped = true
	q.allFresh.Store(false)
	q.mu.Unlock()
}

func (q *scheduler[K, V]) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// set schedules e at time at, computed with the configuration cfg, moving it
// when it is already scheduled. When Configure swapped the configuration
// since cfg was read, it has recomputed the heap without e's new time: at is
// then brought no later than the new values make e due or expired.
func (q *scheduler[K, V]) set(e *entry[K, V], at int64, cfg *config) {
	q.mu.Lock()
	if cur := q.cfg.Load(); cur != cfg {
		if it := e.item.Load(); it != nil {
			at = min(at, it.loadedAt+cur.ttl+1)
			if cur.refresh > 0 {
				at = min(at, it.loadedAt+cur.refreshAfter+1)
			}
		}
	}
	if e.heapIdx >= 0 {
		old := e.at
		e.at = at
		if at < old {
			q.up(int(e.heapIdx))
		} else {
			q.down(int(e.heapIdx))
		}
	} else {
		e.at = at
		e.heapIdx = int32(len(q.heap))
		q.heap = append(q.heap, e)
		q.up(int(e.heapIdx))
	}
	if at <= q.armed {
		q.allFresh.Store(false)
		q.armed = at
		q.signal()
	}
	q.mu.Unlock()
}

// remove unschedules e, if it is scheduled.
func (q *scheduler[K, V]) remove(e *entry[K, V]) {
	q.mu.Lock()
	if i := int(e.heapIdx); i >= 0 {
		last := len(q.heap) - 1
		q.swap(i, last)
		q.heap[last] = nil
		q.heap = q.heap[:last]
		e.heapIdx = -1
		if i < last {
			q.down(i)
			q.up(i)
		}
	}
	q.mu.Unlock()
}

// scheduled reports whether e is in the heap.
func (q *scheduler[K, V]) scheduled(e *entry[K, V]) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return e.heapIdx >= 0
}

// clear unschedules everything; the caller holds every shard's mutex.
func (q *scheduler[K, V]) clear() {
	q.mu.Lock()
	for _, e := range q.heap {
		e.heapIdx = -1
	}
	q.heap = nil
	q.pending = nil
	q.mu.Unlock()
}

// collect moves the entries due at now from the heap to the end of the
// pending queue, and returns the queue for the loop to work through.
func (q *scheduler[K, V]) collect(now int64) []*entry[K, V] {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.allFresh.Store(false)
	for len(q.heap) > 0 && q.heap[0].at <= now {
		e := q.heap[0]
		last := len(q.heap) - 1
		q.swap(0, last)
		q.heap[last] = nil
		q.heap = q.heap[:last]
		e.heapIdx = -1
		q.down(0)
		q.pending = append(q.pending, e)
	}
	p := q.pending
	q.pending = nil
	return p
}

// requeue puts back, at the head of the queue, the entries the loop could not
// handle for want of a reload slot.
func (q *scheduler[K, V]) requeue(rest []*entry[K, V]) {
	q.mu.Lock()
	q.pending = append(rest, q.pending...)
	q.mu.Unlock()
}

// freshGuard is how long before the armed time the loop wakes to clear
// allFresh, when it set it: a hit trusts allFresh only until then, so that a
// loop that wakes late by less than freshGuard is never late for a hit, and
// in a testing/synctest bubble the flag is down before the instant anything
// comes due (goroutines woken at one instant run in any order).
const freshGuard = int64(time.Millisecond)

// arm returns the time the loop must wake next: the earliest scheduled entry,
// or now when entries are pending and a slot is free, or MaxInt64. When that
// time is more than freshGuard ahead and nothing is pending, every entry is
// fresh until then: arm sets allFresh and returns freshGuard earlier, so that
// the loop wakes to clear it before anything comes due.
func (q *scheduler[K, V]) arm(now int64) int64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.armed = math.MaxInt64
	if len(q.heap) > 0 {
		q.armed = q.heap[0].at
	}
	if len(q.pending) > 0 {
		if q.running < q.limit {
			q.armed = now
		}
		return q.armed
	}
	if q.fast && !q.stopped && q.armed-now > freshGuard {
		q.allFresh.Store(true)
		if q.armed != math.MaxInt64 {
			return q.armed - freshGuard
		}
	}
	return q.armed
}

// acquire takes a reload slot, if one is free.
func (q *scheduler[K, V]) acquire() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.running >= q.limit {
		return false
	}
	q.running++
	return true
}

// release frees a reload slot and wakes the loop when entries wait for one.
func (q *scheduler[K, V]) release() {
	q.mu.Lock()
	q.running--
	waiting := len(q.pending) > 0
	q.mu.Unlock()
	if waiting {
		q.signal()
	}
}

func (q *scheduler[K, V]) swap(i, j int) {
	q.heap[i], q.heap[j] = q.heap[j], q.heap[i]
	q.heap[i].heapIdx = int32(i)
	q.heap[j].heapIdx = int32(j)
}

func (q *scheduler[K, V]) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if q.heap[p].at <= q.heap[i].at {
			return
		}
		q.swap(i, p)
		i = p
	}
}

func (q *scheduler[K, V]) down(i int) {
	n := len(q.heap)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && q.heap[r].at < q.heap[l].at {
			m = r
		}
		if q.heap[i].at <= q.heap[m].at {
			return
		}
		q.swap(i, m)
		i = m
	}
}
