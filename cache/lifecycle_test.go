package cache_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/asyncutils-go/asyncutils/cache"
)

// TestGet_CancelOneWaiter: a waiter whose ctx ends returns at once; the
// others still get the value of the one load.
func TestGet_CancelOneWaiter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newCounting()
		l.gate = make(chan struct{})
		c := mustNew(t, l.load, ttlOpts()...)
		ctx, cancel := context.WithCancel(bg)
		var wg sync.WaitGroup
		results := make([]string, 4)
		errs := make([]error, 4)
		for i := range results {
			wctx := bg
			if i == 0 {
				wctx = ctx
			}
			wg.Go(func() { results[i], errs[i] = c.Get(wctx, "a") })
		}
		synctest.Wait()
		cancel()
		synctest.Wait()
		if !errors.Is(errs[0], context.Canceled) {
			t.Fatalf("cancelled waiter = %v", errs[0])
		}
		close(l.gate)
		wg.Wait()
		for i := 1; i < 4; i++ {
			if errs[i] != nil || results[i] != "a#1" {
				t.Fatalf("waiter %d = %q, %v", i, results[i], errs[i])
			}
		}
		if n := l.calls.Load(); n != 1 {
			t.Fatalf("loader calls = %d, want 1", n)
		}
	})
}

// TestGet_Stampede_ConcurrentSafe: 10,000 concurrent Gets of one missing key
// make exactly one loader call.
func TestGet_Stampede_ConcurrentSafe(t *testing.T) {
	var calls atomic.Int64
	release := make(chan struct{})
	c := mustNew(t, func(_ context.Context, k string) (string, error) {
		calls.Add(1)
		<-release
		return k, nil
	}, ttlOpts()...)
	const n = 10000
	var started, wg sync.WaitGroup
	started.Add(n)
	var bad atomic.Int64
	for range n {
		wg.Go(func() {
			started.Done()
			if v, err := c.Get(bg, "k"); err != nil || v != "k" {
				bad.Add(1)
			}
		})
	}
	started.Wait()
	close(release)
	wg.Wait()
	if calls.Load() != 1 || bad.Load() != 0 {
		t.Fatalf("loader calls = %d, bad results = %d; want 1, 0", calls.Load(), bad.Load())
	}
}

// TestInvalidate_DuringLoad: the load's result is dropped; the key never
// comes back from it.
func TestInvalidate_DuringLoad(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newCounting()
		l.gate = make(chan struct{})
		c := mustNew(t, l.load, ttlOpts()...)
		done := make(chan string)
		go func() {
			v, _ := c.Get(bg, "a")
			done <- v
		}()
		synctest.Wait()
		c.Invalidate("a")
		close(l.gate)
		if v := <-done; v != "a#1" {
			t.Fatalf("waiter got %q, want the load's own value", v)
		}
		synctest.Wait()
		if c.Contains("a") || c.Len() != 0 {
			t.Fatal("an invalidated key came back from a stale load")
		}
		mustGet(t, c, "a", "a#2")
	})
}

// TestInvalidate_DuringReload: the same for a background reload of a present
// key, and for Clear.
func TestInvalidate_DuringReload(t *testing.T) {
	for _, op := range []string{"invalidate", "clear"} {
		t.Run(op, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				l := newCounting()
				c := mustNew(t, l.load, ttlOpts()...)
				mustGet(t, c, "a", "a#1")
				l.gate = make(chan struct{})
				done := make(chan error)
				go func() { done <- c.Refresh(bg, "a") }()
				synctest.Wait()
				if op == "invalidate" {
					c.Invalidate("a")
				} else {
					c.Clear()
				}
				close(l.gate)
				if err := <-done; err != nil {
					t.Fatal(err)
				}
				synctest.Wait()
				if c.Contains("a") {
					t.Fatal("the key came back from a stale reload")
				}
			})
		})
	}
}

// TestSet_DuringLoad: a Set during a load wins over the load's result.
func TestSet_DuringLoad(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newCounting()
		l.gate = make(chan struct{})
		c := mustNew(t, l.load, ttlOpts()...)
		done := make(chan string)
		go func() {
			v, _ := c.Get(bg, "a")
			done <- v
		}()
		synctest.Wait()
		c.Set("a", "set")
		close(l.gate)
		if v := <-done; v != "a#1" {
			t.Fatalf("waiter got %q", v)
		}
		synctest.Wait()
		mustGet(t, c, "a", "set")
	})
}

// TestClose_DuringLoads: Close cancels loads in flight, their waiters get
// ErrClosed, and no goroutine is left (goleak checks the package).
func TestClose_DuringLoads(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newCounting()
		l.gate = make(chan struct{}) // never released: only Close ends the loads
		c, err := cache.New(l.load, ttlOpts()...)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 6)
		for i := range errs {
			wg.Go(func() { _, errs[i] = c.Get(bg, string(rune('a'+i%3))) })
		}
		synctest.Wait()
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		for _, err := range errs {
			if !errors.Is(err, cache.ErrClosed) {
				t.Fatalf("waiter = %v, want ErrClosed", err)
			}
		}
		if _, err := c.Get(bg, "a"); !errors.Is(err, cache.ErrClosed) {
			t.Fatalf("Get after Close = %v", err)
		}
		if err := c.Load(bg, "a"); !errors.Is(err, cache.ErrClosed) {
			t.Fatalf("Load after Close = %v", err)
		}
		if err := c.Refresh(bg, "a"); !errors.Is(err, cache.ErrClosed) {
			t.Fatalf("Refresh after Close = %v", err)
		}
	})
}

func TestClose_HitAfterClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, err := cache.New(newCounting().load, ttlOpts()...)
		if err != nil {
			t.Fatal(err)
		}
		mustGet(t, c, "a", "a#1")
		_ = c.Close()
		if _, err := c.Get(bg, "a"); !errors.Is(err, cache.ErrClosed) {
			t.Fatalf("Get of a cached key after Close = %v", err)
		}
	})
}

func TestClose_TwiceAndConcurrently_ConcurrentSafe(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newCounting()
		l.gate = make(chan struct{})
		c, err := cache.New(l.load, ttlOpts()...)
		if err != nil {
			t.Fatal(err)
		}
		go func() { _, _ = c.Get(bg, "a") }()
		synctest.Wait()
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				if err := c.Close(); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	})
}

// TestCancelledCaller_StartsNoLoad: a Get, Load or Refresh whose ctx has
// already ended returns its error and calls no loader.
func TestCancelledCaller_StartsNoLoad(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newCounting()
		c := mustNew(t, l.load, ttlOpts()...)
		mustGet(t, c, "present", "present#1")
		ctx, cancel := context.WithCancel(bg)
		cancel()
		if _, err := c.Get(ctx, "a"); !errors.Is(err, context.Canceled) {
			t.Fatalf("Get = %v", err)
		}
		if err := c.Load(ctx, "a"); !errors.Is(err, context.Canceled) {
			t.Fatalf("Load = %v", err)
		}
		if err := c.Refresh(ctx, "present"); !errors.Is(err, context.Canceled) {
			t.Fatalf("Refresh = %v", err)
		}
		if v, err := c.Get(ctx, "present"); err != nil || v != "present#1" {
			t.Fatalf("a hit with an ended ctx = %q, %v; want the value", v, err)
		}
		synctest.Wait()
		if n := l.calls.Load(); n != 1 {
			t.Fatalf("loader calls = %d, want 1", n)
		}
	})
}

// TestClose_RacingMisses_ConcurrentSafe: Gets of new keys race with Close on
// real goroutines. Once Close has returned, no loader runs and none starts,
// whether its load was to run inline (a ctx that never ends) or on a
// goroutine of the cache (a ctx that can end).
func TestClose_RacingMisses_ConcurrentSafe(t *testing.T) {
	for round := range 20 {
		var running, afterClose, loads atomic.Int64
		var closed atomic.Bool
		busy := make(chan struct{}) // closed by the 200th load
		load := func(_ context.Context, k string) (string, error) {
			running.Add(1)
			defer running.Add(-1)
			if closed.Load() {
				afterClose.Add(1)
			}
			if loads.Add(1) == 200 {
				close(busy)
			}
			return k, nil
		}
		c, err := cache.New(load, cache.WithTTL(time.Hour), cache.WithMaxSize(64))
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for g := range 4 {
			wg.Go(func() {
				ctx := context.Background()
				if g%2 == 1 {
					var cancel context.CancelFunc
					ctx, cancel = context.WithCancel(ctx)
					defer cancel()
				}
				for i := 0; ; i++ {
					if _, err := c.Get(ctx, fmt.Sprint(round, g, i)); errors.Is(err, cache.ErrClosed) {
						return
					} else if err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		<-busy
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		closed.Store(true)
		if n := running.Load(); n != 0 {
			t.Fatalf("round %d: %d loaders running after Close returned", round, n)
		}
		wg.Wait()
		if n := afterClose.Load(); n != 0 {
			t.Fatalf("round %d: %d loaders started after Close returned", round, n)
		}
	}
}
