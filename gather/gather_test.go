package gather_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/asyncutils-go/asyncutils/gather"
)

var errBoom = errors.New("boom")

// TestOrder checks that values stay in input order under random delays,
// for every form, and that Settled keeps each failure in its own slot.
func TestOrder(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				rng := rand.New(rand.NewPCG(seed, seed))
				const n = 200
				delays := make([]time.Duration, n)
				fails := make([]bool, n)
				for i := range delays {
					delays[i] = time.Duration(rng.IntN(1000)) * time.Microsecond
					fails[i] = rng.IntN(5) == 0
				}
				task := func(i int, mayFail bool) gather.Task[int] {
					return func(context.Context) (int, error) {
						time.Sleep(delays[i])
						if mayFail && fails[i] {
							return -i, fmt.Errorf("task %d: %w", i, errBoom)
						}
						return i * 10, nil
					}
				}
				ok := make([]gather.Task[int], n)
				mixed := make([]gather.Task[int], n)
				in := make([]int, n)
				for i := range ok {
					ok[i], mixed[i], in[i] = task(i, false), task(i, true), i
				}

				out, err := gather.All(t.Context(), 7, ok...)
				if err != nil {
					t.Fatal(err)
				}
				checkValues(t, "All", out, n)

				out, err = gather.Map(t.Context(), 7, in, func(ctx context.Context, v int) (int, error) { return ok[v](ctx) })
				if err != nil {
					t.Fatal(err)
				}
				checkValues(t, "Map", out, n)

				out, err = gather.MapSeq(t.Context(), 7, func(yield func(int) bool) {
					for _, v := range in {
						if !yield(v) {
							return
						}
					}
				}, func(ctx context.Context, v int) (int, error) { return ok[v](ctx) })
				if err != nil {
					t.Fatal(err)
				}
				checkValues(t, "MapSeq", out, n)

				res := gather.Settled(t.Context(), 7, mixed...)
				if len(res) != n {
					t.Fatalf("Settled: %d results, want %d", len(res), n)
				}
				for i, r := range res {
					if fails[i] {
						if !errors.Is(r.Err, errBoom) || !strings.Contains(r.Err.Error(), fmt.Sprintf("task %d:", i)) || r.Value != -i {
							t.Fatalf("Settled[%d] = %v, %v; want task %d's failure", i, r.Value, r.Err, i)
						}
					} else if r.Err != nil || r.Value != i*10 {
						t.Fatalf("Settled[%d] = %v, %v; want %d", i, r.Value, r.Err, i*10)
					}
				}

				seen := make([]bool, n)
				for i, r := range gather.Stream(t.Context(), 7, mixed...) {
					if seen[i] {
						t.Fatalf("Stream yielded index %d twice", i)
					}
					seen[i] = true
					if (r.Err != nil) != fails[i] || (!fails[i] && r.Value != i*10) {
						t.Fatalf("Stream[%d] = %v, %v", i, r.Value, r.Err)
					}
				}
				for i, s := range seen {
					if !s {
						t.Fatalf("Stream never yielded index %d", i)
					}
				}

				if _, err := gather.All(t.Context(), 7, mixed...); !errors.Is(err, errBoom) {
					t.Fatalf("All with failures: err = %v, want errBoom", err)
				}
			})
		})
	}
}

func checkValues(t *testing.T, form string, out []int, n int) {
	t.Helper()
	if len(out) != n {
		t.Fatalf("%s: %d values, want %d", form, len(out), n)
	}
	for i, v := range out {
		if v != i*10 {
			t.Fatalf("%s: out[%d] = %d, want %d", form, i, v, i*10)
		}
	}
}

// TestEmptyAndNil checks zero tasks and nil tasks in every form.
func TestEmptyAndNil(t *testing.T) {
	ctx := context.Background()
	t.Run("zero tasks", func(t *testing.T) {
		out, err := gather.All[int](ctx, 0)
		if out == nil || len(out) != 0 || err != nil {
			t.Errorf("All() = %#v, %v; want empty non-nil, nil", out, err)
		}
		m, err := gather.Map(ctx, 0, nil, func(context.Context, int) (int, error) { return 0, nil })
		if m == nil || len(m) != 0 || err != nil {
			t.Errorf("Map(nil) = %#v, %v; want empty non-nil, nil", m, err)
		}
		if r := gather.Settled[int](ctx, 0); r == nil || len(r) != 0 {
			t.Errorf("Settled() = %#v; want empty non-nil", r)
		}
		for range gather.Stream[int](ctx, 0) {
			t.Error("Stream() yielded")
		}
		s, err := gather.AllSeq(ctx, 0, func(func(gather.Task[int]) bool) {})
		if s == nil || len(s) != 0 || err != nil {
			t.Errorf("AllSeq(empty) = %#v, %v; want empty non-nil, nil", s, err)
		}
	})

	ran := 0
	ok := func(context.Context) (int, error) { ran++; return 1, nil }
	t.Run("All runs nothing", func(t *testing.T) {
		ran = 0
		out, err := gather.All(ctx, 1, ok, ok, nil, ok)
		if out != nil || !errors.Is(err, gather.ErrNilTask) || !strings.Contains(err.Error(), "index 2") {
			t.Fatalf("All = %v, %v; want nil and ErrNilTask naming index 2", out, err)
		}
		if ran != 0 {
			t.Fatalf("%d tasks ran, want 0", ran)
		}
	})
	t.Run("Map nil fn", func(t *testing.T) {
		out, err := gather.Map[int, int](ctx, 1, []int{1}, nil)
		if out != nil || !errors.Is(err, gather.ErrNilFunc) || err.Error() != "gather: nil function given to Map" {
			t.Fatalf("Map(nil fn) = %v, %v; want nil, ErrNilFunc naming Map", out, err)
		}
		out, err = gather.MapSeq[int, int](ctx, 1, func(func(int) bool) { t.Error("pulled") }, nil)
		if out != nil || !errors.Is(err, gather.ErrNilFunc) || err.Error() != "gather: nil function given to MapSeq" {
			t.Fatalf("MapSeq(nil fn) = %v, %v; want nil, ErrNilFunc naming MapSeq", out, err)
		}
		res := gather.MapSettled[int, int](ctx, 1, []int{1, 2}, nil)
		if len(res) != 2 || !errors.Is(res[0].Err, gather.ErrNilFunc) || !errors.Is(res[1].Err, gather.ErrNilFunc) ||
			res[0].Err.Error() != "gather: nil function given to MapSettled" {
			t.Fatalf("MapSettled(nil fn) = %v; want ErrNilFunc in every slot", res)
		}
		if errors.Is(err, gather.ErrNilTask) {
			t.Fatalf("a nil function is reported as a nil task: %v", err)
		}
	})
	t.Run("Settled fills the slot and runs the rest", func(t *testing.T) {
		ran = 0
		res := gather.Settled(ctx, 1, ok, nil, ok)
		if ran != 2 || res[0].Value != 1 || res[2].Value != 1 || res[0].Err != nil || res[2].Err != nil {
			t.Fatalf("ran=%d res=%v", ran, res)
		}
		if !errors.Is(res[1].Err, gather.ErrNilTask) || !strings.Contains(res[1].Err.Error(), "index 1") {
			t.Fatalf("slot 1 = %v, want ErrNilTask naming index 1", res[1].Err)
		}
	})
	t.Run("Stream yields it", func(t *testing.T) {
		ran = 0
		var nilErr error
		for i, r := range gather.Stream(ctx, 1, ok, nil, ok) {
			if i == 1 {
				nilErr = r.Err
			}
		}
		if ran != 2 || !errors.Is(nilErr, gather.ErrNilTask) {
			t.Fatalf("ran=%d slot 1 err=%v", ran, nilErr)
		}
	})
	t.Run("AllSeq stops at it", func(t *testing.T) {
		out, err := gather.AllSeq(ctx, 1, func(yield func(gather.Task[int]) bool) {
			_ = yield(ok) && yield(nil) && yield(ok)
		})
		if !slices.Equal(out, []int{1}) || !errors.Is(err, gather.ErrNilTask) || !strings.Contains(err.Error(), "index 1") {
			t.Fatalf("AllSeq = %v, %v; want the value of task 0 and ErrNilTask naming index 1", out, err)
		}
	})
}
