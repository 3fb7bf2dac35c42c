package accumulate_test

import (
	"context"
	"errors"
	"testing"

	"github.com/asyncutils-go/asyncutils/accumulate"
)

func TestWithOrder(t *testing.T) {
	tests := []struct {
		name     string
		order    []accumulate.Option
		callOnce bool
		want     []int // what one call runs
	}{
		{name: "default is oldest first", callOnce: true, want: seq(0, 5)},
		{name: "OldestFirst", order: []accumulate.Option{accumulate.WithOrder(accumulate.OldestFirst)}, callOnce: true, want: seq(0, 5)},
		{name: "NewestFirst", order: []accumulate.Option{accumulate.WithOrder(accumulate.NewestFirst)}, callOnce: true, want: []int{4, 3, 2, 1, 0}},
		{name: "NewestFirst, every time", order: []accumulate.Option{accumulate.WithOrder(accumulate.NewestFirst)}, want: []int{4, 3, 2, 1, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			acc := accumulate.New[error](append(tt.order, accumulate.WithCallOnce(tt.callOnce))...)
			for i := range 5 {
				acc.Add(rec.cb(i, nil))
			}
			if got := ids(t, acc.Callbacks(), rec); !equal(got, seq(0, 5)) {
				t.Fatalf("Callbacks() = %v, want oldest first whatever the order", got)
			}
			if err := acc.Call(context.Background(), nil); err != nil {
				t.Fatal(err)
			}
			if got := rec.take(); !equal(got, tt.want) {
				t.Fatalf("ran %v, want %v", got, tt.want)
			}
			wantLeft := 5
			if tt.callOnce {
				wantLeft = 0
			}
			if acc.Len() != wantLeft {
				t.Fatalf("Len() = %d after the call, want %d", acc.Len(), wantLeft)
			}
		})
	}
}

// TestWithOrder_NewestFirstErrorIndex: errors come in run order, and each
// Index names the callback's position in Callbacks(), oldest first.
func TestWithOrder_NewestFirstErrorIndex(t *testing.T) {
	acc := accumulate.New[error](accumulate.WithOrder(accumulate.NewestFirst))
	errOld, errNew := errors.New("old"), errors.New("new")
	acc.Add(func(context.Context, error) error { return errOld })
	acc.Add(func(context.Context, error) error { return nil })
	acc.Add(func(context.Context, error) error { panic(errNew) })
	err := acc.Call(context.Background(), nil)
	errs := err.(interface{ Unwrap() []error }).Unwrap()
	var first, second *accumulate.CallbackError
	if len(errs) != 2 || !errors.As(errs[0], &first) || !errors.As(errs[1], &second) {
		t.Fatalf("err = %v, want two *CallbackError", err)
	}
	var pe *accumulate.PanicError
	if first.Index != 2 || !errors.As(first, &pe) || !errors.Is(first, errNew) || second.Index != 0 || !errors.Is(second, errOld) {
		t.Fatalf("err = %v, want callback 2's panic, then callback 0's error", err)
	}
}

// TestWithOrder_NewestFirstInterrupted: a call that runs newest first and
// is interrupted leaves the oldest callbacks queued, in order, with the ones
// added during the call after them, also when the ring is bounded and has
// wrapped.
func TestWithOrder_NewestFirstInterrupted(t *testing.T) {
	tests := []struct {
		name      string
		maxLen    int
		queued    int // callbacks 0..queued-1 before the call; ring rotated first
		rotate    int // callbacks added and run before, so that the ring wraps
		stopAt    int // the ctx ends after this many callbacks
		addDuring int
		wantRan   []int
		wantNext  []int // what the next call runs, newest first
	}{
		{name: "unbounded", queued: 5, stopAt: 2, addDuring: 2, wantRan: []int{4, 3}, wantNext: []int{101, 100, 2, 1, 0}},
		{name: "bounded, wrapped", maxLen: 8, queued: 5, rotate: 6, stopAt: 3, addDuring: 3, wantRan: []int{4, 3, 2}, wantNext: []int{102, 101, 100, 1, 0}},
		{name: "nothing started", queued: 3, stopAt: 0, wantRan: nil, wantNext: []int{2, 1, 0}},
		{name: "all started", queued: 3, stopAt: 3, addDuring: 1, wantRan: []int{2, 1, 0}, wantNext: []int{100}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			acc := accumulate.New[error](accumulate.WithOrder(accumulate.NewestFirst), accumulate.WithMaxLen(tt.maxLen))
			for i := range tt.rotate {
				acc.Add(rec.cb(-1-i, nil))
			}
			if err := acc.Call(context.Background(), nil); err != nil {
				t.Fatal(err)
			}
			rec.take()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			n := 0
			for i := range tt.queued {
				acc.Add(func(c context.Context, e error) error {
					if n == 0 {
						for j := range tt.addDuring {
							acc.Add(rec.cb(100+j, nil))
						}
					}
					n++
					if n == tt.stopAt {
						cancel()
					}
					return rec.cb(i, nil)(c, e)
				})
			}
			if tt.stopAt == 0 {
				cancel()
			}
			err := acc.Call(ctx, nil)
			var ie *accumulate.InterruptedError
			if skipped := tt.queued - tt.stopAt; skipped > 0 && (!errors.As(err, &ie) || ie.Skipped != skipped || ie.Total != tt.queued) {
				t.Fatalf("err = %v, want %d of %d skipped", err, skipped, tt.queued)
			}
			if got := rec.take(); !equal(got, tt.wantRan) {
				t.Fatalf("ran %v, want %v", got, tt.wantRan)
			}
			if acc.Len() != len(tt.wantNext) {
				t.Fatalf("Len() = %d, want %d", acc.Len(), len(tt.wantNext))
			}
			if err := acc.Call(context.Background(), nil); err != nil {
				t.Fatal(err)
			}
			if got := rec.take(); !equal(got, tt.wantNext) {
				t.Fatalf("the next call ran %v, want %v", got, tt.wantNext)
			}
		})
	}
}
