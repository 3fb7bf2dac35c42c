package cache_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/asyncutils-go/asyncutils/cache"
)

// stamped is a value that knows when its loader returned it. The cache
// stamps its entry a little later, so a value that the cache serves within
// its TTL is never older than TTL by this measure plus the few instructions
// between the loader's return and the cache's stamp; slack covers those.
type stamped struct{ at time.Time }

// starve runs readers goroutines that Get keys in a tight loop for d, with
// the CPU kept busy (GOMAXPROCS procs), and counts the Gets that returned a
// value older, at the moment the Get was called, than ttl + staleSlack.
func starve(t *testing.T, procs, readers int, ttl, refresh time.Duration, clk clock.Clock, d time.Duration) (stale, total int64, worst time.Duration) {
	t.Helper()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
	opts := []cache.Option{cache.WithTTL(ttl), cache.WithRefresh(refresh)}
	if clk != nil {
		opts = append(opts, cache.WithClock(clk))
	}
	c, err := cache.New(func(context.Context, string) (stamped, error) {
		return stamped{time.Now()}, nil
	}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var staleN, totalN, worstN atomic.Int64
	stop := time.Now().Add(d)
	var wg sync.WaitGroup
	for r := range readers {
		wg.Go(func() {
			key := fmt.Sprint("k", r%2)
			var n, s int64
			var w time.Duration
			for {
				called := time.Now()
				if called.After(stop) {
					break
				}
				v, err := c.Get(context.Background(), key)
				if err != nil {
					t.Error(err)
					return
				}
				n++
				if age := called.Sub(v.at); age > ttl+staleSlack {
					s++
					w = max(w, age-ttl)
				}
			}
			totalN.Add(n)
			staleN.Add(s)
			for {
				old := worstN.Load()
				if int64(w) <= old || worstN.CompareAndSwap(old, int64(w)) {
					break
				}
			}
		})
	}
	wg.Wait()
	return staleN.Load(), totalN.Load(), time.Duration(worstN.Load())
}

// TestTTL_HardBoundStarved proves the TTL bound where it is weakest: readers
// that keep every core busy, so that the refresh loop runs late or not at
// all, with TTLs of a few milliseconds, with the default clock and an
// injected one. No Get may return a value older than the TTL.
func TestTTL_HardBoundStarved(t *testing.T) {
	if testing.Short() {
		t.Skip("spins the CPU for a few seconds")
	}
	cases := []struct {
		procs, readers int
		ttl, refresh   time.Duration
		clk            clock.Clock
	}{
		{1, 1, 3 * time.Millisecond, 0, nil},
		{1, 2, 3 * time.Millisecond, time.Millisecond, nil},
		{2, 4, 5 * time.Millisecond, 0, nil},
		{2, 4, 5 * time.Millisecond, 2 * time.Millisecond, nil},
		{2, 4, 5 * time.Millisecond, 0, clock.New()},
	}
	for _, tc := range cases {
		name := fmt.Sprintf("procs=%d/readers=%d/ttl=%v/refresh=%v/injected=%v", tc.procs, tc.readers, tc.ttl, tc.refresh, tc.clk != nil)
		t.Run(name, func(t *testing.T) {
			stale, total, worst := starve(t, tc.procs, tc.readers, tc.ttl, tc.refresh, tc.clk, 300*time.Millisecond)
			t.Logf("%d of %d Gets stale (%.4f%%), worst %v past the TTL", stale, total, 100*float64(stale)/float64(max(total, 1)), worst)
			if total == 0 {
				t.Fatal("no Get ran")
			}
			if stale > 0 {
				t.Errorf("%d of %d Gets returned a value older than the TTL (worst %v past it)", stale, total, worst)
			}
		})
	}
}
