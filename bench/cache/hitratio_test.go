package cachebench_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/golang-lru/arc/v2"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/maypok86/otter/v2"

	"github.com/asyncutils-go/asyncutils/cache"
)

// BenchmarkHitRatio replays access traces through each bounded cache, all at
// the same capacity, and reports the hit ratio as the metric hit%: a miss is
// a call of the loader (through Get with a loader where the cache has one;
// for the two hashicorp caches, Get, then the loader and Add on a miss).
// Time per op is the time of one whole replay and means little; run it with
// -benchtime 1x:
//
//	go test -run '^$' -bench HitRatio -benchtime 1x ./cache/
//
// Traces (hitratio_traces_test.go): zipf (otter's Zipf stream), mix (a hot
// set between one-off scans), gli and loop (the LIRS traces in testdata).
// Under -short every trace is cut to its first 20,000 requests and replayed
// at its smallest capacity only, as a smoke test.
func BenchmarkHitRatio(b *testing.B) {
	for _, tr := range hitTraces() {
		capacities := tr.capacities
		if testing.Short() {
			capacities = capacities[:1]
		}
		b.Run("trace="+tr.name, func(b *testing.B) {
			keys := tr.keys()
			if testing.Short() {
				keys = keys[:min(len(keys), 20_000)]
			}
			for _, c := range capacities {
				b.Run(fmt.Sprintf("capacity=%d", c), func(b *testing.B) {
					for _, im := range boundedImpls() {
						b.Run("impl="+im.name, func(b *testing.B) {
							var ratio float64
							for b.Loop() {
								ratio = replay(b, im, c, keys)
							}
							b.ReportMetric(100*ratio, "hit%")
						})
					}
				})
			}
		})
	}
}

// replay runs keys through a new cache of the given capacity and returns its
// hit ratio: one minus the loader calls per request.
func replay(b *testing.B, im boundedImpl, capacity int, keys []uint64) float64 {
	loads := 0
	load := func(_ context.Context, k uint64) (uint64, error) {
		loads++
		return k, nil
	}
	get, closeFn := im.make(b, capacity, load)
	defer closeFn()
	ctx := context.Background()
	for _, k := range keys {
		if v, err := get(ctx, k); err != nil || v != k {
			b.Fatalf("%s: get(%d) = %d, %v", im.name, k, v, err)
		}
	}
	return 1 - float64(loads)/float64(len(keys))
}

type loadFunc = func(context.Context, uint64) (uint64, error)

// boundedImpl builds one cache bounded to capacity entries with the given
// loader, and returns its get and a function that releases it.
type boundedImpl struct {
	name string
	make func(tb testing.TB, capacity int, load loadFunc) (get loadFunc, closeFn func())
}

// hitTTL is long enough that nothing expires during a replay: only the
// bound evicts.
const hitTTL = 24 * time.Hour

func boundedImpls() []boundedImpl {
	return []boundedImpl{
		{"asyncutils", func(tb testing.TB, capacity int, load loadFunc) (loadFunc, func()) {
			c, err := cache.New[uint64, uint64](load, cache.WithMaxSize(capacity), cache.WithTTL(hitTTL))
			if err != nil {
				tb.Fatal(err)
			}
			return c.Get, func() { _ = c.Close() }
		}},
		{"otter", func(_ testing.TB, capacity int, load loadFunc) (loadFunc, func()) {
			c := otter.Must(&otter.Options[uint64, uint64]{
				MaximumSize:      capacity,
				ExpiryCalculator: otter.ExpiryWriting[uint64, uint64](hitTTL),
			})
			loader := otter.LoaderFunc[uint64, uint64](load)
			get := func(ctx context.Context, k uint64) (uint64, error) { return c.Get(ctx, k, loader) }
			return get, func() { c.StopAllGoroutines() }
		}},
		{"lru", func(tb testing.TB, capacity int, load loadFunc) (loadFunc, func()) {
			c, err := lru.New[uint64, uint64](capacity)
			if err != nil {
				tb.Fatal(err)
			}
			return readThrough(c.Get, func(k, v uint64) { c.Add(k, v) }, load), func() {}
		}},
		{"arc", func(tb testing.TB, capacity int, load loadFunc) (loadFunc, func()) {
			c, err := arc.NewARC[uint64, uint64](capacity)
			if err != nil {
				tb.Fatal(err)
			}
			return readThrough(c.Get, c.Add, load), func() {}
		}},
	}
}

// readThrough makes a loading get of a cache that has none: on a miss, it
// loads and adds.
func readThrough(get func(uint64) (uint64, bool), add func(k, v uint64), load loadFunc) loadFunc {
	return func(ctx context.Context, k uint64) (uint64, error) {
		if v, ok := get(k); ok {
			return v, nil
		}
		v, err := load(ctx, k)
		if err == nil {
			add(k, v)
		}
		return v, err
	}
}
