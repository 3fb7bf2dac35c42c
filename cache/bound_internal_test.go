package cache

import (
	"context"
	"math"
	"sync"
	"testing"
	"testing/synctest"
	"time"
	"unsafe"
)

// TestBound_EntrySizes: a size bound's entry of a string key is one 64-byte
// cache line, its policy node included (what docs/cache.md states), and a
// weighted bound's entry adds its weight and nothing else.
func TestBound_EntrySizes(t *testing.T) {
	if got := unsafe.Sizeof(boundedEntry[string, string]{}); got != 64 {
		t.Errorf("boundedEntry[string, string] is %d bytes, want 64", got)
	}
	if got := unsafe.Sizeof(boundedEntry[int, int]{}); got > 64 {
		t.Errorf("boundedEntry[int, int] is %d bytes, want at most 64", got)
	}
	if got, want := unsafe.Sizeof(weightedEntry[string, string]{}), unsafe.Sizeof(boundedEntry[string, string]{})+8; got != want {
		t.Errorf("weightedEntry[string, string] is %d bytes, want %d", got, want)
	}
}

// TestBound_Weights: entries of a size bound weigh 1 and carry no weight
// field; entries of a weighted bound keep theirs; a weight other than 1 in a
// size bound is a bug and panics.
func TestBound_Weights(t *testing.T) {
	sized, err := New(func(_ context.Context, k int) (int, error) { return k, nil }, WithMaxSize(10))
	if err != nil {
		t.Fatal(err)
	}
	defer sized.Close()
	weighted, err := New(func(_ context.Context, k int) (int, error) { return k, nil },
		WithMaxWeight(100, func(_, v int) int64 { return int64(v) }))
	if err != nil {
		t.Fatal(err)
	}
	defer weighted.Close()

	e := sized.newEntry(1, sized.hash(1))
	if e.flags.Load()&flagWeighted != 0 || e.weight() != 1 {
		t.Fatalf("size-bound entry: weighted flag %v, weight %d", e.flags.Load()&flagWeighted != 0, e.weight())
	}
	e.setWeight(1)
	func() {
		defer func() {
			if recover() == nil {
				t.Error("setWeight(5) on a size-bound entry did not panic")
			}
		}()
		e.setWeight(5)
	}()

	w := weighted.newEntry(1, weighted.hash(1))
	if w.flags.Load()&flagWeighted == 0 {
		t.Fatal("weighted-bound entry lacks flagWeighted")
	}
	w.setWeight(42)
	if w.weight() != 42 {
		t.Fatalf("weighted entry weight %d, want 42", w.weight())
	}
	// Through the cache: a stored value's weight is what the policy holds.
	weighted.Set(7, 7)
	weighted.Set(30, 30)
	weighted.bound.mu.Lock()
	weighted.drain() // unlocks
	weighted.bound.mu.Lock()
	got := weighted.bound.policy.weight()
	weighted.bound.mu.Unlock()
	if got != 37 {
		t.Fatalf("policy weight %d after values 7 and 30, want 37", got)
	}
}

// TestBound_LoopFeedsHits: hits with no write after them (no drain of a
// writer) reach the policy through the cache's own goroutine, woken by a
// ring's half turn, within maxDrainDelay; a full ring drops hits.
func TestBound_LoopFeedsHits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, err := New(func(_ context.Context, k int) (int, error) { return k, nil }, WithMaxSize(1000))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		ctx := context.Background()
		for k := range 10 {
			if _, err := c.Get(ctx, k); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(drainDelay) // the loop drains the adds, left below a batch
		synctest.Wait()
		h := keyHash(c.hash(1))
		c.bound.mu.Lock()
		before := c.bound.policy.frequency(h)
		c.bound.mu.Unlock()
		for range 2 * readSlots {
			if _, err := c.Get(ctx, 1); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(maxDrainDelay) // hits alone wait for the loop this long
		synctest.Wait()
		c.bound.mu.Lock()
		defer c.bound.mu.Unlock()
		for i := range c.bound.stripes {
			st := &c.bound.stripes[i]
			if n := st.n.Load(); st.drained.Load() != n {
				t.Fatalf("stripe %d: %d hits recorded, %d drained", i, n, st.drained.Load())
			}
		}
		if f := c.bound.policy.frequency(h); f != 15 || before >= 15 {
			t.Fatalf("frequency of a key read %d times: %d (before: %d), want the saturated 15", 2*readSlots, f, before)
		}
	})
}

// TestStripeHint: one goroutine keeps its stripe; goroutines alive at once
// spread over the stripes.
func TestStripeHint(t *testing.T) {
	if a, b := stripeHint(), stripeHint(); a != b {
		t.Fatalf("one goroutine got stripes %d and %d", a, b)
	}
	const n = 64
	var (
		wg, started sync.WaitGroup
		mu          sync.Mutex
		seen        = map[uint32]bool{}
		release     = make(chan struct{})
	)
	started.Add(n)
	for range n {
		wg.Go(func() {
			started.Done()
			<-release // every goroutine alive at once: no stack is reused
			h := stripeHint() & (n - 1)
			mu.Lock()
			seen[h] = true
			mu.Unlock()
		})
	}
	started.Wait()
	close(release)
	wg.Wait()
	if len(seen) < n/4 {
		t.Fatalf("%d goroutines alive at once picked %d of %d stripes", n, len(seen), n)
	}
}

// TestPolicy_SharesOfHugeBounds: the window's and the protected queue's
// shares are computed without overflow for any bound (max*80 wraps above
// math.MaxInt64/80).
func TestPolicy_SharesOfHugeBounds(t *testing.T) {
	for _, max := range []int64{math.MaxInt64, maxBoundWeight, 1 << 60, 100, 1} {
		p := newPolicy[*entry[string, int]](max)
		if p.windowMax < 1 || p.protectedMax < 0 || p.windowMax+p.protectedMax > max {
			t.Errorf("max %d: windowMax %d, protectedMax %d", max, p.windowMax, p.protectedMax)
		}
		if max >= 100 && p.protectedMax < percentOf(max, 79) {
			t.Errorf("max %d: protectedMax %d, want about 80%% of the main space", max, p.protectedMax)
		}
	}
}

// TestWakeOnce_CallbackWithNoLock: the loop calls the removal callback for
// an expiry with none of its locks held, pendMu included.
func TestWakeOnce_CallbackWithNoLock(t *testing.T) {
	var c *Cache[string, string]
	held := make(chan bool, 1)
	c, err := New(func(_ context.Context, k string) (string, error) { return "v", nil },
		WithTTL(20*time.Millisecond), WithRefresh(0),
		WithOnRemoval(func(k, v string, cause RemovalCause) {
			free := c.pendMu.TryLock()
			if free {
				c.pendMu.Unlock()
			}
			select {
			case held <- !free:
			default:
			}
		}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Set("k", "v")
	select {
	case h := <-held:
		if h {
			t.Fatal("the expiry callback ran with pendMu held")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no expiry callback")
	}
}
