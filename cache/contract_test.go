package cache_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/asyncutils-go/asyncutils/cache"
)

const forever = time.Duration(math.MaxInt64)

// TestForever: math.MaxInt64 is "forever" for the TTL, the refresh window
// and the backoff; nothing overflows, an idle cache sleeps (the loop does
// not spin: synctest.Wait returns only when every goroutine is blocked), and
// Close returns.
func TestForever(t *testing.T) {
	tests := []struct {
		name string
		opts []cache.Option
	}{
		{"ttl", []cache.Option{cache.WithTTL(forever)}},
		{"ttl, no refresh", []cache.Option{cache.WithTTL(forever), cache.WithRefresh(0)}},
		{"ttl and refresh window", []cache.Option{cache.WithTTL(forever), cache.WithRefresh(forever / 2)}},
		{"refresh window as long as the ttl", []cache.Option{cache.WithTTL(forever), cache.WithRefresh(forever)}},
		{"backoff", []cache.Option{cache.WithTTL(time.Hour), cache.WithBackoff(forever, forever)}},
		{"keep warm", []cache.Option{cache.WithTTL(forever), cache.WithKeepWarm()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				l := newCounting()
				c, err := cache.New(l.load, tt.opts...)
				if err != nil {
					t.Fatal(err)
				}
				mustGet(t, c, "a", "a#1")
				time.Sleep(365 * 24 * time.Hour) // a year later
				synctest.Wait()                  // hangs if the loop spins
				if _, err := c.Get(bg, "a"); err != nil {
					t.Fatal(err)
				}
				synctest.Wait()
				if n := l.calls.Load(); n > 2 {
					t.Fatalf("%d loader calls in a year of a forever cache", n)
				}
				if !c.Contains("a") {
					t.Fatal("a forever value expired")
				}
				done := make(chan struct{})
				go func() { _ = c.Close(); close(done) }()
				<-done
			})
		})
	}
}

// TestForever_RealClock: with the real clock, an idle forever cache costs
// no CPU: its loop blocks, so the process's goroutines stay asleep.
func TestForever_RealClock(t *testing.T) {
	c, err := cache.New(newCounting().load, cache.WithTTL(forever), cache.WithRefresh(forever/4))
	if err != nil {
		t.Fatal(err)
	}
	mustGet(t, c, "a", "a#1")
	time.Sleep(20 * time.Millisecond)
	// The loop's goroutine is parked in select, never runnable.
	buf := make([]byte, 1<<20)
	stacks := string(buf[:runtime.Stack(buf, true)])
	for g := range strings.SplitSeq(stacks, "\n\n") {
		if strings.Contains(g, "cache.(*Cache[...]).loop") && !strings.Contains(g, "[select") {
			t.Fatalf("the idle loop is not parked in select:\n%s", g)
		}
	}
	done := make(chan struct{})
	go func() { _ = c.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close of a forever cache did not return")
	}
}

// TestLoaderCycle: two loaders that need each other, started at once by two
// callers, do not deadlock: one of them gets ErrReentrant at once. Also
// through a chain of three keys, and across two caches.
func TestLoaderCycle(t *testing.T) {
	t.Run("two keys", func(t *testing.T) {
		for range 20 {
			var c *cache.Cache[string, string]
			var started sync.WaitGroup
			started.Add(2)
			c = mustNew(t, func(ctx context.Context, k string) (string, error) {
				started.Done()
				started.Wait() // both loads run before either waits
				other := map[string]string{"a": "b", "b": "a"}[k]
				v, err := c.Get(ctx, other)
				if err != nil {
					return "", err
				}
				return k + "<" + v, nil
			})
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i, k := range []string{"a", "b"} {
				wg.Go(func() { _, errs[i] = c.Get(bg, k) })
			}
			done := make(chan struct{})
			go func() { wg.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("the two loads deadlocked")
			}
			for _, err := range errs {
				if !errors.Is(err, cache.ErrReentrant) {
					t.Fatalf("errors = %v; want ErrReentrant for both callers (one directly, one through the other load)", errs)
				}
			}
		}
	})
	t.Run("chain of three across two caches", func(t *testing.T) {
		var c1, c2 *cache.Cache[string, string]
		var started sync.WaitGroup
		started.Add(3)
		next := map[string]string{"a": "b", "b": "c", "c": "a"}
		load := func(ctx context.Context, k string) (string, error) {
			started.Done()
			started.Wait()
			target := c1
			if next[k] == "b" {
				target = c2
			}
			v, err := target.Get(ctx, next[k])
			return k + v, err
		}
		c1 = mustNew(t, load)
		c2 = mustNew(t, load)
		var wg sync.WaitGroup
		errs := make([]error, 3)
		for i, k := range []string{"a", "b", "c"} {
			c := c1
			if k == "b" {
				c = c2
			}
			wg.Go(func() { _, errs[i] = c.Get(bg, k) })
		}
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("the three loads deadlocked")
		}
		for _, err := range errs {
			if !errors.Is(err, cache.ErrReentrant) {
				t.Fatalf("errors = %v; want ErrReentrant for every caller", errs)
			}
		}
	})
	t.Run("no cycle: a loader may wait for another load", func(t *testing.T) {
		var c *cache.Cache[string, string]
		c = mustNew(t, func(ctx context.Context, k string) (string, error) {
			if k == "leaf" {
				return "leaf", nil
			}
			v, err := c.Get(ctx, "leaf")
			return k + "<" + v, err
		})
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() { mustGet(t, c, fmt.Sprint("k", i), fmt.Sprint("k", i, "<leaf")) })
		}
		wg.Wait()
	})
}

// TestRefresh_OnlyReadEntries: by default the loop reloads an entry only
// if a Get was served from it since its last load: 500 keys read once are
// loaded 500 times, whatever the time; keys read all along stay warm.
func TestRefresh_OnlyReadEntries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newCounting()
		c := mustNew(t, l.load, cache.WithTTL(400*time.Millisecond), cache.WithRefresh(300*time.Millisecond))
		for i := range 500 {
			if _, err := c.Get(bg, fmt.Sprint(i)); err != nil {
				t.Fatal(err)
			}
		}
		c.Set("set", "s")
		_, _ = c.Peek("0")
		for range 40 {
			time.Sleep(50 * time.Millisecond)
			mustGetPrefix(t, c, "hot")
		}
		synctest.Wait()
		l.mu.Lock()
		cold, hot := 0, l.per["hot"]
		for k, n := range l.per {
			if k != "hot" {
				cold += n
			}
		}
		l.mu.Unlock()
		if cold != 500 {
			t.Fatalf("%d loader calls for 500 keys read once, want 500: the loop reloaded unread keys", cold)
		}
		if c.Contains("0") || c.Contains("set") {
			t.Fatal("an unread key (Peeked, or Set) did not expire")
		}
		// Hot: read every 50ms for 2s, reloaded ahead every ~100-137ms, the
		// first Get loads it; never expired, so never a miss after the first.
		if st := c.Stats(); st.Misses != 501 || hot < 10 {
			t.Fatalf("hot loaded %d times, stats %+v; want it kept warm with 501 misses in all", hot, st)
		}
	})
}

func mustGetPrefix(t *testing.T, c *cache.Cache[string, string], k string) {
	t.Helper()
	v, err := c.Get(bg, k)
	if err != nil || !strings.HasPrefix(v, k+"#") {
		t.Fatalf("Get(%q) = %q, %v", k, v, err)
	}
}

// TestKeepWarm: every entry is reloaded when due, read or not.
func TestKeepWarm(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newCounting()
		c := mustNew(t, l.load, ttlOpts(cache.WithKeepWarm())...)
		mustGet(t, c, "a", "a#1")
		time.Sleep(60 * time.Second)
		synctest.Wait()
		if !c.Contains("a") || l.calls.Load() < 10 {
			t.Fatalf("an unread keep-warm entry: contained %v after %d loads", c.Contains("a"), l.calls.Load())
		}
		if st := c.Stats(); st.Misses != 1 {
			t.Fatalf("stats %+v, want 1 miss", st)
		}
	})
}

// TestIdleTimeout_Widens: with WithIdleTimeout(d), an entry read within the
// last d is reloaded even if not read since its last load.
func TestIdleTimeout_Widens(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newCounting()
		c := mustNew(t, l.load, ttlOpts(cache.WithIdleTimeout(15*time.Second))...)
		mustGet(t, c, "a", "a#1") // the Get that loads it counts for the timeout
		time.Sleep(9 * time.Second)
		mustGet(t, c, "a", "a#2") // reloaded at ~6s although unread
		time.Sleep(30 * time.Second)
		synctest.Wait()
		if c.Contains("a") {
			t.Fatal("an entry unread for 30s outlived its 15s idle timeout")
		}
	})
}

// TestClose_CancelledReloadsNotReported: reloads that Close cancels reach
// neither the error handler nor the logger.
func TestClose_CancelledReloadsNotReported(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := &handlerLog{}
		var warm atomic.Bool
		c, err := cache.New(func(ctx context.Context, k string) (string, error) {
			if warm.Load() {
				<-ctx.Done()
				return "", ctx.Err()
			}
			return k, nil
		}, ttlOpts(cache.WithErrorHandler(h.handle), cache.WithKeepWarm())...)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 5 {
			mustGet(t, c, fmt.Sprint(i), fmt.Sprint(i))
		}
		warm.Store(true)
		time.Sleep(7 * time.Second) // every reload runs, blocked
		synctest.Wait()
		refreshed := make(chan error)
		go func() { refreshed <- c.Refresh(bg, "0") }() // joins the loop's reload
		synctest.Wait()
		_ = c.Close()
		if err := <-refreshed; !errors.Is(err, cache.ErrClosed) {
			t.Fatalf("Refresh cancelled by Close = %v; want ErrClosed", err)
		}
		if b, errs := h.snapshot(); len(b) != 0 {
			t.Fatalf("the handler got %v: reloads cancelled by Close were reported", errs)
		}
	})
}

// TestConfigure_Partial: Configure changes only what it is given; invalid
// input and fixed options change nothing.
func TestConfigure_Partial(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := &handlerLog{}
		l := newCounting()
		c := mustNew(t, l.load, cache.WithTTL(10*time.Second), cache.WithErrorHandler(h.handle),
			cache.WithBackoff(time.Hour, time.Hour))
		mustGet(t, c, "a", "a#1")
		// The TTL changes, the handler stays; the refresh window follows the TTL (20s/4 = 5s).
		if err := c.Configure(cache.WithTTL(20 * time.Second)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(14 * time.Second)
		if c.ShouldRefresh("a") {
			t.Fatal("due at 14s: the window did not follow the new TTL (due after 15s)")
		}
		time.Sleep(2 * time.Second)
		if !c.ShouldRefresh("a") {
			t.Fatal("not due at 16s: the window did not follow the new TTL")
		}
		l.fail.Store(true)
		_, _ = c.Get(bg, "a") // in the window: a single-key reload that fails
		synctest.Wait()
		if b, _ := h.snapshot(); len(b) != 1 {
			t.Fatalf("handler calls %v: Configure(WithTTL) dropped the handler", b)
		}
		for _, bad := range [][]cache.Option{
			{cache.WithTTL(time.Second), cache.WithRefresh(2 * time.Second)},
			{cache.WithRefresh(-1)},
			{cache.WithMaxConcurrentRefreshes(0)},
			{cache.WithClock(clock.NewMock())},
			{cache.WithLogger(nil)},
			{cache.WithMaxSize(10)},
		} {
			err := c.Configure(bad...)
			if !errors.Is(err, cache.ErrInvalidConfig) {
				t.Fatalf("Configure(bad) = %v; want ErrInvalidConfig", err)
			}
		}
		if err := c.Configure(cache.WithClock(clock.NewMock())); !strings.Contains(fmt.Sprint(err), "WithClock") {
			t.Fatalf("Configure(WithClock) = %v; want the option named", err)
		}
		if age, _ := c.Age("a"); !c.Contains("a") || age > 20*time.Second {
			t.Fatal("a rejected Configure changed the TTL")
		}
		// An explicit refresh window is kept when the TTL changes, and checked.
		if err := c.Configure(cache.WithRefresh(8 * time.Second)); err != nil {
			t.Fatal(err)
		}
		if err := c.Configure(cache.WithTTL(6 * time.Second)); !errors.Is(err, cache.ErrInvalidConfig) {
			t.Fatalf("Configure(TTL below the explicit window) = %v; want ErrInvalidConfig", err)
		}
		_ = c.Close()
		if err := c.Configure(cache.WithTTL(time.Minute)); !errors.Is(err, cache.ErrClosed) {
			t.Fatalf("Configure after Close = %v", err)
		}
	})
}

// TestPeekContainsExpired: Peek returns the present, unexpired value without
// loading, refreshing or counting; Expired is false for a key that holds no
// value.
func TestPeekContainsExpired(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newCounting()
		c := mustNew(t, l.load, ttlOpts()...)
		if v, ok := c.Peek("a"); ok || v != "" {
			t.Fatalf("Peek(missing) = %q, %v", v, ok)
		}
		if c.Expired("a") || c.Contains("a") {
			t.Fatal("a key never stored is expired or contained")
		}
		mustGet(t, c, "a", "a#1")
		time.Sleep(7 * time.Second) // in the window
		if v, ok := c.Peek("a"); !ok || v != "a#1" {
			t.Fatalf("Peek = %q, %v", v, ok)
		}
		synctest.Wait()
		if n := l.calls.Load(); n != 1 {
			t.Fatalf("Peek in the window started a reload (%d calls)", n)
		}
		time.Sleep(4 * time.Second) // expired, unread: not refreshed
		if _, ok := c.Peek("a"); ok {
			t.Fatal("Peek returned an expired value")
		}
		if st := c.Stats(); st.Hits != 0 || st.Misses != 1 {
			t.Fatalf("stats %+v: Peek counted", st)
		}
	})
}

// TestRefresh_JoinReportsOwnFailure: a Refresh that joins a failing load
// reports its failure once with batched=false and backs the key off.
func TestRefresh_JoinReportsOwnFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := &handlerLog{}
		l := newCounting()
		c := mustNew(t, l.load, ttlOpts(cache.WithErrorHandler(h.handle), cache.WithBackoff(time.Minute, time.Minute))...)
		mustGet(t, c, "a", "a#1")
		l.gate = make(chan struct{})
		l.fail.Store(true)
		loadDone := make(chan error)
		go func() { loadDone <- c.Load(bg, "a") }()
		synctest.Wait() // the Load runs
		refreshDone := make(chan error)
		go func() { refreshDone <- c.Refresh(bg, "a") }()
		synctest.Wait() // the Refresh joined it
		close(l.gate)
		if err := <-loadDone; !errors.Is(err, errBoom) {
			t.Fatalf("Load = %v", err)
		}
		if err := <-refreshDone; !errors.Is(err, errBoom) {
			t.Fatalf("Refresh = %v", err)
		}
		synctest.Wait()
		b, _ := h.snapshot()
		if len(b) != 1 || b[0] {
			t.Fatalf("handler got batched flags %v; want one false", b)
		}
		// Backing off: a Get in the window does not retry at once.
		l.fail.Store(false)
		time.Sleep(6*time.Second + time.Millisecond)
		before := l.calls.Load()
		mustGet(t, c, "a", "a#1")
		synctest.Wait()
		if l.calls.Load() != before {
			t.Fatal("a Get retried a key that is backing off")
		}
	})
}
