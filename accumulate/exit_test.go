package accumulate_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/asyncutils-go/asyncutils/accumulate"
)

// TestExit_CtxEnded: a scope whose ctx has ended (a service stopping on
// SIGTERM) still runs every callback, with ctx's values but not its
// cancellation; Call with the same ctx runs none.
func TestExit_CtxEnded(t *testing.T) {
	type key struct{}
	tests := []struct {
		name string
		opts []accumulate.Option
	}{
		{name: "unbounded"},
		{name: "bounded", opts: []accumulate.Option{accumulate.WithExitTimeout(time.Hour)}},
		{name: "inline executor", opts: []accumulate.Option{accumulate.WithExecutor(inline)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancelCause(context.WithValue(context.Background(), key{}, "v"))
			cancel(errors.New("SIGTERM"))
			acc := accumulate.New[error](tt.opts...)
			var got []string
			for i := range 3 {
				acc.Add(func(ctx context.Context, _ error) error {
					if ctx.Err() != nil {
						t.Errorf("callback %d: ctx ended: %v", i, ctx.Err())
					}
					got = append(got, ctx.Value(key{}).(string))
					return nil
				})
			}
			if err := acc.Call(ctx, nil); !errors.Is(err, context.Canceled) {
				t.Fatalf("Call with an ended ctx = %v, want it interrupted", err)
			}
			var err error
			func() { defer acc.Exit(ctx, &err, &err) }()
			if err != nil || len(got) != 3 || acc.Len() != 0 {
				t.Fatalf("Exit: err = %v, %d callbacks saw the ctx values, %d left; want nil, 3, 0", err, len(got), acc.Len())
			}
		})
	}
}

// TestExit_Timeout: WithExitTimeout bounds a shutdown: the callbacks' ctx
// ends when the bound passes, and the callbacks not started by then are
// reported and stay queued.
func TestExit_Timeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		acc := accumulate.New[error](accumulate.WithExitTimeout(5 * time.Second))
		rec := &recorder{}
		acc.Add(rec.cb(0, nil))
		acc.Add(func(ctx context.Context, _ error) error { // drains within the bound
			<-ctx.Done()
			return ctx.Err()
		})
		acc.Add(rec.cb(2, nil))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		start := time.Now()
		var err error
		func() { defer acc.Exit(ctx, &err, &err) }()
		if d := time.Since(start); d != 5*time.Second {
			t.Fatalf("Exit took %v, want the bound, 5s", d)
		}
		var ie *accumulate.InterruptedError
		var ce *accumulate.CallbackError
		if !errors.As(err, &ce) || ce.Index != 1 || !errors.As(err, &ie) || ie.Skipped != 1 || ie.Total != 3 ||
			!errors.Is(ie, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want callback 1's deadline and 1 of 3 not started", err)
		}
		if got := rec.take(); !equal(got, []int{0}) || acc.Len() != 1 {
			t.Fatalf("ran %v with %d left, want [0] and callback 2 still queued", got, acc.Len())
		}
	})
}

// TestExit_TimeoutWhileWaitingForTurn: the bound covers waiting for an
// earlier call too.
func TestExit_TimeoutWhileWaitingForTurn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		acc := accumulate.New[error](accumulate.WithExitTimeout(time.Second))
		release := make(chan struct{})
		acc.Add(func(context.Context, error) error { <-release; return nil })
		first := make(chan error)
		go func() { first <- acc.Call(context.Background(), nil) }()
		synctest.Wait()
		rec := &recorder{}
		acc.Add(rec.cb(1, nil))
		start := time.Now()
		var err error
		func() { defer acc.Exit(context.Background(), &err, &err) }()
		var ie *accumulate.InterruptedError
		if d := time.Since(start); d != time.Second || !errors.As(err, &ie) || ie.Skipped != 1 ||
			!errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Exit after %v: %v, want 1 skipped after the 1s bound", d, err)
		}
		close(release)
		if err := <-first; err != nil {
			t.Fatal(err)
		}
		if acc.Len() != 1 || len(rec.take()) != 0 {
			t.Fatalf("Len() = %d: the callback Exit skipped is not queued", acc.Len())
		}
	})
}
