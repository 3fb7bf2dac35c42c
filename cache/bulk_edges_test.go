package cache_test

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asyncutils-go/asyncutils/cache"
)

// Doc (bulk table, docs/cache.md): "the bulk loader panics or calls Goexit | an
// error `cache: bulk loader: ...` wrapping the *PanicError or ErrGoexit, for
// every key".
func TestBulk_GoexitEndsTheBatch(t *testing.T) {
	var calls atomic.Int32
	c, err := cache.NewBulk(func(ctx context.Context, keys []string) (map[string]string, error) {
		if calls.Add(1) == 1 {
			runtime.Goexit()
		}
		return map[string]string{keys[0]: "ok"}, nil
	}, cache.WithBatch(1, 0), cache.WithMaxConcurrentRefreshes(1))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	_, err = c.Get(ctx, "a")
	t.Logf("Get(a) after a Goexit bulk loader: %v", err)
	if !errors.Is(err, cache.ErrGoexit) {
		t.Errorf("want ErrGoexit, got %v", err)
	}
	// The next, healthy, batch of another key:
	ctx2, cancel2 := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel2()
	v, err := c.Get(ctx2, "b")
	t.Logf("Get(b) afterwards (bulk loader healthy): %q, %v; bulk calls: %d", v, err, calls.Load())
	if err != nil {
		t.Errorf("a later key cannot load any more: %v", err)
	}
}

// Doc (doc.go): "Each may call any method of the cache but Close ... A loader
// that would wait for a load that waits for it ... gets ErrReentrant at once
// instead of a deadlock."
func TestBulk_LoaderReadsTheCache(t *testing.T) {
	var c *cache.Cache[string, string]
	var err error
	c, err = cache.NewBulk(func(ctx context.Context, keys []string) (map[string]string, error) {
		m := map[string]string{}
		for _, k := range keys {
			if k == "a" {
				dep, err := c.Get(ctx, "b") // a depends on b
				if err != nil {
					return nil, err
				}
				m[k] = "a+" + dep
			} else {
				m[k] = k
			}
		}
		return m, nil
	}, cache.WithBatch(10, time.Millisecond), cache.WithMaxConcurrentRefreshes(1))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	v, err := c.Get(ctx, "a")
	t.Logf("Get(a) = %q, %v", v, err)
	if errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("deadlock: the bulk loader's Get of another key waits for a bulk slot its own call holds")
	}
}

// Same with the default WithMaxConcurrentRefreshes (16): 16 concurrent
// batches whose loader reads a dependency from the cache.
func TestBulk_LoaderReadsTheCacheUnderLoad(t *testing.T) {
	var c *cache.Cache[string, string]
	var err error
	var inFlight atomic.Int32
	release := make(chan struct{})
	c, err = cache.NewBulk(func(ctx context.Context, keys []string) (map[string]string, error) {
		m := map[string]string{}
		if keys[0][0] == 'p' { // a parent key: wait till 16 run, then read the dependency
			if inFlight.Add(1) == 16 {
				close(release)
			}
			<-release
			dep, err := c.Get(ctx, "dep-"+keys[0])
			if err != nil {
				return nil, err
			}
			m[keys[0]] = dep
			return m, nil
		}
		for _, k := range keys {
			m[k] = k
		}
		return m, nil
	}, cache.WithBatch(1, 0))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	var wg sync.WaitGroup
	var timeouts atomic.Int32
	for i := range 16 {
		wg.Go(func() {
			if _, err := c.Get(ctx, "p"+string(rune('a'+i))); errors.Is(err, context.DeadlineExceeded) {
				timeouts.Add(1)
			}
		})
	}
	wg.Wait()
	t.Logf("16 concurrent parent Gets: %d timed out", timeouts.Load())
	if timeouts.Load() > 0 {
		t.Errorf("deadlock with the default bound")
	}
}

// Doc (age.go): "Call it from a loader, with the ctx the loader was given; it
// reports whether ctx is a load's context (false: nothing happens)... A value
// whose age already exceeds the TTL when the loader returns is not stored,
// and the load fails with an error wrapping ErrTooOld."
func TestBulk_SetAge(t *testing.T) {
	var reported atomic.Bool
	c, err := cache.NewBulk(func(ctx context.Context, keys []string) (map[string]string, error) {
		reported.Store(cache.SetAge(ctx, time.Hour)) // far over the TTL
		m := map[string]string{}
		for _, k := range keys {
			m[k] = "old"
		}
		return m, nil
	}, cache.WithTTL(time.Minute), cache.WithBatch(1, 0))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	v, err := c.Get(context.Background(), "a")
	age, _ := c.Age("a")
	t.Logf("SetAge returned %v; Get = %q, %v; Age = %v", reported.Load(), v, err, age)
	if reported.Load() && !errors.Is(err, cache.ErrTooOld) {
		t.Errorf("SetAge said it applied (true), but an hour-old value passed a 1m TTL")
	}
}

// Doc (refresh.go Configure): "Configure changes ... WithMaxConcurrentRefreshes"
// and (bulk.go) "At most WithMaxConcurrentRefreshes bulk calls run at once".
func TestBulk_ConfigureMaxConcurrent(t *testing.T) {
	var running, peak atomic.Int32
	gate := make(chan struct{})
	c, err := cache.NewBulk(func(ctx context.Context, keys []string) (map[string]string, error) {
		n := running.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		defer running.Add(-1)
		<-gate
		return map[string]string{keys[0]: "v"}, nil
	}, cache.WithBatch(1, 0), cache.WithMaxConcurrentRefreshes(1))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Configure(cache.WithMaxConcurrentRefreshes(4)); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for _, k := range []string{"a", "b", "c", "d"} {
		wg.Go(func() { _, _ = c.Get(context.Background(), k) })
	}
	time.Sleep(200 * time.Millisecond)
	got := peak.Load()
	close(gate)
	wg.Wait()
	t.Logf("after Configure(WithMaxConcurrentRefreshes(4)): peak concurrent bulk calls = %d", got)
	if got != 4 {
		t.Errorf("want 4 concurrent bulk calls, got %d", got)
	}
}
