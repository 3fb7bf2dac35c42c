package gather_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/asyncutils-go/asyncutils/gather"
)

// BenchmarkAll reports the per-task cost of All with trivial tasks; the
// allocations per call do not grow with the number of tasks beyond the
// result slice. The comparisons with peers live in the bench module.
func BenchmarkAll(b *testing.B) {
	for _, size := range []int{1_000, 10_000} {
		b.Run(fmt.Sprintf("tasks=%d", size), func(b *testing.B) {
			tasks := make([]gather.Task[int], size)
			for i := range tasks {
				tasks[i] = func(context.Context) (int, error) { return i, nil }
			}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := gather.All(ctx, 8, tasks...); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*size), "ns/task")
		})
	}
}

func BenchmarkMap(b *testing.B) {
	in := make([]int, 10_000)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := gather.Map(ctx, 8, in, func(_ context.Context, v int) (int, error) { return v + 1, nil }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(in)), "ns/task")
}
