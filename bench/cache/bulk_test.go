package cachebench_test

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/maypok86/otter/v2"

	"github.com/asyncutils-go/asyncutils/cache"
)

// bulkValues is the bulk loader of the bulk scenarios: every key exists.
func bulkValues(_ context.Context, keys []string) (map[string]string, error) {
	m := make(map[string]string, len(keys))
	for _, k := range keys {
		m[k] = "v" + k
	}
	return m, nil
}

// BenchmarkGetMany gets 1,000 keys at once, all missing: ours with a bulk
// loader (GetMany: batches of 100 keys, sent at once), otter's BulkGet with
// a bulk loader (one call for all). Each cache is rebuilt off the clock
// every iteration, so that every key misses.
func BenchmarkGetMany(b *testing.B) {
	const n = 1000
	keys := make([]string, n)
	for i := range keys {
		keys[i] = "bulk-" + strconv.Itoa(i)
	}
	ctx := context.Background()
	b.Run("impl=asyncutils", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			c, err := cache.NewBulk(bulkValues, cache.WithTTL(ttl), cache.WithRefresh(refresh))
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			m, err := c.GetMany(ctx, keys)
			if err != nil || len(m) != n {
				b.Fatalf("GetMany: %d values, %v", len(m), err)
			}
			b.StopTimer()
			_ = c.Close()
			b.StartTimer()
		}
	})
	b.Run("impl=otter", func(b *testing.B) {
		loader := otter.BulkLoaderFunc[string, string](bulkValues)
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			c := otter.Must(&otter.Options[string, string]{
				ExpiryCalculator:  otter.ExpiryWriting[string, string](ttl),
				RefreshCalculator: otter.RefreshWriting[string, string](ttl - refresh),
			})
			b.StartTimer()
			m, err := c.BulkGet(ctx, keys, loader)
			if err != nil || len(m) != n {
				b.Fatalf("BulkGet: %d values, %v", len(m), err)
			}
			b.StopTimer()
			c.StopAllGoroutines()
			b.StartTimer()
		}
	})
}

// BenchmarkBulkRefresh refreshes 10,000 entries that come due together:
// ours with a bulk loader and batches of 100, against ours with a
// single-key loader (one call per key). The headline metric calls/refresh
// is the upstream calls per refreshed entry (0.01 is one call per 100
// keys); ms-to-refresh-all is the time from when the first entry may be
// reloaded until all 10,000 are. An op includes waiting for the entries to
// come due (TTL 400ms, refresh window 200ms), so ns/op is mostly that wait.
func BenchmarkBulkRefresh(b *testing.B) {
	const n = 10_000
	keys := make([]string, n)
	for i := range keys {
		keys[i] = "due-" + strconv.Itoa(i)
	}
	const bttl, brefresh = 400 * time.Millisecond, 200 * time.Millisecond
	run := func(b *testing.B, bulk bool) {
		var calls atomic.Int64
		opts := []cache.Option{cache.WithTTL(bttl), cache.WithRefresh(brefresh),
			cache.WithKeepWarm(), cache.WithMaxConcurrentRefreshes(64)}
		var c *cache.Cache[string, string]
		var err error
		if bulk {
			c, err = cache.NewBulk(func(ctx context.Context, ks []string) (map[string]string, error) {
				calls.Add(1)
				return bulkValues(ctx, ks)
			}, append(opts, cache.WithBatch(100, time.Millisecond))...)
		} else {
			c, err = cache.New(func(_ context.Context, k string) (string, error) {
				calls.Add(1)
				return "v" + k, nil
			}, opts...)
		}
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		loaded := time.Now()
		if _, err := c.GetMany(context.Background(), keys); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		var allMs float64
		rounds := 0
		for b.Loop() {
			before, start := c.Stats().Refreshes, calls.Load()
			// The earliest an entry may be reloaded: a quarter of the window
			// before it is due for a bulk cache, an eighth otherwise.
			firstDue := loaded.Add(bttl - brefresh - brefresh/4)
			for c.Stats().Refreshes < before+n {
				time.Sleep(100 * time.Microsecond)
			}
			loaded = time.Now()
			allMs += float64(loaded.Sub(firstDue).Microseconds()) / 1000
			rounds++
			b.ReportMetric(float64(calls.Load()-start)/float64(n), "calls/refresh")
		}
		b.ReportMetric(allMs/float64(rounds), "ms-to-refresh-all")
	}
	b.Run("impl=asyncutils", func(b *testing.B) { run(b, true) })
	b.Run("impl=single-key", func(b *testing.B) { run(b, false) })
}
