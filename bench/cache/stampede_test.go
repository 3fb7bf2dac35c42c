package cachebench_test

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
)

// BenchmarkMissStampede starts N concurrent gets of one missing key (10,000;
// 100 under -short) per iteration, a new key each time, with a loader that
// waits until every getter has started. It reports loader calls per
// iteration ("loads/op"): 1 means one load served the whole stampede.
func BenchmarkMissStampede(b *testing.B) {
	n := 10_000
	if testing.Short() {
		n = 100
	}
	for _, im := range impls() {
		b.Run("impl="+im.name, func(b *testing.B) {
			var calls atomic.Int64
			var started sync.WaitGroup
			g := im.make(b, func(_ context.Context, k string) (string, error) {
				calls.Add(1)
				started.Wait()
				return "v" + k, nil
			})
			defer g.close()
			ctx := context.Background()
			b.ReportAllocs()
			iter := 0
			for b.Loop() {
				key := "stampede-" + strconv.Itoa(iter)
				iter++
				started.Add(n)
				var wg sync.WaitGroup
				for range n {
					wg.Go(func() {
						started.Done()
						if _, err := g.get(ctx, key); err != nil {
							b.Error(err)
						}
					})
				}
				wg.Wait()
			}
			b.ReportMetric(float64(calls.Load())/float64(iter), "loads/op")
		})
	}
}
