package cache

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/benbjohnson/clock"
)

// FuzzSchedule runs random operations on a refresh-ahead cache whose loader
// fails at random, inside a synctest bubble, and after each checks the
// invariants the lock-free hit path relies on: every entry holds a value or
// is loading; every entry with a value and no load is scheduled or pending;
// the heap is a heap; Len counts the entries with a value; and while
// allFresh is set, every entry without a slow flag is fresh.
func FuzzSchedule(f *testing.F) {
	f.Add([]byte{0, 1, 6, 60, 0, 1, 6, 40, 0, 1})
	f.Add([]byte{0, 1, 0, 2, 7, 1, 6, 65, 3, 1, 6, 30, 0, 2, 6, 90})
	f.Add([]byte{1, 3, 6, 61, 2, 3, 6, 10, 4, 0, 0, 3, 5, 1, 6, 200})
	f.Add([]byte{0, 0, 0, 1, 0, 2, 0, 3, 6, 62, 7, 2, 6, 62, 6, 62, 6, 62})
	f.Fuzz(func(t *testing.T, ops []byte) {
		synctest.Test(t, func(t *testing.T) { runSchedule(t, ops) })
	})
}

var errFuzz = errors.New("fuzz failure")

func runSchedule(t *testing.T, ops []byte) {
	failing := false
	calls := 0
	c, err := New(func(_ context.Context, k int) (string, error) {
		calls++
		if failing {
			return "", errFuzz
		}
		return fmt.Sprintf("%d#%d", k, calls), nil
	}, WithTTL(10*time.Second), WithRefresh(4*time.Second), WithMaxConcurrentRefreshes(2),
		WithBackoff(100*time.Millisecond, time.Second), WithIdleTimeout(7*time.Second),
		WithErrorHandler(func(error, bool) {}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	for i := 0; i+1 < len(ops); i += 2 {
		k, arg := int(ops[i+1]%4), ops[i+1]
		switch ops[i] % 8 {
		case 0:
			_, _ = c.Get(ctx, k)
		case 1:
			c.Set(k, "set")
		case 2:
			c.Invalidate(k)
		case 3:
			_ = c.Refresh(ctx, k)
		case 4:
			c.Clear()
		case 5:
			_ = c.Load(ctx, k)
		case 6:
			time.Sleep(time.Duration(arg) * 100 * time.Millisecond)
		case 7:
			failing = !failing
		}
		synctest.Wait()
		checkInvariants(t, c, i/2)
	}
}

func checkInvariants(t *testing.T, c *Cache[int, string], op int) {
	t.Helper()
	q := &c.sched
	for i := range c.shards {
		c.shards[i].mu.Lock()
	}
	defer func() {
		for i := range c.shards {
			c.shards[i].mu.Unlock()
		}
	}()
	q.mu.Lock()
	defer q.mu.Unlock()
	pending := map[*entry[int, string]]bool{}
	for _, e := range q.pending {
		pending[e] = true
	}
	for i, e := range q.heap {
		if int(e.heapIdx) != i {
			t.Fatalf("op %d: heap[%d] has heapIdx %d", op, i, e.heapIdx)
		}
		if i > 0 && q.heap[(i-1)/2].at > e.at {
			t.Fatalf("op %d: heap order broken at %d", op, i)
		}
		if e.flags.Load()&flagRemoved != 0 {
			t.Fatalf("op %d: a removed entry is scheduled", op)
		}
	}
	now := c.now()
	cfg := c.cfg.Load()
	withValue := 0
	for i := range c.shards {
		s := &c.shards[i]
		s.each(func(e *entry[int, string]) {
			it := e.item.Load()
			loading := s.flights[e] != nil
			if (e.flags.Load()&flagLoading != 0) != loading {
				t.Fatalf("op %d: key %d: loading flag %v, flight %v", op, e.key, !loading, loading)
			}
			if it == nil {
				if !loading {
					t.Fatalf("op %d: key %d holds no value and is not loading", op, e.key)
				}
				return
			}
			withValue++
			if !loading && e.heapIdx < 0 && !pending[e] {
				t.Fatalf("op %d: key %d holds a value but is neither scheduled nor pending", op, e.key)
			}
			if c.allFresh.Load() && e.flags.Load()&slowFlags == 0 && now-it.loadedAt > cfg.refreshAfter {
				t.Fatalf("op %d: allFresh, but key %d is %v old", op, e.key, time.Duration(now-it.loadedAt))
			}
		})
	}
	if int(c.size.Load()) != withValue {
		t.Fatalf("op %d: Len %d, entries with a value %d", op, c.size.Load(), withValue)
	}
}

// TestAllFresh: with the default clock, a quiet cache lets hits skip the
// clock; with an injected clock, and after Close, never.
func TestAllFresh(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, err := New(func(_ context.Context, k int) (int, error) { return k, nil },
			WithTTL(10*time.Second), WithRefresh(4*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Get(context.Background(), 1); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if !c.allFresh.Load() {
			t.Fatal("the loop sleeps before anything is due, but allFresh is not set")
		}
		c.Set(2, 2) // at 0s: scheduled after the earliest entry, nothing to clear
		time.Sleep(7 * time.Second)
		synctest.Wait() // the loop reloaded both and sleeps again
		if !c.allFresh.Load() {
			t.Fatal("allFresh not set again after the reloads")
		}
		_ = c.Close()
		if c.allFresh.Load() {
			t.Fatal("allFresh set after Close")
		}

		m, err := New(func(_ context.Context, k int) (int, error) { return k, nil },
			WithClock(clock.New())) // the real clock, but injected
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		if _, err := m.Get(context.Background(), 1); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if m.allFresh.Load() {
			t.Fatal("allFresh set with an injected clock")
		}
	})
}

// TestConfigure_DuringWrites_ConcurrentSafe: a Configure with a shorter TTL
// while Sets run must leave no entry scheduled later than the new values
// make it due, or the loop would sleep past it while hits trust allFresh.
// A Set that read the old configuration before Configure and scheduled its
// entry after it is the race.
func TestConfigure_DuringWrites_ConcurrentSafe(t *testing.T) {
	for range 50 {
		c, err := New(func(_ context.Context, k int) (int, error) { return k, nil },
			WithTTL(time.Hour), WithRefresh(10*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var stop atomic.Bool
		for range 2 {
			wg.Go(func() {
				for i := 0; !stop.Load(); i++ {
					c.Set(i%64, i)
				}
			})
		}
		for c.Len() < 64 {
			runtime.Gosched()
		}
		if err := c.Configure(2*time.Minute, time.Minute, nil); err != nil {
			t.Fatal(err)
		}
		stop.Store(true)
		wg.Wait()
		cfg := c.cfg.Load()
		c.sched.mu.Lock()
		for _, e := range c.sched.heap {
			if it := e.item.Load(); it != nil && e.at > it.loadedAt+cfg.refreshAfter+1 {
				t.Errorf("key %d scheduled %v after it is due under the new configuration",
					e.key, time.Duration(e.at-it.loadedAt-cfg.refreshAfter-1))
			}
		}
		c.sched.mu.Unlock()
		_ = c.Close()
		if t.Failed() {
			return
		}
	}
}
