package cache

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

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
