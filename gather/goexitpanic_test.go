package gather_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"testing/synctest"

	"github.com/asyncutils-go/asyncutils/gather"
)

// TestGoexitMixedWithPanic: a task whose deferred call panics while it is
// calling runtime.Goexit (the recovered panic resumes the Goexit), or that
// calls Goexit from a defer while panicking. Every form must still report
// the task's failure in its slot and neither hang nor lose the other tasks.
func TestGoexitMixedWithPanic(t *testing.T) {
	kinds := []struct {
		name string
		fail func()
	}{
		{"panic during Goexit", func() {
			defer func() { panic("deferred") }()
			runtimeGoexit()
		}},
		{"Goexit during panic", func() {
			defer runtimeGoexit()
			panic("first")
		}},
	}
	const total, bad = 12, 3
	for _, kind := range kinds {
		for _, n := range []int{1, 3} {
			tasks := make([]gather.Task[int], total)
			for i := range tasks {
				tasks[i] = func(context.Context) (int, error) {
					if i == bad {
						kind.fail()
					}
					return i + 1, nil
				}
			}
			failed := func(err error) bool {
				var pe *gather.PanicError
				return errors.Is(err, gather.ErrGoexit) || errors.As(err, &pe)
			}
			name := fmt.Sprintf("%s/n=%d", kind.name, n)
			t.Run(name+"/All", func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					out, err := gather.All(t.Context(), n, tasks...)
					var te *gather.TaskError
					if len(out) != total || !errors.As(err, &te) || te.Index != bad || !failed(err) || out[bad] != 0 {
						t.Fatalf("All = %v, %v; want task %d's failure and a zero in its slot", out, err, bad)
					}
				})
			})
			t.Run(name+"/Settled", func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					for i, r := range gather.Settled(t.Context(), n, tasks...) {
						if i == bad && !failed(r.Err) || i != bad && (r.Err != nil || r.Value != i+1) {
							t.Errorf("slot %d = %v, %v", i, r.Value, r.Err)
						}
					}
				})
			})
			t.Run(name+"/Stream", func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					count := 0
					for i, r := range gather.Stream(t.Context(), n, tasks...) {
						count++
						if i == bad && !failed(r.Err) || i != bad && (r.Err != nil || r.Value != i+1) {
							t.Errorf("slot %d = %v, %v", i, r.Value, r.Err)
						}
					}
					if count != total {
						t.Errorf("%d results, want %d", count, total)
					}
				})
			})
			t.Run(name+"/AllSeq", func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					out, err := gather.AllSeq(t.Context(), n, func(yield func(gather.Task[int]) bool) {
						for _, task := range tasks {
							if !yield(task) {
								return
							}
						}
					})
					var te *gather.TaskError
					if len(out) <= bad || !errors.As(err, &te) || te.Index != bad || !failed(err) || out[bad] != 0 {
						t.Fatalf("AllSeq = %v, %v; want task %d's failure and a zero in its slot", out, err, bad)
					}
				})
			})
		}
	}
}
