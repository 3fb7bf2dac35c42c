package gather_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/asyncutils-go/asyncutils/gather"
)

// TestAllFirstError: tasks before k succeed, task k fails, tasks after it
// block until their ctx ends. At most k+n tasks start, every running task
// sees its ctx cancelled with the failure as the cause, and All returns that
// failure once they have returned.
func TestAllFirstError(t *testing.T) {
	for _, tc := range []struct{ k, n int }{{0, 1}, {0, 4}, {5, 3}, {20, 8}, {3, 100}} {
		t.Run(fmt.Sprintf("k=%d,n=%d", tc.k, tc.n), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				const total = 60
				var started, returned, sawCause atomic.Int64
				tasks := make([]gather.Task[int], total)
				for i := range tasks {
					tasks[i] = func(ctx context.Context) (int, error) {
						started.Add(1)
						defer returned.Add(1)
						switch {
						case i < tc.k:
							return i, nil
						case i == tc.k:
							time.Sleep(time.Millisecond) // let the others start
							return 0, errBoom
						}
						<-ctx.Done()
						var te *gather.TaskError
						if errors.As(context.Cause(ctx), &te) && te.Index == tc.k && errors.Is(te, errBoom) {
							sawCause.Add(1)
						}
						return 0, ctx.Err()
					}
				}
				out, err := gather.All(t.Context(), tc.n, tasks...)
				var te *gather.TaskError
				if len(out) != total || !errors.As(err, &te) || te.Index != tc.k || !errors.Is(err, errBoom) {
					t.Fatalf("All = %v, %v; want %d slots and task %d's failure", out, err, total, tc.k)
				}
				for i, v := range out { // the finished values kept, zero elsewhere
					want := 0
					if i < tc.k {
						want = i
					}
					if v != want {
						t.Fatalf("out[%d] = %d, want %d", i, v, want)
					}
				}
				if want := fmt.Sprintf("gather: task %d: boom", tc.k); err.Error() != want {
					t.Errorf("message %q, want %q", err.Error(), want)
				}
				s := started.Load()
				if s > int64(tc.k+tc.n) {
					t.Errorf("%d tasks started, want at most k+n = %d", s, tc.k+tc.n)
				}
				if returned.Load() != s {
					t.Errorf("All returned with %d of %d started tasks still running", s-returned.Load(), s)
				}
				if blocked := s - int64(tc.k) - 1; sawCause.Load() != blocked {
					t.Errorf("%d of %d running tasks saw the failure as their ctx's cause", sawCause.Load(), blocked)
				}
			})
		})
	}
}

// TestParentCancel: the caller's ctx ends while tasks run. No new task
// starts; All returns context.Cause(ctx); Settled and Stream give the
// unstarted tasks the cause in their slots.
func TestParentCancel(t *testing.T) {
	errStop := errors.New("caller stopped")
	const total, n = 30, 3
	// tasks block until their ctx ends; the caller cancels once n run.
	setup := func() (context.Context, []gather.Task[int], *atomic.Int64) {
		ctx, cancel := context.WithCancelCause(context.Background())
		t.Cleanup(func() { cancel(nil) })
		var started atomic.Int64
		tasks := make([]gather.Task[int], total)
		for i := range tasks {
			tasks[i] = func(ctx context.Context) (int, error) {
				if started.Add(1) == n {
					cancel(errStop)
				}
				<-ctx.Done()
				return i, context.Cause(ctx)
			}
		}
		return ctx, tasks, &started
	}
	t.Run("All", func(t *testing.T) {
		ctx, tasks, started := setup()
		out, err := gather.All(ctx, n, tasks...)
		if len(out) != total || !errors.Is(err, errStop) {
			t.Fatalf("All = %v, %v; want %d slots, the cause", out, err, total)
		}
		var te *gather.TaskError
		if errors.As(err, &te) {
			t.Errorf("err = %v, want the caller's cause itself, not a task's error", err)
		}
		if started.Load() != n {
			t.Errorf("%d tasks started, want %d", started.Load(), n)
		}
	})
	t.Run("Map", func(t *testing.T) {
		ctx, cancel := context.WithCancelCause(context.Background())
		cancel(errStop)
		out, err := gather.Map(ctx, 2, []int{1, 2, 3}, func(context.Context, int) (int, error) {
			t.Error("a task started after the ctx ended")
			return 0, nil
		})
		if !slices.Equal(out, []int{0, 0, 0}) || !errors.Is(err, errStop) {
			t.Fatalf("Map = %v, %v; want 3 zero slots, the cause", out, err)
		}
	})
	checkSlots := func(t *testing.T, errs []error, started int64) {
		t.Helper()
		if started != n {
			t.Errorf("%d tasks started, want %d", started, n)
		}
		for i, err := range errs {
			if !errors.Is(err, errStop) {
				t.Errorf("slot %d: err = %v, want the cause", i, err)
			}
		}
	}
	t.Run("Settled", func(t *testing.T) {
		ctx, tasks, started := setup()
		res := gather.Settled(ctx, n, tasks...)
		errs := make([]error, len(res))
		for i, r := range res {
			errs[i] = r.Err
		}
		if len(res) != total {
			t.Fatalf("%d results, want %d", len(res), total)
		}
		checkSlots(t, errs, started.Load())
	})
	t.Run("Stream", func(t *testing.T) {
		ctx, tasks, started := setup()
		errs := make([]error, total)
		count := 0
		for i, r := range gather.Stream(ctx, n, tasks...) {
			errs[i] = r.Err
			count++
		}
		if count != total {
			t.Fatalf("%d results, want %d", count, total)
		}
		checkSlots(t, errs, started.Load())
	})
	t.Run("ended before the call", func(t *testing.T) {
		ctx, cancel := context.WithCancelCause(context.Background())
		cancel(errStop)
		task := func(context.Context) (int, error) {
			t.Error("a task started after the ctx ended")
			return 0, nil
		}
		res := gather.Settled(ctx, 2, task, task, nil, task)
		if len(res) != 4 {
			t.Fatalf("Settled: %d results, want 4", len(res))
		}
		for i, r := range res {
			if i != 2 && !errors.Is(r.Err, errStop) || i == 2 && r.Err == nil {
				t.Errorf("Settled slot %d: err = %v, want the cause", i, r.Err)
			}
		}
		count := 0
		for i, r := range gather.Stream(ctx, 2, task, task, task) {
			count++
			if !errors.Is(r.Err, errStop) {
				t.Errorf("Stream slot %d: err = %v, want the cause", i, r.Err)
			}
		}
		if count != 3 {
			t.Errorf("Stream: %d results, want 3", count)
		}
		// AllSeq pulls one task to learn that one is left unstarted.
		pulled := 0
		out, err := gather.AllSeq(ctx, 2, func(yield func(gather.Task[int]) bool) {
			for pulled < 3 {
				pulled++
				if !yield(task) {
					return
				}
			}
		})
		if out == nil || len(out) != 0 || !errors.Is(err, errStop) || pulled != 1 {
			t.Errorf("AllSeq = %#v, %v after %d pulls; want no slot, the cause, 1 pull", out, err, pulled)
		}
	})
	t.Run("AllSeq", func(t *testing.T) {
		ctx, tasks, started := setup()
		out, err := gather.AllSeq(ctx, n, func(yield func(gather.Task[int]) bool) {
			for _, task := range tasks {
				if !yield(task) {
					return
				}
			}
		})
		if len(out) != n || !errors.Is(err, errStop) || started.Load() != n {
			t.Fatalf("AllSeq = %v, %v after %d starts; want %d slots, the cause", out, err, started.Load(), n)
		}
	})
}

// TestPanicAndGoexit: a task that panics or calls runtime.Goexit is
// reported with its index in every form, nothing hangs, and the forms that
// keep going still run every other task.
func TestPanicAndGoexit(t *testing.T) {
	kinds := []struct {
		name  string
		fail  func()
		check func(error) bool
	}{
		{"panic", func() { panic(errBoom) }, func(err error) bool {
			var pe *gather.PanicError
			return errors.As(err, &pe) && errors.Is(err, errBoom) && len(pe.Stack) > 0
		}},
		{"panic non-error", func() { panic(42) }, func(err error) bool {
			var pe *gather.PanicError
			return errors.As(err, &pe) && pe.Value == 42
		}},
		{"Goexit", runtimeGoexit, func(err error) bool { return errors.Is(err, gather.ErrGoexit) }},
	}
	const total, bad = 40, 7
	for _, kind := range kinds {
		for _, n := range []int{1, 4} {
			name := fmt.Sprintf("%s/n=%d", kind.name, n)
			var ran atomic.Int64
			tasks := make([]gather.Task[int], total)
			for i := range tasks {
				tasks[i] = func(context.Context) (int, error) {
					ran.Add(1)
					if i == bad || i == bad+10 {
						kind.fail()
					}
					return i, nil
				}
			}
			t.Run(name+"/All", func(t *testing.T) {
				_, err := gather.All(context.Background(), n, tasks...)
				// With n > 1 either failing task may be the first.
				var te *gather.TaskError
				if !kind.check(err) || !errors.As(err, &te) || (te.Index != bad && (n == 1 || te.Index != bad+10)) {
					t.Fatalf("err = %v, want task %d's %s", err, bad, kind.name)
				}
			})
			t.Run(name+"/Settled", func(t *testing.T) {
				ran.Store(0)
				res := gather.Settled(context.Background(), n, tasks...)
				if ran.Load() != total {
					t.Fatalf("%d tasks ran, want %d", ran.Load(), total)
				}
				for i, r := range res {
					if i == bad || i == bad+10 {
						if !kind.check(r.Err) || !taskErrorAt(r.Err, i) {
							t.Fatalf("slot %d = %v, want a %s as a *TaskError of index %d", i, r.Err, kind.name, i)
						}
					} else if r.Err != nil || r.Value != i {
						t.Fatalf("slot %d = %v, %v", i, r.Value, r.Err)
					}
				}
			})
			t.Run(name+"/Stream", func(t *testing.T) {
				ran.Store(0)
				failures := 0
				for i, r := range gather.Stream(context.Background(), n, tasks...) {
					if r.Err != nil {
						if !kind.check(r.Err) || (i != bad && i != bad+10) || !taskErrorAt(r.Err, i) {
							t.Fatalf("slot %d = %v", i, r.Err)
						}
						failures++
					}
				}
				if failures != 2 || ran.Load() != total {
					t.Fatalf("%d failures and %d tasks ran, want 2 and %d", failures, ran.Load(), total)
				}
			})
			t.Run(name+"/AllSeq", func(t *testing.T) {
				_, err := gather.AllSeq(context.Background(), n, func(yield func(gather.Task[int]) bool) {
					for _, task := range tasks {
						if !yield(task) {
							return
						}
					}
				})
				// With n > 1 either failing task may be the first.
				var te *gather.TaskError
				if !kind.check(err) || !errors.As(err, &te) || (te.Index != bad && (n == 1 || te.Index != bad+10)) {
					t.Fatalf("err = %v, want task %d's %s", err, bad, kind.name)
				}
			})
		}
	}
}

// TestGoexitEveryTask: every task calls runtime.Goexit, so every worker dies
// and is replaced; Settled still fills every slot and returns.
func TestGoexitEveryTask(t *testing.T) {
	tasks := make([]gather.Task[int], 25)
	for i := range tasks {
		tasks[i] = func(context.Context) (int, error) { runtimeGoexit(); return 0, nil }
	}
	p := newProbe()
	for i := range tasks {
		inner := tasks[i]
		tasks[i] = func(ctx context.Context) (int, error) { defer p.enter()(); return inner(ctx) }
	}
	for i, r := range gather.Settled(context.Background(), 3, tasks...) {
		var te *gather.TaskError
		if !errors.Is(r.Err, gather.ErrGoexit) || !errors.As(r.Err, &te) || te.Index != i {
			t.Fatalf("slot %d = %v, want a Goexit error naming index %d", i, r.Err, i)
		}
	}
	if p.peak.Load() > 3 {
		t.Fatalf("peak = %d with replacement workers, over the limit 3", p.peak.Load())
	}
}

// TestSeqPanics: a panic in the input sequence reaches the caller, after
// the running tasks were cancelled and waited for.
func TestSeqPanics(t *testing.T) {
	var running atomic.Int64
	task := func(ctx context.Context) (int, error) {
		running.Add(1)
		defer running.Add(-1)
		<-ctx.Done()
		return 0, ctx.Err()
	}
	defer func() {
		if r := recover(); r != "input broke" {
			t.Fatalf("recovered %v, want the input's panic", r)
		}
		if running.Load() != 0 {
			t.Fatalf("%d tasks still running after the panic reached the caller", running.Load())
		}
	}()
	_, _ = gather.AllSeq(context.Background(), 4, func(yield func(gather.Task[int]) bool) {
		for range 3 {
			if !yield(task) {
				return
			}
		}
		panic("input broke")
	})
	t.Fatal("AllSeq returned instead of panicking")
}

// TestAllStopsWithoutCtx: with a ctx that can never end (Background), only
// the pool's own stop flag keeps the tasks after a failure from starting.
// With one worker the order is fixed: nothing after the failing task runs.
func TestAllStopsWithoutCtx(t *testing.T) {
	for _, kind := range []struct {
		name string
		fail func() (int, error)
	}{
		{"error", func() (int, error) { return 0, errBoom }},
		{"panic", func() (int, error) { panic(errBoom) }},
		{"Goexit", func() (int, error) { runtimeGoexit(); return 0, nil }},
	} {
		t.Run(kind.name, func(t *testing.T) {
			var ran atomic.Int64
			ok := func(context.Context) (int, error) { ran.Add(1); return 1, nil }
			bad := func(context.Context) (int, error) { ran.Add(1); return kind.fail() }
			_, err := gather.All(context.Background(), 1, ok, bad, ok, ok)
			var te *gather.TaskError
			if !errors.As(err, &te) || te.Index != 1 {
				t.Fatalf("All: err = %v, want task 1's failure", err)
			}
			if ran.Load() != 2 {
				t.Fatalf("All: %d tasks ran, want 2 (none after the failure)", ran.Load())
			}
			ran.Store(0)
			_, err = gather.Map(context.Background(), 1, []int{0, 1, 2, 3}, func(ctx context.Context, v int) (int, error) {
				if v == 1 {
					return bad(ctx)
				}
				return ok(ctx)
			})
			if !errors.As(err, &te) || te.Index != 1 || ran.Load() != 2 {
				t.Fatalf("Map: err = %v after %d tasks ran, want task 1's failure after 2", err, ran.Load())
			}
		})
	}
}

// taskErrorAt reports whether err is a *TaskError of index i whose message
// starts with the package name, as every gather error does.
func taskErrorAt(err error, i int) bool {
	var te *gather.TaskError
	return errors.As(err, &te) && te.Index == i && strings.HasPrefix(err.Error(), fmt.Sprintf("gather: task %d: ", i))
}
