package cache_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/asyncutils-go/asyncutils/cache"
)

// TestGet_RefreshAhead: a Get in the refresh window returns the old value
// without waiting, starts one reload, and a later Get sees the new value.
func TestGet_RefreshAhead(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newCounting()
		h := &handlerLog{}
		// Idle timeout shorter than the window keeps the loop from reloading
		// the entry, so that the Get is the one that starts the reload.
		c := mustNew(t, l.load, ttlOpts(cache.WithIdleTimeout(time.Second), cache.WithErrorHandler(h.handle))...)
		mustGet(t, c, "a", "a#1")
		time.Sleep(7 * time.Second)
		synctest.Wait()
		if n := l.calls.Load(); n != 1 {
			t.Fatalf("the loop reloaded an idle entry: %d calls", n)
		}
		l.gate = make(chan struct{})
		start := time.Now()
		mustGet(t, c, "a", "a#1") // in the window: old value at once
		mustGet(t, c, "a", "a#1") // reload in flight: no second one
		if time.Since(start) != 0 {
			t.Fatal("a Get in the refresh window waited")
		}
		synctest.Wait()
		if n := l.calls.Load(); n != 2 {
			t.Fatalf("loader calls = %d, want 2 (one reload)", n)
		}
		close(l.gate)
		synctest.Wait()
		mustGet(t, c, "a", "a#2")
		if st := c.Stats(); st.Refreshes != 1 || st.Loads != 1 {
			t.Fatalf("stats = %+v", st)
		}
	})
}

// TestLoop_RefreshesDueEntries: with WithKeepWarm the loop reloads due
// entries, read or not, so a reader that comes back much later still never
// waits.
func TestLoop_RefreshesDueEntries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newCounting()
		c := mustNew(t, l.load, ttlOpts(cache.WithKeepWarm())...)
		for _, k := range []string{"a", "b", "c"} {
			if _, err := c.Get(bg, k); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(61 * time.Second)
		synctest.Wait()
		for _, k := range []string{"a", "b", "c"} {
			if !c.Contains(k) {
				t.Fatalf("%s expired although the loop refreshes it", k)
			}
		}
		st := c.Stats()
		// Every 6s to 6.5s per key: at least 9 reloads each in 61s.
		if st.Refreshes < 27 || st.Misses != 3 {
			t.Fatalf("stats = %+v, want >= 27 refreshes and 3 misses", st)
		}
	})
}

func TestExpiry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newCounting()
		c := mustNew(t, l.load, cache.WithTTL(10*time.Second), cache.WithRefresh(0))
		mustGet(t, c, "a", "a#1")
		time.Sleep(10 * time.Second)
		mustGet(t, c, "a", "a#1") // age == TTL: not expired yet
		time.Sleep(time.Millisecond)
		synctest.Wait()
		if c.Contains("a") || c.Len() != 0 {
			t.Fatal("the loop did not remove the expired entry")
		}
		if st := c.Stats(); st.Expirations != 1 || st.Refreshes != 0 {
			t.Fatalf("stats = %+v", st)
		}
		mustGet(t, c, "a", "a#2")
	})
}

// TestExpiry_FirstExpiredInstant: a Get at the first instant past the TTL
// loads, also with the default clock, whose hits trust the sleeping loop
// instead of reading the clock. The loop's timer and the test's sleep fire at
// the same instant and synctest runs the two goroutines in either order, so
// the loop must have stopped vouching for the entry before that instant; each
// round is a new bubble, to try both orders.
func TestExpiry_FirstExpiredInstant(t *testing.T) {
	for round := range 20 {
		synctest.Test(t, func(t *testing.T) {
			l := newCounting()
			c := mustNew(t, l.load, cache.WithTTL(10*time.Second), cache.WithRefresh(0))
			mustGet(t, c, "a", "a#1")
			synctest.Wait() // the loop sleeps, vouching for "a"
			time.Sleep(10*time.Second + 1)
			if v, err := c.Get(bg, "a"); err != nil || v != "a#2" {
				t.Fatalf("round %d: Get after the TTL = %q, %v; want a#2 from a new load (stats %+v)",
					round, v, err, c.Stats())
			}
		})
	}
}

// TestBackoff: a failing background reload keeps the value, is retried with
// growing delays (not on every Get), and after TTL the next Get loads
// synchronously and returns the loader's error.
func TestBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newCounting()
		h := &handlerLog{}
		c := mustNew(t, l.load, cache.WithTTL(100*time.Second), cache.WithRefresh(60*time.Second),
			cache.WithBackoff(time.Second, 16*time.Second), cache.WithErrorHandler(h.handle))
		mustGet(t, c, "a", "a#1")
		l.fail.Store(true)
		// Reloaded by the loop at 32.5s to 40s (or by a Get at 40s); then
		// retried after delays of about 1, 2, 4, 8, 16, 16, ... seconds (each
		// jittered down by up to half) until it expires at 100s.
		for range 100 {
			time.Sleep(time.Second)
			mustGet(t, c, "a", "a#1") // Gets do not retry
		}
		calls := l.calls.Load() - 1
		// At most 67.5s of retries: with each delay at least half its
		// nominal value, at most 13 attempts fit; at least 4 (delays at most
		// 1+2+4+8+16 = 31s from 40s).
		if calls < 4 || calls > 13 {
			t.Fatalf("%d reload attempts, want 4..13", calls)
		}
		batched, errs := h.snapshot()
		if int64(len(errs)) != calls {
			t.Fatalf("handler got %d errors for %d attempts", len(errs), calls)
		}
		// The first attempt may come from a Get in the window (batched
		// false); every retry comes from the loop.
		for i, b := range batched {
			if i > 0 && !b || !errors.Is(errs[i], errBoom) {
				t.Fatalf("report %d: batched=%v err=%v, want loop reload of errBoom", i, b, errs[i])
			}
		}
		time.Sleep(time.Second)
		synctest.Wait()
		if _, err := c.Get(bg, "a"); !errors.Is(err, errBoom) {
			t.Fatalf("Get after expiry = %v, want the loader's error", err)
		}
		if c.Contains("a") {
			t.Fatal("a failed load cached something")
		}
		l.fail.Store(false)
		mustGet(t, c, "a", "a#2")
	})
}

// TestLoad_FailureKeepsBackoff: a Load that fails on a key whose background
// reload is backing off keeps the retry time; it does not send the loop to
// reload the key at once, which would double the calls to a failing upstream
// for every Load.
func TestLoad_FailureKeepsBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newCounting()
		c := mustNew(t, l.load, cache.WithTTL(100*time.Second), cache.WithRefresh(60*time.Second),
			cache.WithBackoff(20*time.Second, 20*time.Second), cache.WithErrorHandler(func(error, bool) {}), cache.WithKeepWarm())
		mustGet(t, c, "a", "a#1")
		l.fail.Store(true)
		// The loop reloads at 32.5s to 40s and fails; its retry comes 10s to
		// 20s later, so not before 42.5s.
		time.Sleep(41 * time.Second)
		synctest.Wait()
		if n := l.calls.Load(); n != 2 {
			t.Fatalf("%d loader calls by 41s, want the load and one failed reload", n)
		}
		for range 3 {
			if err := c.Load(bg, "a"); !errors.Is(err, errBoom) {
				t.Fatalf("Load = %v", err)
			}
			synctest.Wait()
		}
		if n := l.calls.Load(); n != 5 {
			t.Fatalf("%d loader calls after 3 failed Loads, want 5: the loop retried before its backoff", n)
		}
		mustGet(t, c, "a", "a#1") // the value is kept
	})
}

// TestErrorHandler_Batched: loop reloads report batched=true, Get-window and
// Refresh reloads batched=false.
func TestErrorHandler_Batched(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newCounting()
		h := &handlerLog{}
		c := mustNew(t, l.load, ttlOpts(cache.WithErrorHandler(h.handle), cache.WithIdleTimeout(time.Second),
			cache.WithBackoff(time.Minute, time.Minute))...)
		mustGet(t, c, "a", "a#1") // idle: the loop will not reload a
		mustGet(t, c, "b", "b#1")
		l.fail.Store(true)
		// Refresh: single-key, error returned and reported.
		if err := c.Refresh(bg, "a"); !errors.Is(err, errBoom) {
			t.Fatalf("Refresh = %v", err)
		}
		// Read b every second so that the loop reloads it (batched).
		for range 7 {
			time.Sleep(time.Second)
			mustGet(t, c, "b", "b#1")
		}
		synctest.Wait()
		batched, _ := h.snapshot()
		if len(batched) != 2 || batched[0] || !batched[1] {
			t.Fatalf("batched flags = %v, want [false true]", batched)
		}
		// A Get in the window of c, which is idle so the loop leaves it.
		l.fail.Store(false)
		mustGet(t, c, "c", "c#1")
		l.fail.Store(true)
		time.Sleep(7 * time.Second)
		mustGet(t, c, "c", "c#1")
		synctest.Wait()
		batched, _ = h.snapshot()
		if len(batched) < 3 || batched[len(batched)-1] {
			t.Fatalf("batched flags = %v, want a final false from the Get", batched)
		}
	})
}

func TestIdleTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newCounting()
		c := mustNew(t, l.load, ttlOpts(cache.WithIdleTimeout(3*time.Second))...)
		mustGet(t, c, "read", "read#1")
		mustGet(t, c, "idle", "idle#1")
		for range 30 {
			time.Sleep(time.Second)
			if _, err := c.Get(bg, "read"); err != nil {
				t.Fatal(err)
			}
		}
		synctest.Wait()
		if c.Contains("idle") {
			t.Fatal("an idle entry was refreshed instead of expiring")
		}
		if !c.Contains("read") {
			t.Fatal("an entry read every second expired")
		}
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.per["idle"] != 1 || l.per["read"] < 4 {
			t.Fatalf("loads per key = %v", l.per)
		}
	})
}

func TestRefresh(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newCounting()
		c := mustNew(t, l.load, ttlOpts()...)
		if err := c.Refresh(bg, "a"); err != nil || c.Contains("a") {
			t.Fatalf("Refresh of an absent key = %v, contains %v", err, c.Contains("a"))
		}
		mustGet(t, c, "a", "a#1")
		if err := c.Refresh(bg, "a"); err != nil {
			t.Fatal(err)
		}
		mustGet(t, c, "a", "a#2")
		if err := c.Load(bg, "b"); err != nil {
			t.Fatal(err)
		}
		mustGet(t, c, "b", "b#1")
		l.fail.Store(true)
		if err := c.Load(bg, "b"); !errors.Is(err, errBoom) {
			t.Fatalf("Load = %v", err)
		}
		mustGet(t, c, "b", "b#1") // a failed Load keeps the value
		if err := c.Load(bg, "x"); !errors.Is(err, errBoom) || c.Contains("x") {
			t.Fatalf("failed Load of a missing key = %v, contains %v", err, c.Contains("x"))
		}
	})
}

// TestLoaderContext: the load sees the starting caller's values, not its
// cancellation.
func TestLoaderContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		type key struct{}
		gate := make(chan struct{})
		var sawValue any
		var sawErr error
		c := mustNew(t, func(ctx context.Context, k string) (string, error) {
			sawValue = ctx.Value(key{})
			<-gate
			sawErr = ctx.Err()
			return k, nil
		}, ttlOpts()...)
		ctx, cancel := context.WithCancel(context.WithValue(bg, key{}, "v"))
		done := make(chan error)
		go func() {
			_, err := c.Get(ctx, "a")
			done <- err
		}()
		synctest.Wait()
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled Get = %v", err)
		}
		close(gate)
		synctest.Wait()
		if sawValue != "v" || sawErr != nil {
			t.Fatalf("loader saw value %v, err %v; want v, nil", sawValue, sawErr)
		}
		mustGet(t, c, "a", "a") // the load finished for nobody, and was stored
	})
}

// TestLoop_BoundsConcurrentReloads: entries that fall due together are
// reloaded at most n at once; the others wait for a slot, and all are
// reloaded in the end.
func TestLoop_BoundsConcurrentReloads(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var running, peak, reloads atomic.Int64
		gate := make(chan struct{})
		var warm atomic.Bool
		c := mustNew(t, func(ctx context.Context, k string) (string, error) {
			if !warm.Load() { // the warm-up loads
				return k, nil
			}
			n := running.Add(1)
			defer running.Add(-1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			<-gate
			reloads.Add(1)
			return k + "'", nil
		}, ttlOpts(cache.WithMaxConcurrentRefreshes(2), cache.WithKeepWarm())...)
		keys := []string{"a", "b", "c", "d", "e", "f", "g", "h"}
		for _, k := range keys {
			mustGet(t, c, k, k)
		}
		warm.Store(true)
		time.Sleep(6*time.Second + time.Second/2) // all due, jitter included
		synctest.Wait()
		if r := running.Load(); r != 2 {
			t.Fatalf("%d reloads running, want the bound 2", r)
		}
		for range len(keys) {
			gate <- struct{}{}
			synctest.Wait()
		}
		if peak.Load() != 2 || reloads.Load() != int64(len(keys)) {
			t.Fatalf("peak %d, reloads %d; want 2, %d", peak.Load(), reloads.Load(), len(keys))
		}
		for _, k := range keys {
			mustGet(t, c, k, k+"'")
		}
	})
}

// TestConfigure_ShorterTTL: a shorter TTL applies to present entries at once.
func TestConfigure_ShorterTTL(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newCounting()
		c := mustNew(t, l.load, ttlOpts()...)
		mustGet(t, c, "a", "a#1")
		time.Sleep(3 * time.Second)
		if err := c.Configure(cache.WithTTL(2*time.Second), cache.WithRefresh(0)); err != nil {
			t.Fatal(err)
		}
		mustGet(t, c, "a", "a#2")
	})
}

// TestLoaderContext_Close: Close cancels a load; context.Cause of the
// loader's ctx reports it even though the ctx carries the caller's values.
func TestLoaderContext_Close(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		type key struct{}
		var cause error
		c, err := cache.New(func(ctx context.Context, k string) (string, error) {
			<-ctx.Done()
			cause = context.Cause(ctx)
			return "", ctx.Err()
		}, ttlOpts()...)
		if err != nil {
			t.Fatal(err)
		}
		go func() { _, _ = c.Get(context.WithValue(bg, key{}, 1), "a") }()
		synctest.Wait()
		_ = c.Close()
		if !errors.Is(cause, context.Canceled) {
			t.Fatalf("context.Cause in the loader = %v, want context.Canceled", cause)
		}
	})
}

// TestSet_RefreshFollowsSetValue: a Set of a scheduled key leaves its
// earlier place in the schedule. When the loop reaches that place the Set's
// value is not due, and nothing is reloaded; the value is reloaded in its
// own refresh window, before it expires.
func TestSet_RefreshFollowsSetValue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newCounting()
		c := mustNew(t, l.load, ttlOpts()...) // TTL 10s, window 4s, spread 0.5s
		mustGet(t, c, "k", "k#1")             // due for its reload from 5.5s on
		time.Sleep(3 * time.Second)
		c.Set("k", "set")
		mustGet(t, c, "k", "set")   // read, so that it is kept warm
		time.Sleep(5 * time.Second) // 8s: past the first value's window
		synctest.Wait()
		if n := l.calls.Load(); n != 1 {
			t.Fatalf("at 8s, %d loader calls; the Set's value (3s old) was reloaded early", n)
		}
		mustGet(t, c, "k", "set")
		time.Sleep(1500 * time.Millisecond) // 9.5s: the Set's value is 6.5s old, in its window
		synctest.Wait()
		if n := l.calls.Load(); n != 2 {
			t.Fatalf("at 9.5s, %d loader calls; want the Set's value reloaded once", n)
		}
		mustGet(t, c, "k", "k#2")
	})
}
