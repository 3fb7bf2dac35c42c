package cachebench_test

import (
	"context"
	"runtime"
	"testing"
)

// BenchmarkBytesPerEntry fills each cache with 1,000,000 keys (10,000 under
// -short) through its loader and reports the growth of the live heap per
// entry ("B/entry"), measured after a GC with the cache still reachable. Keys
// are built before the measurement and every value is the same string, so
// that the figure is the cache's own overhead per entry.
func BenchmarkBytesPerEntry(b *testing.B) {
	n := 1_000_000
	if testing.Short() {
		n = 10_000
	}
	keys := makeKeys(n)
	constant := func(context.Context, string) (string, error) { return "value", nil }
	for _, im := range impls() {
		b.Run("impl="+im.name, func(b *testing.B) {
			b.ReportAllocs()
			var perEntry float64
			for b.Loop() {
				before := heapAlloc()
				g := im.make(b, constant)
				ctx := context.Background()
				for _, k := range keys {
					if _, err := g.get(ctx, k); err != nil {
						b.Fatal(err)
					}
				}
				after := heapAlloc()
				perEntry = float64(after-before) / float64(n)
				runtime.KeepAlive(g)
				g.close()
			}
			b.ReportMetric(perEntry, "B/entry")
		})
	}
}

func heapAlloc() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
