package cache_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asyncutils-go/asyncutils/cache"
)

// TestCache_ConcurrentSafe mixes every operation from many goroutines on a
// small key set with a TTL short enough that entries refresh and expire
// while it runs. Run it with -race; it checks that every value read belongs
// to its key and that the counters add up.
func TestCache_ConcurrentSafe(t *testing.T) {
	c := mustNew(t, func(_ context.Context, k string) (string, error) {
		if rand.IntN(10) == 0 {
			return "", errBoom
		}
		return k + "=loaded", nil
	}, cache.WithTTL(20*time.Millisecond), cache.WithRefresh(10*time.Millisecond),
		cache.WithBackoff(time.Millisecond, 4*time.Millisecond), cache.WithErrorHandler(func(error, bool) {}),
		cache.WithMaxConcurrentRefreshes(2), cache.WithIdleTimeout(5*time.Millisecond))
	const workers, ops, keys = 8, 1500, 24
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 1))
			for range ops {
				k := "k" + strconv.Itoa(r.IntN(keys))
				switch op := r.IntN(100); {
				case op < 70:
					v, err := c.Get(bg, k)
					if err == nil && v != k+"=loaded" && v != k+"=set" {
						errs <- fmt.Errorf("Get(%s) = %q", k, v)
						return
					}
				case op < 80:
					c.Set(k, k+"=set")
				case op < 88:
					c.Invalidate(k)
				case op < 94:
					_ = c.Refresh(bg, k)
				case op < 97:
					_ = c.Load(bg, k)
				case op < 98:
					c.Clear()
				default:
					for key, v := range c.All() {
						if v != key+"=loaded" && v != key+"=set" {
							errs <- fmt.Errorf("All: %s = %q", key, v)
							return
						}
					}
					_ = c.Len()
					_ = c.Stats()
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := c.Len(); n < 0 || n > keys {
		t.Fatalf("Len = %d, want 0..%d", n, keys)
	}
	st := c.Stats()
	if st.Hits+st.Misses == 0 || st.LoadErrors > st.Loads || st.RefreshErrors > st.Refreshes {
		t.Fatalf("inconsistent stats %+v", st)
	}
}

// TestClose_ConcurrentWithOps_ConcurrentSafe closes the cache while other
// goroutines use it: every call returns, with a value or ErrClosed.
func TestClose_ConcurrentWithOps_ConcurrentSafe(t *testing.T) {
	c, err := cache.New(func(ctx context.Context, k string) (string, error) {
		runtime.Gosched()
		return k, ctx.Err()
	}, cache.WithTTL(5*time.Millisecond), cache.WithRefresh(4*time.Millisecond), cache.WithErrorHandler(func(error, bool) {}))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var done sync.WaitGroup
	done.Add(6)
	for w := range 6 {
		wg.Go(func() {
			for i := range 300 {
				if i == 100 {
					done.Done()
				}
				k := strconv.Itoa((w + i) % 10)
				if _, err := c.Get(bg, k); err != nil && err != cache.ErrClosed { //nolint:errorlint // exact sentinel expected
					t.Errorf("Get = %v", err)
					return
				}
			}
		})
	}
	done.Wait() // every worker is a third of the way
	_ = c.Close()
	wg.Wait()
}

// TestTable_GrowWhileReading_ConcurrentSafe: readers Get keys that are
// always present while a writer inserts thousands of others (every shard's
// bucket array doubles several times, its chains relinked under the readers'
// feet) and invalidates some. No grow may lose a key, and a lock-free walk
// that misses a present key (possible, if rare, while a chain is relinked)
// must be checked again under the lock, never turned into a load: the loader,
// which fails, is never called, and every read returns its key's value.
func TestTable_GrowWhileReading_ConcurrentSafe(t *testing.T) {
	var loads atomic.Int64
	c := mustNew(t, func(_ context.Context, k string) (string, error) {
		loads.Add(1)
		return "", errBoom
	}, cache.WithTTL(time.Hour), cache.WithRefresh(0))
	const present = 64
	for i := range present {
		k := "p" + strconv.Itoa(i)
		c.Set(k, k)
	}
	var wg sync.WaitGroup
	var stop atomic.Bool
	errs := make(chan error, 4)
	for r := range 2 {
		wg.Go(func() {
			for i := r; !stop.Load(); i++ {
				k := "p" + strconv.Itoa(i%present)
				if v, err := c.Get(bg, k); err != nil || v != k {
					errs <- fmt.Errorf("Get(%s) = %q, %w", k, v, err)
					return
				}
				if !c.Contains(k) {
					errs <- fmt.Errorf("Contains(%s) = false", k)
					return
				}
			}
		})
	}
	for i := range 20000 {
		k := "w" + strconv.Itoa(i)
		c.Set(k, k)
		if i%3 == 0 {
			c.Invalidate("w" + strconv.Itoa(i/2))
		}
	}
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := loads.Load(); n != 0 {
		t.Fatalf("%d loads of keys that were present", n)
	}
}
