package gather_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/asyncutils-go/asyncutils/gather"
)

// TestSeqLazy proves the input is pulled only as workers need it: with n
// tasks blocked, exactly n inputs have been pulled; each completion lets
// exactly one more be pulled.
func TestSeqLazy(t *testing.T) {
	for _, n := range []int{1, 3, 8} {
		t.Run("", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var pulled, started atomic.Int64
				release := make(chan struct{})
				input := func(yield func(int) bool) {
					for i := 0; ; i++ { // endless: only laziness keeps this finite
						pulled.Add(1)
						if !yield(i) || i == 99 {
							return
						}
					}
				}
				done := make(chan error)
				var out []int
				go func() {
					var err error
					out, err = gather.MapSeq(t.Context(), n, input, func(_ context.Context, v int) (int, error) {
						started.Add(1)
						<-release
						return v * 2, nil
					})
					done <- err
				}()
				synctest.Wait()
				if p, s := pulled.Load(), started.Load(); p != int64(n) || s != int64(n) {
					t.Fatalf("with %d tasks blocked: %d pulled, %d started; want %d and %d", n, p, s, n, n)
				}
				for k := 1; k <= 3; k++ {
					release <- struct{}{} // one task completes
					synctest.Wait()
					if p := pulled.Load(); p != int64(n+k) {
						t.Fatalf("after %d completions: %d pulled, want %d", k, p, n+k)
					}
				}
				close(release)
				if err := <-done; err != nil {
					t.Fatal(err)
				}
				if len(out) != 100 || out[99] != 198 {
					t.Fatalf("len(out) = %d, want 100 in order", len(out))
				}
			})
		})
	}
}

// TestSeqStopsPulling: after a failure the input is not pulled any more.
func TestSeqStopsPulling(t *testing.T) {
	var pulled atomic.Int64
	input := func(yield func(int) bool) {
		for i := 0; ; i++ {
			pulled.Add(1)
			if !yield(i) {
				return
			}
		}
	}
	_, err := gather.MapSeq(context.Background(), 2, input, func(ctx context.Context, v int) (int, error) {
		switch {
		case v == 5:
			return 0, errBoom
		case v > 5: // still running when task 5 fails
			<-ctx.Done()
			return 0, ctx.Err()
		}
		return v, nil
	})
	var te *gather.TaskError
	if !errors.As(err, &te) || te.Index != 5 || !errors.Is(err, errBoom) {
		t.Fatalf("err = %v, want task 5's failure", err)
	}
	if p := pulled.Load(); p > 5+2 {
		t.Fatalf("%d inputs pulled, want at most k+n = %d", p, 5+2)
	}
}

// TestSeqUnlimited: n < 0 starts a worker per input that has no idle one.
func TestSeqUnlimited(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newProbe()
		release := make(chan struct{})
		tasks := func(yield func(gather.Task[int]) bool) {
			for i := range 20 {
				if !yield(func(context.Context) (int, error) { defer p.enter()(); <-release; return i, nil }) {
					return
				}
			}
		}
		go func() { synctest.Wait(); close(release) }()
		out, err := gather.AllSeq(t.Context(), -1, tasks)
		if err != nil || len(out) != 20 {
			t.Fatalf("AllSeq = %v, %v", out, err)
		}
		if p.peak.Load() != 20 {
			t.Fatalf("peak = %d, want all 20 at once", p.peak.Load())
		}
	})
}

// TestSeqGoexit: the input sequence calls runtime.Goexit on the caller's
// goroutine. That goroutine exits as Go defines, after the running tasks
// were cancelled and waited for; nothing is left behind (goleak).
func TestSeqGoexit(t *testing.T) {
	var running atomic.Int64
	task := func(ctx context.Context) (int, error) {
		running.Add(1)
		defer running.Add(-1)
		<-ctx.Done()
		return 0, ctx.Err()
	}
	done := make(chan struct{})
	returned := false
	go func() {
		defer close(done)
		// Limit 3: a slot is free after the second task, so the input runs on.
		_, _ = gather.AllSeq(context.Background(), 3, func(yield func(gather.Task[int]) bool) {
			for range 2 {
				if !yield(task) {
					return
				}
			}
			runtimeGoexit()
		})
		returned = true
	}()
	<-done
	if returned {
		t.Fatal("AllSeq returned although its input called runtime.Goexit")
	}
	if running.Load() != 0 {
		t.Fatalf("%d tasks still running", running.Load())
	}
}
