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

// BenchmarkAllCancellable is BenchmarkAll with a ctx that can be cancelled,
// which adds one atomic ctx check per task.
func BenchmarkAllCancellable(b *testing.B) {
	tasks := make([]gather.Task[int], 10_000)
	for i := range tasks {
		tasks[i] = func(context.Context) (int, error) { return i, nil }
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := gather.All(ctx, 8, tasks...); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(tasks)), "ns/task")
}

func BenchmarkSettled(b *testing.B) {
	tasks := make([]gather.Task[int], 10_000)
	for i := range tasks {
		tasks[i] = func(context.Context) (int, error) { return i, nil }
	}
	b.ReportAllocs()
	for b.Loop() {
		gather.Settled(context.Background(), 8, tasks...)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(tasks)), "ns/task")
}

func BenchmarkMapSettled(b *testing.B) {
	in := make([]int, 10_000)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		gather.MapSettled(ctx, 8, in, func(_ context.Context, v int) (int, error) { return v + 1, nil })
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(in)), "ns/task")
}

func BenchmarkStream(b *testing.B) {
	tasks := make([]gather.Task[int], 10_000)
	for i := range tasks {
		tasks[i] = func(context.Context) (int, error) { return i, nil }
	}
	b.ReportAllocs()
	for b.Loop() {
		for range gather.Stream(context.Background(), 8, tasks...) {
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(tasks)), "ns/task")
}

func BenchmarkMapSeq(b *testing.B) {
	in := func(yield func(int) bool) {
		for i := range 10_000 {
			if !yield(i) {
				return
			}
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := gather.MapSeq(context.Background(), 8, in, func(_ context.Context, v int) (int, error) { return v, nil }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*10_000), "ns/task")
}
