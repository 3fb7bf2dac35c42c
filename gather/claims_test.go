package gather_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asyncutils-go/asyncutils/gather"
)

// TestClaims_NoWaitBehindSlowTask: a slow task does not hold back tasks
// claimed with it while other workers are idle: with task 0 sleeping and
// the others instant, no other task is left to start once task 0 returns.
func TestClaims_NoWaitBehindSlowTask(t *testing.T) {
	for _, total := range []int{100, 10_000} {
		var after atomic.Int64
		var done atomic.Bool
		tasks := make([]gather.Task[int], total)
		for i := range tasks {
			tasks[i] = func(context.Context) (int, error) {
				if i == 0 {
					time.Sleep(200 * time.Millisecond)
					done.Store(true)
					return 0, nil
				}
				if done.Load() {
					after.Add(1)
				}
				return i, nil
			}
		}
		if _, err := gather.All(context.Background(), 4, tasks...); err != nil {
			t.Fatal(err)
		}
		if n := after.Load(); n != 0 {
			t.Errorf("total %d: %d tasks waited for task 0's 200 ms and started after it, with 3 of 4 workers free", total, n)
		}
	}
}

// TestAll_AtMostKPlusN: tasks of a microsecond or more are claimed one at a
// time, so when task k fails fast while those after it still run, at most
// k+n tasks ever start (docs/gather.md).
func TestAll_AtMostKPlusN(t *testing.T) {
	const k, n = 50, 2
	for _, f := range forms {
		t.Run(f.name, func(t *testing.T) {
			var started atomic.Int64
			tasks := make([]gather.Task[int], 500)
			for i := range tasks {
				tasks[i] = func(ctx context.Context) (int, error) {
					started.Add(1)
					if i == k {
						return 0, errors.New("fail")
					}
					select {
					case <-ctx.Done():
						return 0, ctx.Err()
					case <-time.After(2 * time.Millisecond):
						return i, nil
					}
				}
			}
			_, err := f.run(context.Background(), n, tasks)
			var te *gather.TaskError
			if !errors.As(err, &te) || te.Index != k {
				t.Fatalf("err = %v, want task %d's", err, k)
			}
			if s := started.Load(); s > k+n {
				t.Errorf("%d tasks started, want at most k+n = %d", s, k+n)
			}
		})
	}
}

// TestAll_OwnOutcomeAfterCtxEnds: when the caller's ctx ends after every
// task has started, the outcome is the tasks': a task's own error, or its
// panic, not the ctx's cause.
func TestAll_OwnOutcomeAfterCtxEnds(t *testing.T) {
	errOwn := errors.New("rollback failed")
	for _, f := range forms {
		for _, n := range []int{1, 2, 8} {
			t.Run(f.name, func(t *testing.T) {
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				var before sync.WaitGroup
				before.Add(2)
				tasks := make([]gather.Task[int], 3)
				for i := range tasks {
					tasks[i] = func(context.Context) (int, error) {
						if i < 2 {
							before.Done()
							return i + 1, nil
						}
						before.Wait()
						cancel() // every task has started
						return 0, errOwn
					}
				}
				out, err := f.run(ctx, n, tasks)
				var te *gather.TaskError
				if !errors.As(err, &te) || te.Index != 2 || !errors.Is(err, errOwn) || out[0] != 1 || out[1] != 2 {
					t.Errorf("n=%d: %v, %v; want the values and task 2's own error", n, out, err)
				}
			})
		}
		t.Run(f.name+"/panic", func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			_, err := f.run(ctx, 1, []gather.Task[int]{func(context.Context) (int, error) { cancel(); panic("boom") }})
			var pe *gather.PanicError
			if !errors.As(err, &pe) {
				t.Errorf("err = %v, want the task's panic", err)
			}
		})
	}
}

// TestSeq_NilSequence: a nil sequence is bad input, reported as an error
// wrapping ErrNilFunc that names the call, not a nil dereference.
func TestSeq_NilSequence(t *testing.T) {
	out, err := gather.AllSeq[int](context.Background(), 2, nil)
	if out != nil || !errors.Is(err, gather.ErrNilFunc) || !strings.Contains(err.Error(), "AllSeq") {
		t.Errorf("AllSeq(nil) = %v, %v", out, err)
	}
	out2, err := gather.MapSeq[int, int](context.Background(), 2, nil, func(context.Context, int) (int, error) { return 0, nil })
	if out2 != nil || !errors.Is(err, gather.ErrNilFunc) || !strings.Contains(err.Error(), "MapSeq") {
		t.Errorf("MapSeq(nil) = %v, %v", out2, err)
	}
}
