package accumulate_test

import (
	"context"
	"errors"
	"runtime"
	"testing"

	"go.uber.org/goleak"

	"github.com/asyncutils-go/asyncutils/accumulate"
)

// TestNothingLeftRunning checks, after each way a call can end, that no
// goroutine of the accumulator is left: the default executor's goroutine
// ends with the call, and a handed-off call's ends with its Pending.
func TestNothingLeftRunning(t *testing.T) {
	errFail := errors.New("fail")
	tests := []struct {
		name string
		run  func(acc *accumulate.Accumulator[error])
	}{
		{"call", func(acc *accumulate.Accumulator[error]) { _ = acc.Call(context.Background(), nil) }},
		{"cancelled call", func(acc *accumulate.Accumulator[error]) {
			ctx, cancel := context.WithCancel(context.Background())
			acc.Add(func(context.Context, error) error { cancel(); return nil })
			acc.Add(func(context.Context, error) error { return nil })
			_ = acc.Call(ctx, nil)
		}},
		{"handed off", func(acc *accumulate.Accumulator[error]) {
			_ = acc.Go(context.Background(), nil).Wait(context.Background())
		}},
		{"scope exit", func(acc *accumulate.Accumulator[error]) {
			_ = func() (err error) {
				defer acc.Exit(context.Background(), &err, &err)
				return errFail
			}()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			acc := accumulate.New[error]()
			acc.Add(func(context.Context, error) error { return errFail })
			acc.Add(func(context.Context, error) error { panic("boom") })
			acc.Add(func(context.Context, error) error { runtime.Goexit(); return nil })
			tt.run(acc)
			goleak.VerifyNone(t)
		})
	}
}
