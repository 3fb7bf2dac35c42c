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
)

// FuzzSchedule runs random operations on a refresh-ahead cache whose loader
// fails at random, inside a synctest bubble, and after each checks the
// invariants the schedule relies on: every entry holds a value or
// is loading; every entry with a value and no load is scheduled or pending;
// every shard's heap is a heap and publishes its earliest time; no entry
// is scheduled after its expiry; Len counts the entries with a value.
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
	pending := map[*entry[int, string]]bool{}
	c.pendMu.Lock()
	for _, e := range c.pending {
		pending[e] = true
	}
	c.pendMu.Unlock()
	for i := range c.shards {
		c.shards[i].mu.Lock()
	}
	defer func() {
		for i := range c.shards {
			c.shards[i].mu.Unlock()
		}
	}()
	withValue := 0
	for i := range c.shards {
		s := &c.shards[i]
		next := maxTime
		for j, x := range s.heap {
			e := x.e
			if int(e.heapIdx) != j {
				t.Fatalf("op %d: shard %d heap[%d] has heapIdx %d", op, i, j, e.heapIdx)
			}
			if j > 0 && s.heap[(j-1)/2].at > x.at {
				t.Fatalf("op %d: shard %d heap order broken at %d", op, i, j)
			}
			if e.flags.Load()&flagRemoved != 0 {
				t.Fatalf("op %d: a removed entry is scheduled", op)
			}
			next = min(next, x.at)
		}
		if s.next.Load() != next {
			t.Fatalf("op %d: shard %d publishes next %d, its heap's earliest is %d", op, i, s.next.Load(), next)
		}
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
			// The schedule is never late: an entry is looked at no later than
			// it expires.
			if !loading && e.heapIdx >= 0 && s.heap[e.heapIdx].at > satAdd(it.loadedAt, c.cfg.Load().ttl)+1 {
				t.Fatalf("op %d: key %d scheduled after its expiry", op, e.key)
			}
		})
	}
	if c.Len() != withValue {
		t.Fatalf("op %d: Len %d, entries with a value %d", op, c.Len(), withValue)
	}
}

// TestConfigure_DuringWrites_ConcurrentSafe: a Configure with a shorter TTL
// while Sets run must leave no entry scheduled later than the new values
// make it expire. A Set that read the old configuration before Configure
// and scheduled its entry after it is the race.
func TestConfigure_DuringWrites_ConcurrentSafe(t *testing.T) {
	for range 50 {
		c, err := New(func(_ context.Context, k int) (int, error) { return k, nil },
			WithTTL(time.Hour), WithRefresh(10*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var stop atomic.Bool
		for g := range 2 {
			wg.Go(func() {
				for i := 0; !stop.Load(); i++ {
					if g == 0 {
						c.Set(i%64, i)
					} else {
						c.Invalidate(i % 64)
						c.Set(i%64, i)
					}
				}
			})
		}
		for c.Len() < 32 {
			runtime.Gosched()
		}
		if err := c.Configure(WithTTL(2*time.Minute), WithRefresh(time.Minute)); err != nil {
			t.Fatal(err)
		}
		stop.Store(true)
		wg.Wait()
		cfg := c.cfg.Load()
		for i := range c.shards {
			s := &c.shards[i]
			s.mu.Lock()
			for _, x := range s.heap {
				if it := x.e.item.Load(); it != nil && x.at > it.loadedAt+cfg.refreshAfter+1 {
					t.Errorf("key %d scheduled %v after it is due under the new configuration",
						x.e.key, time.Duration(x.at-it.loadedAt-cfg.refreshAfter-1))
				}
			}
			s.mu.Unlock()
		}
		_ = c.Close()
		if t.Failed() {
			return
		}
	}
}
