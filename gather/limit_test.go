package gather_test

import (
	"context"
	"fmt"
	"math"
	"runtime/metrics"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/asyncutils-go/asyncutils/defaults"
	"github.com/asyncutils-go/asyncutils/gather"
)

// TestLimit checks, for every way of setting the limit, that the peak number
// of tasks running at once equals the limit, and that the tasks ran on at
// most that many goroutines (a pool, not a goroutine per task).
func TestLimit(t *testing.T) {
	scoped := defaults.Builtin()
	scoped.GatherLimit = 3
	tests := []struct {
		name   string
		n      int
		tasks  int
		scoped bool // run under defaults.NewContext with GatherLimit 3
		want   int
	}{
		{name: "default 8", n: 0, tasks: 50, want: 8},
		{name: "explicit 5", n: 5, tasks: 50, want: 5},
		{name: "explicit 1", n: 1, tasks: 10, want: 1},
		{name: "more than tasks", n: 100, tasks: 7, want: 7},
		{name: "defaults.NewContext override", n: 0, tasks: 50, scoped: true, want: 3},
		{name: "explicit n wins over the ctx", n: 6, tasks: 50, scoped: true, want: 6},
		{name: "no limit", n: -1, tasks: 40, want: 40},
	}
	forms := []struct {
		name string
		run  func(ctx context.Context, n int, tasks []gather.Task[int]) error
	}{
		{"All", func(ctx context.Context, n int, tasks []gather.Task[int]) error {
			_, err := gather.All(ctx, n, tasks...)
			return err
		}},
		{"Settled", func(ctx context.Context, n int, tasks []gather.Task[int]) error {
			for _, r := range gather.Settled(ctx, n, tasks...) {
				if r.Err != nil {
					return r.Err
				}
			}
			return nil
		}},
		{"Stream", func(ctx context.Context, n int, tasks []gather.Task[int]) error {
			for _, r := range gather.Stream(ctx, n, tasks...) {
				if r.Err != nil {
					return r.Err
				}
			}
			return nil
		}},
		{"AllSeq", func(ctx context.Context, n int, tasks []gather.Task[int]) error {
			_, err := gather.AllSeq(ctx, n, func(yield func(gather.Task[int]) bool) {
				for _, t := range tasks {
					if !yield(t) {
						return
					}
				}
			})
			return err
		}},
	}
	for _, form := range forms {
		for _, tt := range tests {
			t.Run(form.name+"/"+tt.name, func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					ctx := context.Background()
					if tt.scoped {
						var err error
						if ctx, err = defaults.NewContext(ctx, scoped); err != nil {
							t.Fatal(err)
						}
					}
					p := newProbe()
					if err := form.run(ctx, tt.n, sleepTasks(p, tt.tasks, time.Millisecond)); err != nil {
						t.Fatal(err)
					}
					if got := p.peak.Load(); got != int64(tt.want) {
						t.Errorf("peak concurrency = %d, want %d", got, tt.want)
					}
					if got := p.started.Load(); got != int64(tt.tasks) {
						t.Errorf("%d tasks started, want %d", got, tt.tasks)
					}
					if got := p.distinctGoroutines(); got > tt.want {
						t.Errorf("tasks ran on %d goroutines, want at most %d", got, tt.want)
					}
				})
			})
		}
	}
}

// TestLimitTrivialTasks checks the pool with tasks that do not block: the
// peak never exceeds the limit and the goroutines stay within it.
func TestLimitTrivialTasks(t *testing.T) {
	for _, n := range []int{1, 2, 8} {
		t.Run(fmt.Sprint("n=", n), func(t *testing.T) {
			p := newProbe()
			tasks := make([]gather.Task[int], 2000)
			for i := range tasks {
				tasks[i] = func(context.Context) (int, error) {
					defer p.enter()()
					return i, nil
				}
			}
			out, err := gather.All(context.Background(), n, tasks...)
			if err != nil {
				t.Fatal(err)
			}
			for i, v := range out {
				if v != i {
					t.Fatalf("out[%d] = %d", i, v)
				}
			}
			if got := p.peak.Load(); got > int64(n) {
				t.Errorf("peak = %d, over the limit %d", got, n)
			}
			if got := p.distinctGoroutines(); got > n {
				t.Errorf("tasks ran on %d goroutines, want at most %d", got, n)
			}
		})
	}
}

// goroutinesCreated returns how many goroutines the process created while
// f ran, the least over three runs so that a goroutine the runtime happens
// to start meanwhile does not count.
func goroutinesCreated(f func()) uint64 {
	sample := []metrics.Sample{{Name: "/sched/goroutines-created:goroutines"}}
	least := uint64(math.MaxUint64)
	for range 3 {
		metrics.Read(sample)
		before := sample[0].Value.Uint64()
		f()
		metrics.Read(sample)
		least = min(least, sample[0].Value.Uint64()-before)
	}
	return least
}

// TestGoroutinesCreated counts the goroutines a call creates, not only those
// that ran a task: at most min(limit, number of tasks), whatever n is
// (workers with nothing to do must not be started either).
func TestGoroutinesCreated(t *testing.T) {
	forms := []struct {
		name string
		run  func(n int, tasks []gather.Task[int])
	}{
		{"All", func(n int, tasks []gather.Task[int]) { _, _ = gather.All(context.Background(), n, tasks...) }},
		{"Map", func(n int, tasks []gather.Task[int]) {
			_, _ = gather.Map(context.Background(), n, tasks, func(ctx context.Context, t gather.Task[int]) (int, error) { return t(ctx) })
		}},
		{"Settled", func(n int, tasks []gather.Task[int]) { gather.Settled(context.Background(), n, tasks...) }},
		{"Stream", func(n int, tasks []gather.Task[int]) {
			for range gather.Stream(context.Background(), n, tasks...) {
			}
		}},
		{"AllSeq", func(n int, tasks []gather.Task[int]) {
			_, _ = gather.AllSeq(context.Background(), n, slices.Values(tasks))
		}},
	}
	for _, form := range forms {
		for _, tc := range []struct{ n, tasks, want int }{
			{n: -1, tasks: 3, want: 3},
			{n: 0, tasks: 3, want: 3},
			{n: 0, tasks: 50, want: 8},
			{n: 4, tasks: 50, want: 4},
			{n: 100, tasks: 5, want: 5},
			{n: 1, tasks: 1, want: 1},
		} {
			t.Run(fmt.Sprintf("%s/n=%d,tasks=%d", form.name, tc.n, tc.tasks), func(t *testing.T) {
				tasks := make([]gather.Task[int], tc.tasks)
				for i := range tasks {
					tasks[i] = func(context.Context) (int, error) { return i, nil }
				}
				if got := goroutinesCreated(func() { form.run(tc.n, tasks) }); got > uint64(tc.want) {
					t.Errorf("%d goroutines created, want at most %d", got, tc.want)
				}
			})
		}
	}
}

// TestClaimRuns: workers claim runs of tasks; every task still runs exactly
// once, whatever the limit, and with a limit of 1 in input order.
func TestClaimRuns(t *testing.T) {
	for _, n := range []int{1, 2, 3, 8, 64, -1} {
		for _, total := range []int{1, 7, 63, 64, 65, 1000, 5000} {
			runs := make([]atomic.Int32, total)
			var order []int
			var mu sync.Mutex
			tasks := make([]gather.Task[int], total)
			for i := range tasks {
				tasks[i] = func(context.Context) (int, error) {
					runs[i].Add(1)
					mu.Lock()
					order = append(order, i)
					mu.Unlock()
					return i, nil
				}
			}
			out, err := gather.All(context.Background(), n, tasks...)
			if err != nil {
				t.Fatal(err)
			}
			for i := range total {
				if runs[i].Load() != 1 || out[i] != i {
					t.Fatalf("n=%d total=%d: task %d ran %d times, value %d", n, total, i, runs[i].Load(), out[i])
				}
			}
			if n == 1 && !slices.IsSorted(order) {
				t.Fatalf("total=%d: one worker ran the tasks out of order", total)
			}
		}
	}
}
