package cache_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asyncutils-go/asyncutils/cache"
)

// TestBulk_OtherCacheLoaderKeepsBound: two tiers, cache A's loader reads
// bulk cache B. No loader of B holds a slot of B, so there is no deadlock to
// avoid, and B's WithMaxConcurrentRefreshes(1) still bounds its bulk calls
// (a first version let any waiting load open a batch's gate).
func TestBulk_OtherCacheLoaderKeepsBound(t *testing.T) {
	var running, peak atomic.Int32
	b, err := cache.NewBulk(func(ctx context.Context, keys []string) (map[string]string, error) {
		n := running.Add(1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		time.Sleep(20 * time.Millisecond)
		running.Add(-1)
		m := map[string]string{}
		for _, k := range keys {
			m[k] = "b:" + k
		}
		return m, nil
	}, cache.WithBatch(1, 0), cache.WithMaxConcurrentRefreshes(1))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	a, err := cache.New(func(ctx context.Context, k string) (string, error) {
		return b.Get(ctx, k)
	})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() { _, _ = a.Get(context.Background(), fmt.Sprint("k", i)) })
	}
	wg.Wait()
	t.Logf("peak concurrent bulk calls of B: %d (bound 1)", peak.Load())
	if peak.Load() > 1 {
		t.Errorf("B's bound of 1 bulk call was passed: %d at once, none of them waited for by a call of B", peak.Load())
	}
}
