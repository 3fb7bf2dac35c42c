package cachebench_test

import (
	"context"
	"math/rand/v2"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/maypok86/otter/v2"
	ostats "github.com/maypok86/otter/v2/stats"

	"github.com/asyncutils-go/asyncutils/cache"
)

// The bounded scenarios: both caches with a size bound (ours WithMaxSize,
// otter MaximumSize), a TTL of an hour and a refresh window of 15 minutes.

// boundedCache is what the bounded scenarios need of a cache.
type boundedCache interface {
	get(ctx context.Context, key string) (string, error)
	set(key, value string)
	len() int
	close()
}

type sizedImpl struct {
	name string
	make func(size int, load func(context.Context, string) (string, error)) boundedCache
}

func sizedImpls() []sizedImpl {
	return []sizedImpl{
		{"asyncutils", func(size int, load func(context.Context, string) (string, error)) boundedCache {
			c, err := cache.New(load, cache.WithTTL(ttl), cache.WithRefresh(refresh), cache.WithMaxSize(size))
			if err != nil {
				panic(err)
			}
			return oursBounded{c}
		}},
		{"otter", func(size int, load func(context.Context, string) (string, error)) boundedCache {
			return otterBounded{otter.Must(&otter.Options[string, string]{
				MaximumSize:       size,
				ExpiryCalculator:  otter.ExpiryWriting[string, string](ttl),
				RefreshCalculator: otter.RefreshWriting[string, string](ttl - refresh),
			}), otter.LoaderFunc[string, string](load)}
		}},
	}
}

// otterWithStats is otter bounded as in sizedImpls, with its stats
// counter on: otter counts hits only when asked, our cache always does
// (Stats), so this is the like-for-like peer of a hit.
func otterWithStats() sizedImpl {
	return sizedImpl{"otter+stats", func(size int, load func(context.Context, string) (string, error)) boundedCache {
		return otterBounded{otter.Must(&otter.Options[string, string]{
			MaximumSize:       size,
			ExpiryCalculator:  otter.ExpiryWriting[string, string](ttl),
			RefreshCalculator: otter.RefreshWriting[string, string](ttl - refresh),
			StatsRecorder:     ostats.NewCounter(),
		}), otter.LoaderFunc[string, string](load)}
	}}
}

type oursBounded struct{ c *cache.Cache[string, string] }

func (o oursBounded) get(ctx context.Context, k string) (string, error) { return o.c.Get(ctx, k) }
func (o oursBounded) set(k, v string)                                   { o.c.Set(k, v) }
func (o oursBounded) len() int                                          { return o.c.Len() }
func (o oursBounded) close()                                            { _ = o.c.Close() }

type otterBounded struct {
	c *otter.Cache[string, string]
	l otter.Loader[string, string]
}

func (o otterBounded) get(ctx context.Context, k string) (string, error) { return o.c.Get(ctx, k, o.l) }
func (o otterBounded) set(k, v string)                                   { o.c.Set(k, v) }
func (o otterBounded) len() int                                          { return o.c.EstimatedSize() }
func (o otterBounded) close()                                            { o.c.StopAllGoroutines() }

// BenchmarkBoundedHitParallel reads 16k present keys of a cache bounded to
// 64k entries from GOMAXPROCS goroutines.
func BenchmarkBoundedHitParallel(b *testing.B) {
	keys := makeKeys(hitKeys)
	for _, im := range append(sizedImpls(), otterWithStats()) {
		b.Run("impl="+im.name, func(b *testing.B) {
			c := im.make(4*hitKeys, loadValue)
			defer c.close()
			ctx := context.Background()
			for _, k := range keys {
				if _, err := c.get(ctx, k); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				i := rand.IntN(hitKeys)
				for pb.Next() {
					if _, err := c.get(ctx, keys[i&(hitKeys-1)]); err != nil {
						b.Error(err)
						return
					}
					i++
				}
			})
		})
	}
}

// BenchmarkBoundedSetParallel replaces and inserts keys of a 1M key space
// in a cache bounded to 100k entries (most Sets insert and evict), from
// GOMAXPROCS goroutines.
func BenchmarkBoundedSetParallel(b *testing.B) {
	const space, size = 1 << 20, 100_000
	keys := makeKeys(space)
	for _, im := range sizedImpls() {
		b.Run("impl="+im.name, func(b *testing.B) {
			c := im.make(size, loadValue)
			defer c.close()
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				r := rand.New(rand.NewPCG(rand.Uint64(), 1))
				for pb.Next() {
					k := keys[r.IntN(space)]
					c.set(k, k)
				}
			})
		})
	}
}

// BenchmarkBoundedZipfMixed is a read-mostly workload over a Zipf key
// distribution (s=1.01 over 1M keys) in a cache bounded to 100k: 9 Gets
// (a miss loads) for 1 Set, from GOMAXPROCS goroutines.
func BenchmarkBoundedZipfMixed(b *testing.B) {
	const space, size = 1 << 20, 100_000
	keys := makeKeys(space)
	for _, im := range sizedImpls() {
		b.Run("impl="+im.name, func(b *testing.B) {
			var loads atomic.Int64
			c := im.make(size, func(ctx context.Context, k string) (string, error) {
				loads.Add(1)
				return loadValue(ctx, k)
			})
			defer c.close()
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				r := rand.New(rand.NewPCG(rand.Uint64(), 3))
				z := rand.NewZipf(r, 1.01, 1, space-1)
				i := 0
				for pb.Next() {
					k := keys[z.Uint64()]
					if i%10 == 9 {
						c.set(k, k)
					} else if _, err := c.get(ctx, k); err != nil {
						b.Error(err)
						return
					}
					i++
				}
			})
			b.ReportMetric(float64(loads.Load())/float64(b.N), "loads/op")
		})
	}
}

// BenchmarkBoundedBytesPerEntry fills a cache bounded to 1,000,000 entries
// (10,000 under -short) with as many keys and reports the live heap per
// entry, as BenchmarkBytesPerEntry does for unbounded caches.
func BenchmarkBoundedBytesPerEntry(b *testing.B) {
	n := 1_000_000
	if testing.Short() {
		n = 10_000
	}
	keys := make([]string, n)
	for i := range keys {
		keys[i] = "key-" + strconv.Itoa(i)
	}
	for _, im := range sizedImpls() {
		b.Run("impl="+im.name, func(b *testing.B) {
			b.ReportAllocs()
			var perEntry float64
			for b.Loop() {
				before := heapAlloc()
				c := im.make(n, loadValue)
				ctx := context.Background()
				for _, k := range keys {
					if _, err := c.get(ctx, k); err != nil {
						b.Fatal(err)
					}
				}
				after := heapAlloc()
				perEntry = float64(after-before) / float64(n)
				runtime.KeepAlive(c)
				c.close()
			}
			b.ReportMetric(perEntry, "B/entry")
		})
	}
}

// BenchmarkBoundedFlood sends a flood of distinct keys through Get (each a
// miss and a load) into a cache bounded to 100,000 entries: 10,000,000 keys
// (100,000 into 10,000 under -short). It reports the live heap after a
// tenth of the flood (MB-at-tenth: at 1M keys) and after all of it
// (MB-at-end: at 10M keys), the
// largest entry count seen, sampled every 1,000 keys (max-len), and the
// live heap at the end per entry of the bound (B/entry): a heap that does
// not grow with the flood's length shows as MB-at-end close to MB-at-tenth.
func BenchmarkBoundedFlood(b *testing.B) {
	n, size := 10_000_000, 100_000
	if testing.Short() {
		n, size = 100_000, 10_000
	}
	keys := func(from, to int, yield func(string)) {
		for i := from; i < to; i++ {
			yield("flood-" + strconv.Itoa(i))
		}
	}
	for _, im := range sizedImpls() {
		b.Run("impl="+im.name, func(b *testing.B) {
			var atTenth, atEnd, maxLen float64
			for b.Loop() {
				base := heapAlloc()
				c := im.make(size, loadValue)
				ctx := context.Background()
				count := 0
				get := func(k string) {
					if _, err := c.get(ctx, k); err != nil {
						b.Fatal(err)
					}
					if count++; count%1000 == 0 {
						maxLen = max(maxLen, float64(c.len()))
					}
				}
				keys(0, n/10, get)
				atTenth = float64(heapAlloc()-base) / 1e6
				keys(n/10, n, get)
				atEnd = float64(heapAlloc()-base) / 1e6
				maxLen = max(maxLen, float64(c.len()))
				runtime.KeepAlive(c)
				c.close()
			}
			b.ReportMetric(atTenth, "MB-at-tenth")
			b.ReportMetric(atEnd, "MB-at-end")
			b.ReportMetric(maxLen, "max-len")
			b.ReportMetric(atEnd*1e6/float64(size), "B/entry")
		})
	}
}
