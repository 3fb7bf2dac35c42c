package cache_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/asyncutils-go/asyncutils/cache"
)

// removalLog records the removal callback's calls as "key=value:cause".
type removalLog struct {
	mu  sync.Mutex
	got []string
}

func (r *removalLog) add(k, v string, cause cache.RemovalCause) {
	r.mu.Lock()
	r.got = append(r.got, fmt.Sprintf("%s=%s:%v", k, v, cause))
	r.mu.Unlock()
}

func (r *removalLog) list() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

// TestOnRemoval_LoadReplacesValue: a value a load replaces leaves the cache
// and the callback hears of it: expired when it was past its TTL (and
// Stats.Expirations counts it), replaced when a reload replaced a live one.
func TestOnRemoval_LoadReplacesValue(t *testing.T) {
	t.Run("expired", func(t *testing.T) {
		mock := clock.NewMock()
		var log removalLog
		c, err := cache.New(func(_ context.Context, k string) (string, error) { return k + "-loaded", nil },
			cache.WithClock(mock), cache.WithTTL(time.Second), cache.WithRefresh(0), cache.WithOnRemoval(log.add))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.Set("b", "b-set")
		// Past its TTL; a Get reloads it, whether or not the loop removed it
		// first: either way b-set leaves, expired, once.
		mock.Add(2 * time.Second)
		if v, err := c.Get(bg, "b"); err != nil || v != "b-loaded" {
			t.Fatalf("Get(b) = %q, %v", v, err)
		}
		waitFor(t, func() bool { return len(log.list()) > 0 })
		if got := log.list(); !slices.Equal(got, []string{"b=b-set:expired"}) || c.Stats().Expirations != 1 {
			t.Fatalf("callbacks %v, stats %+v; want b-set expired, once", got, c.Stats())
		}
	})
	t.Run("reloaded", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var n atomic.Int64
			var log removalLog
			c, err := cache.New(func(_ context.Context, k string) (string, error) {
				return fmt.Sprintf("%s#%d", k, n.Add(1)), nil
			}, cache.WithTTL(10*time.Second), cache.WithRefresh(5*time.Second), cache.WithMaxSize(100),
				cache.WithOnRemoval(log.add))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			mustGet(t, c, "k", "k#1")
			time.Sleep(6 * time.Second) // in the refresh window
			mustGet(t, c, "k", "k#1")   // served, and reloaded in the background
			time.Sleep(time.Millisecond)
			synctest.Wait()
			if v, _ := c.Peek("k"); v != "k#2" {
				t.Fatalf("Peek = %q, want the reloaded k#2", v)
			}
			if got := log.list(); !slices.Equal(got, []string{"k=k#1:replaced"}) {
				t.Fatalf("callbacks %v, want k#1 replaced by the reload", got)
			}
		})
	})
}

// TestOnRemoval_NotFoundAnswers: a cached "not found" (WithNegativeTTL) holds
// no value, so the callback never hears of one, whatever removes it; Stats
// still counts it, since it held a share of the bound.
func TestOnRemoval_NotFoundAnswers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var log removalLog
		notFound := func(_ context.Context, k string) (string, error) { return "", cache.ErrNotFound }
		c, err := cache.New(notFound, cache.WithMaxSize(2), cache.WithNegativeTTL(time.Hour),
			cache.WithTTL(2*time.Hour), cache.WithOnRemoval(log.add))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		for _, k := range []string{"replaced", "invalidated", "cleared", "evicted"} {
			if _, err := c.Get(bg, k); !errors.Is(err, cache.ErrNotFound) {
				t.Fatal(err)
			}
		}
		time.Sleep(time.Millisecond) // the loop drains: 4 answers in a bound of 2
		synctest.Wait()
		evictions := c.Stats().Evictions
		if evictions == 0 {
			t.Fatalf("no answer evicted from a bound of 2: %+v", c.Stats())
		}
		c.Set("replaced", "real value")
		c.Invalidate("invalidated")
		c.Set("real", "kept")
		c.Invalidate("real") // a value: reported
		c.Clear()
		if _, err := c.Get(bg, "expires"); !errors.Is(err, cache.ErrNotFound) {
			t.Fatal(err)
		}
		time.Sleep(90 * time.Minute) // past the negative TTL
		synctest.Wait()
		want := []string{"real=kept:invalidated", "replaced=real value:cleared"}
		if got := log.list(); !slices.Equal(got, want) {
			t.Fatalf("callbacks %v, want only the values %v", got, want)
		}
		if st := c.Stats(); st.Expirations != 1 || st.Evictions != evictions {
			t.Fatalf("stats %+v: the expired answer is counted, nothing else evicted", st)
		}
	})
}

// TestBound_EvictedWeightAgreesWithCallbacks: an entry evicted while the
// update of its new, heavier value is still queued is handed to the
// callback with that new value, and Stats.EvictedWeight counts the weight
// of the value handed over.
func TestBound_EvictedWeightAgreesWithCallbacks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		weigh := func(_ string, v string) int64 { return int64(len(v)) }
		var log removalLog
		var cbWeight atomic.Int64
		c, err := cache.New(func(_ context.Context, k string) (string, error) { return "x", nil },
			cache.WithMaxWeight(10, weigh),
			cache.WithOnRemoval(func(k, v string, cause cache.RemovalCause) {
				if cause == cache.CauseEvicted {
					cbWeight.Add(weigh(k, v))
					log.add(k, v, cause)
				}
			}))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.Set("b1", "x") // never read: the least frequent
		for i := 2; i <= 10; i++ {
			mustGet(t, c, fmt.Sprint("b", i), "x")
		}
		time.Sleep(50 * time.Millisecond)
		synctest.Wait()
		mustGet(t, c, "n", "x") // its add evicts b1
		c.Set("b1", "xxxxx")    // b1's new value; its update is queued after n's add
		time.Sleep(50 * time.Millisecond)
		synctest.Wait()
		st := c.Stats()
		if got := log.list(); len(got) == 0 || int64(st.EvictedWeight) != cbWeight.Load() || int64(st.Evictions) != int64(len(got)) {
			t.Fatalf("evictions %v weigh %d; Stats %+v", got, cbWeight.Load(), st)
		}
	})
}

// TestBound_QuietDrainAfterBurst: after a burst of writes has been drained,
// a single write in a quiet cache is drained drainDelay (0.1 ms) after it,
// not after the 20 ms meant for hits. The wake-ups the burst left behind
// are stale; taken for a hit's, they made the next write wait 20 ms.
func TestBound_QuietDrainAfterBurst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := mustNew(t, newCounting().load, cache.WithMaxSize(3))
		for round := range 5 {
			for i := range 5 {
				c.Set(fmt.Sprint(round, "burst", i), "v")
			}
			time.Sleep(time.Millisecond)
			synctest.Wait()
			if n := c.Len(); n > 3 {
				t.Fatalf("round %d: Len %d 1 ms after the burst", round, n)
			}
			time.Sleep(3 * time.Millisecond) // quiet
			c.Set(fmt.Sprint(round, "single"), "v")
			time.Sleep(time.Millisecond)
			synctest.Wait()
			if n := c.Len(); n > 3 {
				t.Fatalf("round %d: Len %d 1 ms after a single write in a quiet cache, want the drain 0.1 ms after it", round, n)
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}

// TestBound_WeightSumsDoNotOverflow: weights near math.MaxInt64 cannot wrap
// the policy's sums and switch eviction off.
func TestBound_WeightSumsDoNotOverflow(t *testing.T) {
	for name, tc := range map[string]struct{ max, each int64 }{
		"each weighs the bound":            {1 << 62, 1 << 62},
		"MaxInt64 bound, two exceed it":    {math.MaxInt64, math.MaxInt64/2 + 1},
		"each weighs MaxInt64":             {1 << 40, math.MaxInt64},
		"MaxInt64 bound, MaxInt64 weights": {math.MaxInt64, math.MaxInt64},
	} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c, err := cache.New[string, int](nil, cache.WithMaxWeight(tc.max, func(string, int) int64 { return tc.each }))
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				for i := range 20 {
					c.Set(fmt.Sprint(i), i)
				}
				time.Sleep(50 * time.Millisecond)
				synctest.Wait()
				st := c.Stats()
				if n := c.Len(); n > 1 || st.Evictions < 19 {
					t.Fatalf("Len = %d, %+v: at most one entry of weight %d fits a bound of %d", n, st, tc.each, tc.max)
				}
				if st.EvictedWeight < uint64(tc.each) {
					t.Fatalf("EvictedWeight %d, want it saturated or summed", st.EvictedWeight)
				}
			})
		})
	}
}

func panickyWeigher(k, _ string) int64 {
	if k == "bad" {
		panic("weigher bug")
	}
	return 1
}

// TestBound_WeigherPanic: a weigher that panics on a loaded value fails that
// load, with the panic as its error, whether the load runs on the caller's
// goroutine or the cache's; the key is not left with a load that never
// ends, and other keys go on. In Set, the panic reaches Set's caller and
// nothing is stored.
func TestBound_WeigherPanic(t *testing.T) {
	c, err := cache.New(func(_ context.Context, k string) (string, error) { return "v", nil },
		cache.WithMaxWeight(100, panickyWeigher), cache.WithLogger(discardLogger()))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(bg, 10*time.Second)
	defer cancel()
	for _, gctx := range []context.Context{bg, ctx, bg, ctx} {
		_, err := c.Get(gctx, "bad")
		var pe *cache.PanicError
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), "cache: weigher") {
			t.Fatalf("Get = %v, want the weigher's panic as the load's error", err)
		}
	}
	mustGet(t, c, "good", "v")
	func() {
		defer func() {
			if r := recover(); r == nil {
				t.Error("Set with a panicking weigher returned")
			}
		}()
		c.Set("bad", "v")
	}()
	if c.Contains("bad") || c.Len() != 1 {
		t.Fatalf("Contains(bad) = %v, Len = %d", c.Contains("bad"), c.Len())
	}
}

// TestBound_GetManySlack: GetMany with a single-key loader runs up to
// WithMaxConcurrentRefreshes loads per call on the cache's goroutines, each
// one more write in progress: the bound's slack counts them.
func TestBound_GetManySlack(t *testing.T) {
	const bound, callers, perCall = 1000, 4, 16
	c, err := cache.New(func(_ context.Context, k int) (int, error) { return k, nil }, cache.WithMaxSize(bound))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	var wg sync.WaitGroup
	var worst atomic.Int64
	for w := range callers {
		wg.Go(func() {
			keys := make([]int, 64)
			for i := range 300 {
				for j := range keys {
					keys[j] = w<<24 | i*64 + j
				}
				if _, err := c.GetMany(ctx, keys); err != nil {
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
	if w := worst.Load(); w > bound+128+callers*perCall {
		t.Fatalf("Len reached %d, over the bound %d plus its slack %d", w, bound, 128+callers*perCall)
	}
	waitFor(t, func() bool { return c.Len() <= bound })
}

// TestNew_NamesEveryProblem: a bad bound is named with the other options'
// problems, and a bad WithMaxWeight is named as such.
func TestNew_NamesEveryProblem(t *testing.T) {
	_, err := cache.New[string, string](nil, cache.WithNegativeTTL(-1), cache.WithMaxSize(0))
	if !errors.Is(err, cache.ErrInvalidConfig) || !strings.Contains(err.Error(), "negative TTL") || !strings.Contains(err.Error(), "max size is 0") {
		t.Fatalf("err = %v, want both problems", err)
	}
	_, err = cache.New[string, string](nil, cache.WithMaxWeight[string, string](0, nil))
	if !errors.Is(err, cache.ErrInvalidConfig) || !strings.Contains(err.Error(), "max weight is 0") {
		t.Fatalf("err = %v, want the max weight named", err)
	}
}

// waitFor polls cond for up to five seconds: for what the cache's own
// goroutines finish after the call that started it returned.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for i := 0; !cond(); i++ {
		if i == 5000 {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(time.Millisecond)
	}
}
