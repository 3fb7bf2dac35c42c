package cache

import (
	"fmt"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
)

// BenchmarkRefreshWake measures one wake-up of the refresh loop (wakeOnce)
// with d entries due among n. It is a white-box benchmark because the loop
// has no public hook: the cache runs on a clock.Mock that never moves, so the
// loop goroutine stays asleep, and the benchmark calls wakeOnce itself at a
// time where exactly the chosen entries are due. The entries are idle
// (never read since their load), so that the wake-up does the loop's own work —
// collecting, checking and rescheduling each due entry — and no reload runs.
// The target: the cost grows with d, not with n ("ns/due" stays flat).
func BenchmarkRefreshWake(b *testing.B) {
	sizes := []int{10_000, 100_000, 1_000_000}
	if testing.Short() {
		sizes = sizes[:1]
	}
	for _, n := range sizes {
		// Named as bench/cmd/report expects (impl=...), so that the report
		// shows how many times a scanning loop costs more than ours.
		b.Run(fmt.Sprintf("due=1%%/size=%d/impl=asyncutils", n), func(b *testing.B) {
			benchWake(b, n, n/100)
		})
		// For scale: what one wake-up of a loop that scans would cost, a
		// pass over every entry reading its age, with nothing to do.
		b.Run(fmt.Sprintf("due=1%%/size=%d/impl=fullscan", n), func(b *testing.B) {
			benchScan(b, n)
		})
		if n/100 != 100 {
			b.Run(fmt.Sprintf("due=100/size=%d/impl=asyncutils", n), func(b *testing.B) {
				benchWake(b, n, 100)
			})
		}
	}
}

func benchScan(b *testing.B, n int) {
	c, err := New[int, int](nil, WithTTL(time.Hour), WithRefresh(30*time.Minute), WithClock(clock.NewMock()))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	for i := range n {
		c.Set(i, i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		now := c.now()
		due := 0
		for i := range c.shards {
			s := &c.shards[i]
			s.mu.Lock()
			s.each(func(e *entry[int, int]) {
				if it := e.item.Load(); it != nil && now-it.loadedAt > c.cfg.Load().refreshAfter {
					due++
				}
			})
			s.mu.Unlock()
		}
		if due != 0 {
			b.Fatal("nothing is due")
		}
	}
}

func benchWake(b *testing.B, n, due int) {
	c, err := New[int, int](nil, WithTTL(time.Hour), WithRefresh(30*time.Minute), WithClock(clock.NewMock()))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	entries := make([]*entry[int, int], n)
	for i := range n {
		c.Set(i, i)
		h := c.hash(i)
		entries[i] = c.shardOf(h).find(h, i)
	}
	at := int64(time.Minute) // later than the mock's time: the loop never sees it due
	next := 0
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		at++
		for range due {
			e := entries[next%n]
			next++
			e.flags.And(^flagIdle)
			h := c.hash(e.key)
			s := c.shardOf(h)
			s.mu.Lock()
			c.schedule(s, e, at)
			s.mu.Unlock()
		}
		b.StartTimer()
		c.wakeOnce(at)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*due), "ns/due")
	if c.earliest() <= at {
		b.Fatal("wakeOnce left due entries")
	}
}
