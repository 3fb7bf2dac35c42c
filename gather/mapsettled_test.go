package gather_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/asyncutils-go/asyncutils/gather"
)

// TestMapSettled: every element gets its own outcome, in input order,
// within the limit; a failure or a panic cancels nothing; a ctx that ends
// fills the slots of the elements not started.
func TestMapSettled(t *testing.T) {
	errOdd := errors.New("odd")
	fn := func(_ context.Context, v int) (int, error) {
		switch {
		case v == 7:
			panic("seven")
		case v%2 == 1:
			return v, errOdd // the value is kept with the error, as Settled does
		}
		return v * 10, nil
	}
	in := make([]int, 20)
	for i := range in {
		in[i] = i
	}
	res := gather.MapSettled(context.Background(), 3, in, fn)
	if len(res) != len(in) {
		t.Fatalf("%d results for %d elements", len(res), len(in))
	}
	for i, r := range res {
		var te *gather.TaskError
		var pe *gather.PanicError
		switch {
		case i == 7:
			if !errors.As(r.Err, &te) || te.Index != 7 || !errors.As(r.Err, &pe) || pe.Value != "seven" {
				t.Errorf("slot 7 = %v, want a *TaskError wrapping the panic", r.Err)
			}
		case i%2 == 1:
			if r.Value != i || !errors.Is(r.Err, errOdd) {
				t.Errorf("slot %d = %v, %v; want %d and its error", i, r.Value, r.Err, i)
			}
		case r.Value != i*10 || r.Err != nil:
			t.Errorf("slot %d = %v, %v; want %d", i, r.Value, r.Err, i*10)
		}
	}

	t.Run("limit", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			p := newProbe()
			tasks := sleepTasks(p, 40, time.Millisecond)
			res := gather.MapSettled(context.Background(), 4, tasks, func(ctx context.Context, task gather.Task[int]) (int, error) {
				return task(ctx)
			})
			if p.peak.Load() != 4 || p.distinctGoroutines() > 4 || len(res) != 40 || res[39].Value != 39 {
				t.Fatalf("peak %d on %d goroutines, %d results; want 4, at most 4, 40", p.peak.Load(), p.distinctGoroutines(), len(res))
			}
		})
	})

	t.Run("ctx ends", func(t *testing.T) {
		errStop := errors.New("stop")
		ctx, cancel := context.WithCancelCause(context.Background())
		defer cancel(nil)
		res := gather.MapSettled(ctx, 1, []int{0, 1, 2}, func(_ context.Context, v int) (int, error) {
			cancel(errStop)
			return v + 1, nil
		})
		if res[0].Value != 1 || res[0].Err != nil || !errors.Is(res[1].Err, errStop) || !errors.Is(res[2].Err, errStop) {
			t.Fatalf("res = %v; want element 0's value, then the cause", res)
		}
	})

	t.Run("empty", func(t *testing.T) {
		if res := gather.MapSettled(context.Background(), 0, nil, fn); res == nil || len(res) != 0 {
			t.Fatalf("MapSettled(nil) = %#v; want empty non-nil", res)
		}
	})
}
