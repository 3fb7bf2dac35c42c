package gather_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/asyncutils-go/asyncutils/gather"
)

// forms runs the same tasks through All, Map, AllSeq and MapSeq.
var forms = []struct {
	name string
	run  func(ctx context.Context, n int, tasks []gather.Task[int]) ([]int, error)
}{
	{"All", func(ctx context.Context, n int, tasks []gather.Task[int]) ([]int, error) {
		return gather.All(ctx, n, tasks...)
	}},
	{"Map", func(ctx context.Context, n int, tasks []gather.Task[int]) ([]int, error) {
		return gather.Map(ctx, n, tasks, func(ctx context.Context, task gather.Task[int]) (int, error) { return task(ctx) })
	}},
	{"AllSeq", func(ctx context.Context, n int, tasks []gather.Task[int]) ([]int, error) {
		return gather.AllSeq(ctx, n, slices.Values(tasks))
	}},
	{"MapSeq", func(ctx context.Context, n int, tasks []gather.Task[int]) ([]int, error) {
		return gather.MapSeq(ctx, n, slices.Values(tasks), func(ctx context.Context, task gather.Task[int]) (int, error) { return task(ctx) })
	}},
}

// TestCtxRule_SameInEveryForm: the call fails with the ctx's cause only if
// a task was not started because the ctx ended, in every first-error form.
func TestCtxRule_SameInEveryForm(t *testing.T) {
	errStop := errors.New("SIGTERM")
	// tasks returns count tasks returning i+1; task stopAt waits for the
	// tasks before it to have started, cancels the caller's ctx, and
	// succeeds anyway.
	tasks := func(count, stopAt int, cancel context.CancelCauseFunc) []gather.Task[int] {
		var before sync.WaitGroup
		before.Add(stopAt)
		ts := make([]gather.Task[int], count)
		for i := range ts {
			ts[i] = func(context.Context) (int, error) {
				if i < stopAt {
					before.Done()
				}
				if i == stopAt {
					before.Wait()
					cancel(errStop)
				}
				return i + 1, nil
			}
		}
		return ts
	}
	for _, f := range forms {
		for _, n := range []int{1, 2, 8} {
			t.Run(f.name, func(t *testing.T) {
				// The ctx ends while the last task runs: every task has started.
				ctx, cancel := context.WithCancelCause(context.Background())
				defer cancel(nil)
				out, err := f.run(ctx, n, tasks(3, 2, cancel))
				if err != nil || !slices.Equal(out, []int{1, 2, 3}) {
					t.Errorf("n=%d, ctx ends in the last task: %v, %v; want [1 2 3], nil", n, out, err)
				}

				// Zero tasks, ctx already ended.
				out, err = f.run(ctx, n, nil)
				if err != nil || out == nil || len(out) != 0 {
					t.Errorf("n=%d, zero tasks, ended ctx: %#v, %v; want an empty non-nil slice, nil", n, out, err)
				}

				// The ctx ends in task 0 with one limit slot: task 1 never starts.
				if n == 1 {
					ctx, cancel := context.WithCancelCause(context.Background())
					defer cancel(nil)
					out, err := f.run(ctx, n, tasks(3, 0, cancel))
					if !errors.Is(err, errStop) || len(out) == 0 || out[0] != 1 {
						t.Errorf("n=1, ctx ends in task 0: %v, %v; want task 0's value and the cause", out, err)
					}
				}
			})
		}
	}
}

// TestFailureKeepsFinishedValues: 200 inputs, index 137 fails; the values
// of every call that succeeded are returned with the error.
func TestFailureKeepsFinishedValues(t *testing.T) {
	for _, f := range forms {
		t.Run(f.name, func(t *testing.T) {
			errFail := errors.New("fetch failed")
			var before sync.WaitGroup // task 137 fails once the tasks before it are done
			before.Add(137)
			inner := make([]gather.Task[int], 200)
			for i := range inner {
				inner[i] = func(context.Context) (int, error) {
					if i == 137 {
						before.Wait()
						return -1, errFail
					}
					if i < 137 {
						defer before.Done()
					}
					return i + 1, nil
				}
			}
			tasks, ok := tracked(inner)
			out, err := f.run(context.Background(), 8, tasks)
			var te *gather.TaskError
			if !errors.As(err, &te) || te.Index != 137 || !errors.Is(err, errFail) || len(out) <= 137 || out[137] != 0 {
				t.Fatalf("%d values, %v; want the slots up to task 137 at least, 137 zero, and its failure", len(out), err)
			}
			if (f.name == "All" || f.name == "Map") && len(out) != 200 {
				t.Fatalf("%d values, want a slot per task", len(out))
			}
			if i := partialMismatch(out, ok, func(i int) int { return i + 1 }); i >= 0 {
				t.Fatalf("out[%d] = %d: not the value of a task that succeeded, nor zero", i, out[i])
			}
			kept := 0
			for i := range out {
				if ok[i].Load() {
					kept++
				}
			}
			if kept < 137 {
				t.Fatalf("%d values kept, want at least the 137 before the failure", kept)
			}
		})
	}
}
