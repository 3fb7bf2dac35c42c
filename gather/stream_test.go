package gather_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/asyncutils-go/asyncutils/gather"
)

// TestStreamBreak: leaving the loop cancels the running tasks' ctx, starts
// no new task, and waits for the running ones before the loop ends.
func TestStreamBreak(t *testing.T) {
	for _, how := range []string{"break", "panic in the body"} {
		t.Run(how, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				const total, n = 100, 4
				var started, running, cancelled atomic.Int64
				tasks := make([]gather.Task[int], total)
				for i := range tasks {
					tasks[i] = func(ctx context.Context) (int, error) {
						started.Add(1)
						running.Add(1)
						defer running.Add(-1)
						if i < 2 {
							return i, nil
						}
						<-ctx.Done()
						cancelled.Add(1)
						return 0, ctx.Err()
					}
				}
				func() {
					defer func() {
						if r := recover(); how == "panic in the body" && r != "body broke" {
							t.Errorf("recovered %v", r)
						}
					}()
					for range gather.Stream(t.Context(), n, tasks...) {
						synctest.Wait() // let the workers start the blocking tasks
						if how == "break" {
							break
						}
						panic("body broke")
					}
				}()
				if running.Load() != 0 {
					t.Fatalf("%d tasks still running after the loop ended", running.Load())
				}
				if s := started.Load(); s > 2+n {
					t.Fatalf("%d tasks started, want at most %d", s, 2+n)
				}
				if cancelled.Load() != started.Load()-2 {
					t.Fatalf("%d of %d blocking tasks saw their ctx cancelled", cancelled.Load(), started.Load()-2)
				}
				time.Sleep(time.Second)
				if s := started.Load(); s > 2+n {
					t.Fatalf("a task started after the loop ended (%d started)", s)
				}
			})
		})
	}
}

// TestStreamRangesAgain: nothing runs before the range, and each range runs
// the tasks anew.
func TestStreamRangesAgain(t *testing.T) {
	var calls atomic.Int64
	task := func(context.Context) (int, error) { return int(calls.Add(1)), nil }
	seq := gather.Stream(context.Background(), 2, task, task, task)
	if calls.Load() != 0 {
		t.Fatalf("%d tasks ran before the range", calls.Load())
	}
	for range 2 {
		count := 0
		for _, r := range seq {
			if r.Err != nil {
				t.Fatal(r.Err)
			}
			count++
		}
		if count != 3 {
			t.Fatalf("%d results, want 3", count)
		}
	}
	if calls.Load() != 6 {
		t.Fatalf("%d task calls over two ranges, want 6", calls.Load())
	}
}

// TestStreamCompletionOrder: results come as tasks complete, not in input
// order.
func TestStreamCompletionOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tasks := make([]gather.Task[int], 5)
		for i := range tasks {
			tasks[i] = func(context.Context) (int, error) {
				time.Sleep(time.Duration(len(tasks)-i) * time.Millisecond) // the last finishes first
				return i, nil
			}
		}
		var order []int
		for i, r := range gather.Stream(t.Context(), -1, tasks...) {
			if r.Value != i || r.Err != nil {
				t.Fatalf("index %d got %v, %v", i, r.Value, r.Err)
			}
			order = append(order, i)
		}
		want := []int{4, 3, 2, 1, 0}
		for k := range want {
			if order[k] != want[k] {
				t.Fatalf("order = %v, want %v", order, want)
			}
		}
	})
}

// TestStreamFirstErrorByBreak: breaking on the first error is how to stop
// a stream at a failure.
func TestStreamFirstErrorByBreak(t *testing.T) {
	tasks := []gather.Task[int]{
		func(context.Context) (int, error) { return 0, errBoom },
		func(ctx context.Context) (int, error) { <-ctx.Done(); return 0, ctx.Err() },
	}
	var first error
	for _, r := range gather.Stream(context.Background(), 2, tasks...) {
		if r.Err != nil {
			first = r.Err
			break
		}
	}
	if !errors.Is(first, errBoom) {
		t.Fatalf("first error = %v, want errBoom", first)
	}
}

// TestStreamBreakAmidGoexits: every task calls runtime.Goexit, so workers
// keep dying and being replaced while the consumer leaves after the first
// result; the loop must end with every worker gone (goleak) and no task
// started after it.
func TestStreamBreakAmidGoexits(t *testing.T) {
	for _, n := range []int{1, 2, 8} {
		var started atomic.Int64
		tasks := make([]gather.Task[int], 50)
		for i := range tasks {
			tasks[i] = func(context.Context) (int, error) { started.Add(1); runtimeGoexit(); return 0, nil }
		}
		for i, r := range gather.Stream(context.Background(), n, tasks...) {
			if !errors.Is(r.Err, gather.ErrGoexit) {
				t.Fatalf("n=%d: slot %d = %v, want a Goexit", n, i, r.Err)
			}
			break
		}
		after := started.Load()
		if after > int64(1+2*n) {
			t.Errorf("n=%d: %d tasks started before the loop ended, want at most %d", n, after, 1+2*n)
		}
	}
}
