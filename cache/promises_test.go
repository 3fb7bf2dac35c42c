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

func TestPromise_SetAgeOddAges(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		for _, tc := range []struct {
			ttl, age time.Duration
			tooOld   bool
		}{
			{10 * time.Second, -time.Hour, false},
			{10 * time.Second, 10 * time.Second, false},
			{10 * time.Second, 10*time.Second + 1, true},
			{10 * time.Second, time.Duration(math.MaxInt64), true},
			{forever, time.Duration(math.MaxInt64), false},
		} {
			c, err := cache.New(func(ctx context.Context, k string) (string, error) {
				cache.SetAge(ctx, tc.age)
				return "v", nil
			}, cache.WithTTL(tc.ttl))
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Get(context.Background(), "k")
			if errors.Is(err, cache.ErrTooOld) != tc.tooOld {
				t.Errorf("ttl %v age %v: %v", tc.ttl, tc.age, err)
			}
			if tc.tooOld && (c.Len() != 0 || !strings.HasPrefix(err.Error(), "cache: ")) {
				t.Errorf("too old stored or bad message: %v", err)
			}
			if !tc.tooOld {
				time.Sleep(time.Nanosecond)
				_, err2 := c.Get(context.Background(), "k")
				age, _ := c.Age("k")
				if tc.age == 10*time.Second && err2 == nil && age > tc.ttl {
					t.Errorf("served at age %v > ttl", age)
				}
			}
			if SetAgeOutside := cache.SetAge(context.Background(), time.Second); SetAgeOutside {
				t.Error("SetAge outside a loader returned true")
			}
			_ = c.Close()
		}
	})
}

func TestPromise_StaleIfErrorWindow(t *testing.T) {
	mock := clock.NewMock()
	var fail atomic.Bool
	var calls atomic.Int32
	c, err := cache.New(func(ctx context.Context, k string) (string, error) {
		calls.Add(1)
		if fail.Load() {
			return "", errBoom
		}
		return "v", nil
	}, cache.WithClock(mock), cache.WithTTL(10*time.Second), cache.WithRefresh(4*time.Second),
		cache.WithStaleIfError(5*time.Second), cache.WithErrorHandler(func(error, bool) {}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	mustGet(t, c, "k", "v")
	fail.Store(true)
	mock.Add(7 * time.Second)
	mustGet(t, c, "k", "v") // in the window: starts a single reload, fails
	time.Sleep(20 * time.Millisecond)
	for _, step := range []time.Duration{time.Second, 2 * time.Second, 2 * time.Second, 2 * time.Second, 999 * time.Millisecond} {
		mock.Add(step)
		time.Sleep(5 * time.Millisecond)
		age, _ := c.Age("k")
		v, err := c.Get(context.Background(), "k")
		if err != nil || v != "v" {
			t.Errorf("age %v (<= ttl+5s): Get = %q, %v", age, v, err)
		}
	}
	mock.Add(2 * time.Millisecond)
	time.Sleep(5 * time.Millisecond)
	age, ok := c.Age("k")
	_, err = c.Get(context.Background(), "k")
	if !errors.Is(err, errBoom) {
		t.Errorf("past ttl+stale (age %v %v): Get = %v", age, ok, err)
	}
	if c.Stats().StaleHits == 0 {
		t.Error("no stale hits counted")
	}
}

func TestPromise_NegativeTTLBoundary(t *testing.T) {
	mock := clock.NewMock()
	var calls atomic.Int32
	c, err := cache.New(func(ctx context.Context, k string) (string, error) {
		calls.Add(1)
		return "", fmt.Errorf("wrapped: %w", cache.ErrNotFound)
	}, cache.WithClock(mock), cache.WithNegativeTTL(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for range 3 {
		if _, err := c.Get(context.Background(), "k"); !errors.Is(err, cache.ErrNotFound) {
			t.Fatal(err)
		}
	}
	mock.Add(time.Second)
	_, _ = c.Get(context.Background(), "k")
	if calls.Load() != 1 || c.Contains("k") || c.Stats().NegativeHits != 3 {
		t.Errorf("calls %d contains %v stats %+v", calls.Load(), c.Contains("k"), c.Stats())
	}
	mock.Add(time.Second + 1)
	_, _ = c.Get(context.Background(), "k")
	if calls.Load() != 2 {
		t.Errorf("after the negative TTL: calls %d", calls.Load())
	}
}

func TestPromise_RefreshAheadOneReload(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newCounting()
		c, err := cache.New(l.load, ttlOpts()...)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		mustGet(t, c, "a", "a#1")
		time.Sleep(6*time.Second + 100*time.Millisecond) // in the window; never read, so the loop let it be
		l.gate = make(chan struct{})
		var wg sync.WaitGroup
		for range 100 {
			wg.Go(func() { mustGet(t, c, "a", "a#1") })
		}
		wg.Wait()
		synctest.Wait()
		if n := l.calls.Load(); n != 2 {
			t.Errorf("%d loader calls, want 1 reload", n)
		}
		close(l.gate)
		synctest.Wait()
		mustGet(t, c, "a", "a#2")
	})
}

func TestPromise_CtxRules(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newCounting()
		l.gate = make(chan struct{})
		c, err := cache.New(l.load)
		if err != nil {
			t.Fatal(err)
		}
		ctx1, cancel1 := context.WithCancel(context.Background())
		ctx2, cancel2 := context.WithTimeout(context.Background(), time.Hour)
		defer cancel2()
		r1 := make(chan error, 1)
		r2 := make(chan string, 1)
		go func() { _, err := c.Get(ctx1, "a"); r1 <- err }()
		synctest.Wait()
		go func() { v, _ := c.Get(ctx2, "a"); r2 <- v }()
		synctest.Wait()
		cancel1()
		if err := <-r1; !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled starter got %v", err)
		}
		close(l.gate)
		if v := <-r2; v != "a#1" {
			t.Errorf("other waiter got %q", v)
		}
		// Close during a load: waiters get ErrClosed, Close returns
		l.gate = make(chan struct{})
		r3 := make(chan error, 2)
		go func() { _, err := c.Get(ctx2, "b"); r3 <- err }()
		go func() { _, err := c.Get(context.Background(), "c"); r3 <- err }()
		synctest.Wait()
		_ = c.Close()
		for range 2 {
			if err := <-r3; !errors.Is(err, cache.ErrClosed) {
				t.Errorf("waiter after Close: %v", err)
			}
		}
		for _, f := range []func() error{
			func() error { _, err := c.Get(context.Background(), "a"); return err },
			func() error { return c.Load(context.Background(), "a") },
			func() error { return c.Refresh(context.Background(), "a") },
			func() error { _, err := c.GetWith(context.Background(), "a", l.load); return err },
			func() error { return c.Configure(cache.WithTTL(time.Second)) },
		} {
			if err := f(); !errors.Is(err, cache.ErrClosed) {
				t.Errorf("after Close: %v", err)
			}
		}
	})
}

func TestPromise_BulkClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		u := &bulkUpstream{gate: make(chan struct{})}
		c, err := cache.NewBulk(u.load, cache.WithBatch(1, 0), cache.WithMaxConcurrentRefreshes(1))
		if err != nil {
			t.Fatal(err)
		}
		res := make(chan error, 3)
		for _, k := range []string{"a", "b", "c"} { // b and c wait for the one slot
			go func() { _, err := c.Get(context.Background(), k); res <- err }()
		}
		synctest.Wait()
		_ = c.Close()
		for range 3 {
			if err := <-res; !errors.Is(err, cache.ErrClosed) {
				t.Errorf("waiter: %v", err)
			}
		}
	})
}

func TestPromise_Loaders(t *testing.T) {
	c, err := cache.New[string, string](nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.Get(context.Background(), "x")
	if !errors.Is(err, cache.ErrNoLoader) || !strings.Contains(err.Error(), "x") || !strings.HasPrefix(err.Error(), "cache: ") || c.Len() != 0 {
		t.Errorf("no loader: %v len %d", err, c.Len())
	}
	v, err := c.GetWith(context.Background(), "x", func(ctx context.Context, k string) (string, error) { return "px", nil })
	if v != "px" || err != nil {
		t.Error(v, err)
	}
	c.RegisterLoader("x", nil)
	c.Invalidate("x")
	if _, err := c.Get(context.Background(), "x"); !errors.Is(err, cache.ErrNoLoader) {
		t.Error(err)
	}
	// panics
	_, err = c.GetWith(context.Background(), "p", func(ctx context.Context, k string) (string, error) { panic("kaboom") })
	var pe *cache.PanicError
	if !errors.As(err, &pe) || !strings.HasPrefix(err.Error(), "cache: loader: panic: kaboom") {
		t.Errorf("panic: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err = c.GetWith(ctx, "g", func(ctx context.Context, k string) (string, error) { runtime.Goexit(); return "", nil })
	if !errors.Is(err, cache.ErrGoexit) || !strings.HasPrefix(err.Error(), "cache: loader: ") {
		t.Errorf("goexit: %v", err)
	}
	// own key
	_, err = c.GetWith(ctx, "r", func(ctx context.Context, k string) (string, error) { return c.Get(ctx, "r") })
	if !errors.Is(err, cache.ErrReentrant) {
		t.Errorf("reentrant: %v", err)
	}
	_, err = c.GetWith(context.Background(), "r2", func(ctx context.Context, k string) (string, error) { return "", c.Load(ctx, "r2") })
	if !errors.Is(err, cache.ErrReentrant) {
		t.Errorf("reentrant Load inline: %v", err)
	}
}

func TestPromise_WritesSupersedeLoads(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		for _, op := range []string{"set", "invalidate", "clear"} {
			for _, bulk := range []bool{false, true} {
				l := newCounting()
				l.gate = make(chan struct{})
				var c *cache.Cache[string, string]
				var err error
				if bulk {
					u := &bulkUpstream{gate: l.gate}
					c, err = cache.NewBulk(u.load, cache.WithBatch(1, 0))
				} else {
					c, err = cache.New(l.load)
				}
				if err != nil {
					t.Fatal(err)
				}
				res := make(chan string, 1)
				go func() { v, _ := c.Get(context.Background(), "a"); res <- v }()
				synctest.Wait()
				switch op {
				case "set":
					c.Set("a", "S")
				case "invalidate":
					c.Invalidate("a")
				case "clear":
					c.Clear()
				}
				close(l.gate)
				got := <-res
				synctest.Wait()
				v, ok := c.Peek("a")
				if got == "" || (op == "set" && v != "S") || (op != "set" && ok) {
					t.Errorf("%s bulk=%v: waiter %q, stored %q %v", op, bulk, got, v, ok)
				}
				_ = c.Close()
			}
		}
	})
}

func TestPromise_GetMany(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		u := &bulkUpstream{}
		c, err := cache.NewBulk(u.load, cache.WithBatch(2, time.Second))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if m, err := c.GetMany(context.Background(), nil); len(m) != 0 || err != nil {
			t.Error(m, err)
		}
		c.Set("h", "H")
		m, err := c.GetMany(context.Background(), []string{"h", "a", "a", "b", "missing1", "c", "h", "c"})
		if err != nil || len(m) != 4 || m["h"] != "H" || u.nCalls() != 2 {
			t.Errorf("GetMany = %v, %v; calls %v", m, err, u.calls)
		}
		for _, call := range u.calls {
			if len(call) > 2 {
				t.Errorf("batch over bound: %v", call)
			}
		}
		// extra keys and a nil map
		c2, _ := cache.NewBulk(func(ctx context.Context, keys []string) (map[string]string, error) {
			if keys[0] == "nil" {
				return nil, nil
			}
			return map[string]string{"zz": "extra", keys[0]: "v"}, nil
		}, cache.WithBatch(1, 0))
		defer c2.Close()
		if _, err := c2.Get(context.Background(), "nil"); !errors.Is(err, cache.ErrNotFound) {
			t.Error(err)
		}
		if v, err := c2.Get(context.Background(), "q"); v != "v" || err != nil || c2.Contains("zz") {
			t.Error(v, err)
		}
	})
}

func TestPromise_Configure(t *testing.T) {
	mock := clock.NewMock()
	c, err := cache.New(newCounting().load, cache.WithClock(mock), cache.WithTTL(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, o := range []cache.Option{cache.WithClock(mock), cache.WithLogger(nil), cache.WithMaxSize(3), cache.WithBatch(1, 0)} {
		if err := c.Configure(o); !errors.Is(err, cache.ErrInvalidConfig) {
			t.Errorf("fixed option accepted: %v", err)
		}
	}
	for _, o := range []cache.Option{cache.WithTTL(0), cache.WithRefresh(11 * time.Second), cache.WithBackoff(2, 1), cache.WithMaxConcurrentRefreshes(0), cache.WithIdleTimeout(-1), cache.WithNegativeTTL(-1), cache.WithStaleIfError(-1)} {
		if err := c.Configure(o); !errors.Is(err, cache.ErrInvalidConfig) || !strings.HasPrefix(err.Error(), "cache: ") {
			t.Errorf("invalid accepted: %v", err)
		}
	}
	mustGet(t, c, "a", "a#1")
	mock.Add(5 * time.Second)
	if err := c.Configure(cache.WithTTL(4 * time.Second)); err != nil {
		t.Fatal(err)
	}
	// The loop may remove "a" at once (Configure wakes it): only Contains
	// is certain.
	if c.Contains("a") {
		t.Error("shorter TTL not applied at once")
	}
	if err := c.Configure(cache.WithTTL(time.Minute)); err != nil {
		t.Fatal(err)
	}
	mustGet(t, c, "b", "b#1")
	mock.Add(30 * time.Second) // past the old TTL, within the new one
	if !c.Contains("b") || c.ShouldRefresh("b") {
		t.Error("longer TTL not applied")
	}
	// "a" may be back within the longer TTL or removed by the loop before
	// it: All must agree with Contains either way.
	for k := range c.All() {
		if !c.Contains(k) {
			t.Errorf("All gave %q, which Contains does not see", k)
		}
	}
}
