package cache_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/asyncutils-go/asyncutils/cache"
	"github.com/benbjohnson/clock"
)

func TestBound_InvalidConfig(t *testing.T) {
	weigh := func(string, string) int64 { return 1 }
	for _, opts := range [][]cache.Option{
		{cache.WithMaxSize(0)},
		{cache.WithMaxSize(-1)},
		{cache.WithMaxSize(10), cache.WithMaxWeight(10, weigh)},
		{cache.WithMaxWeight(0, weigh)},
		{cache.WithMaxWeight[string, string](10, nil)},
		{cache.WithMaxWeight(10, func(int, string) int64 { return 1 })}, // wrong key type
		{cache.WithOnRemoval(func(int, int, cache.RemovalCause) {})},    // wrong types
	} {
		if _, err := cache.New(newCounting().load, opts...); !errors.Is(err, cache.ErrInvalidConfig) {
			t.Fatalf("New(%d options) = %v; want ErrInvalidConfig", len(opts), err)
		}
	}
}

// TestBound_Flood_ConcurrentSafe: a flood of distinct keys through Get, from
// several goroutines, never leaves more than the bound plus the stated slack
// (128 queued writes plus one per writer), and ends within the bound.
func TestBound_Flood_ConcurrentSafe(t *testing.T) {
	const bound, writers = 1000, 4
	var evicted atomic.Int64
	c, err := cache.New(func(_ context.Context, k int) (int, error) { return k, nil },
		cache.WithMaxSize(bound), cache.WithOnRemoval(func(_ int, _ int, cause cache.RemovalCause) {
			if cause == cache.CauseEvicted {
				evicted.Add(1)
			}
		}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var wg sync.WaitGroup
	var worst atomic.Int64
	for w := range writers {
		wg.Go(func() {
			for i := range 50_000 {
				if _, err := c.Get(bg, w*1_000_000+i); err != nil {
					t.Error(err)
					return
				}
				if n := int64(c.Len()); n > worst.Load() {
					worst.Store(n)
				}
			}
		})
	}
	wg.Wait()
	if w := worst.Load(); w > bound+128+writers {
		t.Fatalf("Len reached %d, over the bound %d plus its slack", w, bound)
	}
	// A drain in progress when the last write returned may still be
	// removing its victims, counting them and then calling back: the bound
	// holds, and the counts agree, once it is done.
	for i := 0; (c.Len() > bound || int64(c.Stats().Evictions) != evicted.Load()) && i < 1000; i++ {
		time.Sleep(time.Millisecond)
	}
	if n := c.Len(); n > bound {
		t.Fatalf("Len = %d after the flood, want <= %d", n, bound)
	}
	st := c.Stats()
	if st.Evictions < uint64(writers*50_000-bound-128-writers) || int64(st.Evictions) != evicted.Load() {
		t.Fatalf("stats %+v, %d eviction callbacks", st, evicted.Load())
	}
}

// TestBound_NegativeFlood: cached "not found" answers (WithNegativeTTL) are
// entries like any other: a flood of keys the loader does not find ends
// within a size bound, and within a weighted bound, where each weighs 1 (the
// weigher is not called: there is no value).
func TestBound_NegativeFlood(t *testing.T) {
	const bound = 500
	notFound := func(_ context.Context, k int) (int, error) { return 0, cache.ErrNotFound }
	var weighed atomic.Int64
	for name, opt := range map[string]cache.Option{
		"size": cache.WithMaxSize(bound),
		"weight": cache.WithMaxWeight(bound, func(int, int) int64 {
			weighed.Add(1)
			return 1
		}),
	} {
		t.Run(name, func(t *testing.T) {
			c, err := cache.New(notFound, opt, cache.WithNegativeTTL(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			for i := range 20 * bound {
				if _, err := c.Get(bg, i); !errors.Is(err, cache.ErrNotFound) {
					t.Fatalf("Get(%d) = %v, want ErrNotFound", i, err)
				}
			}
			// A drain in progress finishes: it takes each victim out of the
			// table, then counts its eviction and then its weight.
			settled := func() bool {
				st := c.Stats()
				return c.Len() <= bound && st.EvictedWeight == st.Evictions
			}
			for i := 0; !settled() && i < 1000; i++ {
				time.Sleep(time.Millisecond)
			}
			if n := c.Len(); n > bound {
				t.Fatalf("Len = %d after a flood of not-found keys, want <= %d", n, bound)
			}
			if st := c.Stats(); st.Evictions < 19*bound-128 || st.EvictedWeight != st.Evictions {
				t.Fatalf("stats %+v: want about %d evictions of weight 1 each", st, 19*bound)
			}
			// The most recent keys are still cached as not found: no load.
			if _, err := c.Get(bg, 20*bound-1); !errors.Is(err, cache.ErrNotFound) {
				t.Fatal(err)
			}
		})
	}
	if n := weighed.Load(); n != 0 {
		t.Fatalf("the weigher was called %d times for not-found answers", n)
	}
}

// TestBound_ScanResistant: a hot set read over and over survives a one-off
// sweep of ten times the bound.
func TestBound_ScanResistant(t *testing.T) {
	const bound = 1000
	c, err := cache.New(func(_ context.Context, k int) (int, error) { return k, nil }, cache.WithMaxSize(bound))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	hot := bound / 2
	for range 30 {
		for k := range hot {
			_, _ = c.Get(bg, k)
		}
	}
	for k := range 10 * bound {
		_, _ = c.Get(bg, 1_000_000+k)
	}
	kept := 0
	for k := range hot {
		if c.Contains(k) {
			kept++
		}
	}
	if kept < hot*9/10 {
		t.Fatalf("%d of %d hot keys survived a sweep of %d cold keys", kept, hot, 10*bound)
	}
}

// TestBound_Weight: entries heavier than the bound never stay; the total
// weight stays within the bound; evictions count weight.
func TestBound_Weight(t *testing.T) {
	c, err := cache.New(func(_ context.Context, k string) (string, error) { return k, nil },
		cache.WithMaxWeight(100, func(_ string, v string) int64 { return int64(len(v)) }))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i := range 200 {
		c.Set(fmt.Sprint("k", i), fmt.Sprintf("%010d", i)) // weight 10 each
	}
	for i := 0; c.Len() > 10 && i < 1000; i++ { // a drain in progress finishes
		time.Sleep(time.Millisecond)
	}
	if n := c.Len(); n > 10 {
		t.Fatalf("Len = %d with weight 10 each under a bound of 100", n)
	}
	big := string(make([]byte, 101))
	c.Set("big", big)
	// The loop drains it within a millisecond; the drain takes it out of
	// the table, then counts its eviction and its weight.
	for i := 0; (c.Contains("big") || c.Stats().EvictedWeight < 1900+101) && i < 1000; i++ {
		time.Sleep(time.Millisecond)
	}
	if c.Contains("big") {
		t.Fatal("an entry heavier than the bound stayed")
	}
	st := c.Stats()
	if st.Evictions < 190 || st.EvictedWeight < 1900+101 {
		t.Fatalf("stats %+v", st)
	}
}

// TestBound_RemovalCauses: each way out of the cache reports its cause, off
// every lock (the callback may call the cache).
func TestBound_RemovalCauses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		got := map[string]cache.RemovalCause{}
		var c *cache.Cache[string, string]
		c = mustNew(t, newCounting().load, ttlOpts(cache.WithMaxSize(3), cache.WithOnRemoval(func(k, _ string, cause cache.RemovalCause) {
			_ = c.Len() // off every lock: calling the cache does not deadlock
			mu.Lock()
			got[k] = cause
			mu.Unlock()
		}))...)
		mustGet(t, c, "expires", "expires#1")
		c.Set("replaced", "1")
		c.Set("replaced", "2")
		c.Set("invalidated", "1")
		c.Invalidate("invalidated")
		time.Sleep(11 * time.Second) // "expires" and "replaced" expire, unread
		synctest.Wait()
		c.Set("cleared", "1")
		c.Clear()
		mu.Lock()
		defer mu.Unlock()
		want := map[string]cache.RemovalCause{"expires": cache.CauseExpired, "replaced": cache.CauseExpired,
			"invalidated": cache.CauseInvalidated, "cleared": cache.CauseCleared}
		for k, cause := range want {
			if got[k] != cause {
				t.Fatalf("causes %v; want %v", got, want)
			}
		}
	})
}

// TestBound_RemovalPanics: a panicking removal callback is recovered and
// logged; the cache goes on.
func TestBound_RemovalPanics(t *testing.T) {
	c := mustNew(t, newCounting().load, cache.WithMaxSize(1), cache.WithOnRemoval(func(string, string, cache.RemovalCause) {
		panic("removal bug")
	}), cache.WithLogger(discardLogger()))
	for i := range 10 {
		c.Set(fmt.Sprint(i), "v")
	}
	mustGet(t, c, "a", "a#1")
	for i := 0; c.Len() > 1 && i < 1000; i++ { // the loop drains within a millisecond
		time.Sleep(time.Millisecond)
	}
	if c.Len() > 1 {
		t.Fatalf("Len = %d", c.Len())
	}
}

// TestBound_EvictedLoadDropped: an entry evicted while its reload runs does
// not come back when the reload ends.
func TestBound_EvictedLoadDropped(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newCounting()
		c := mustNew(t, l.load, ttlOpts(cache.WithMaxSize(2))...)
		mustGet(t, c, "a", "a#1")
		l.gate = make(chan struct{})
		go func() { _ = c.Refresh(bg, "a") }()
		synctest.Wait() // the reload of a waits
		for i := range 20 {
			k := fmt.Sprint("other", i)
			c.Set(k, "v")
			for range 5 { // more frequent than a: the policy evicts a
				_, _ = c.Peek(k)
				mustGet(t, c, k, "v")
			}
		}
		time.Sleep(time.Millisecond) // the loop drains the Sets, left below a batch
		synctest.Wait()
		if c.Contains("a") {
			t.Fatal("a was not evicted by twenty keys read five times each under a bound of 2")
		}
		close(l.gate)
		synctest.Wait()
		if c.Contains("a") {
			t.Fatal("an evicted entry came back from its reload")
		}
		if n := c.Len(); n > 2 {
			t.Fatalf("Len = %d over the bound 2", n)
		}
	})
}

// TestBound_Memory: the live heap after a flood of keys through a bounded
// cache does not grow with the flood's length.
func TestBound_Memory(t *testing.T) {
	if testing.Short() {
		t.Skip("floods a million keys")
	}
	c, err := cache.New(func(_ context.Context, k int) (int, error) { return k, nil }, cache.WithMaxSize(10_000))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	heapAfter := func(n, from int) uint64 {
		for k := from; k < from+n; k++ {
			_, _ = c.Get(bg, k)
		}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	small := heapAfter(floodKeys/10, 0)
	large := heapAfter(floodKeys*9/10, floodKeys/10)
	t.Logf("live heap after %d keys: %d KiB, after %d: %d KiB", floodKeys/10, small>>10, floodKeys, large>>10)
	if large > small*3/2+(1<<20) {
		t.Fatalf("live heap grew from %d to %d bytes with the flood", small, large)
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// TestBound_QuietDrain: writes that stop below a batch (no later write, no
// read) are drained by the cache's goroutine within a millisecond: the
// bound is passed only briefly, whatever the cache's clock (here a mock
// that never moves).
func TestBound_QuietDrain(t *testing.T) {
	for _, burst := range []int{1, 5, 40} {
		c := mustNew(t, newCounting().load, cache.WithMaxSize(3), cache.WithClock(clock.NewMock()))
		for i := range 3 + burst {
			c.Set(fmt.Sprint(i), "v")
		}
		// The drain takes a victim out of the table, then counts it: wait
		// for both.
		deadline := time.Now().Add(time.Second)
		for (c.Len() > 3 || c.Stats().Evictions < uint64(burst)) && time.Now().Before(deadline) {
			time.Sleep(100 * time.Microsecond)
		}
		if n := c.Len(); n > 3 {
			t.Fatalf("a burst of %d Sets over a bound of 3: Len = %d a second later", burst, n)
		}
		if ev := c.Stats().Evictions; ev != uint64(burst) {
			t.Fatalf("a burst of %d Sets over a bound of 3: %d evictions", burst, ev)
		}
	}
}

// TestBound_StatsCountEveryHit: Stats.Hits counts every hit of a bounded
// cache, also those its full rings of hits drop before the policy sees
// them, from many goroutines at once.
func TestBound_StatsCountEveryHit(t *testing.T) {
	c := mustNew(t, newCounting().load, cache.WithMaxSize(100))
	for k := range 10 {
		mustGet(t, c, fmt.Sprint(k), fmt.Sprint(k, "#1"))
	}
	const goroutines, each = 8, 5_000
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				k := fmt.Sprint((g + i) % 10)
				if _, err := c.Get(bg, k); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if st := c.Stats(); st.Hits != goroutines*each || st.Misses != 10 {
		t.Fatalf("hits %d, misses %d; want %d and 10", st.Hits, st.Misses, goroutines*each)
	}
}
