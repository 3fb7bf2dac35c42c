package accumulate_test

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/asyncutils-go/asyncutils/accumulate"
)

func TestCall_OrderAndModes(t *testing.T) {
	tests := []struct {
		name      string
		callOnce  bool
		wantAfter []int // queued after the first call
		wantRerun []int // what a second call runs
	}{
		{name: "call-once", callOnce: true, wantAfter: nil, wantRerun: nil},
		{name: "every time", callOnce: false, wantAfter: seq(0, 5), wantRerun: seq(0, 5)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			acc := accumulate.New[error](accumulate.WithCallOnce(tt.callOnce))
			for i := range 5 {
				acc.Add(rec.cb(i, nil))
			}
			if err := acc.Call(context.Background(), nil); err != nil {
				t.Fatal(err)
			}
			if got := rec.take(); !equal(got, seq(0, 5)) {
				t.Fatalf("first call ran %v, want oldest first %v", got, seq(0, 5))
			}
			if got := ids(t, acc.Callbacks(), rec); !equal(got, tt.wantAfter) {
				t.Fatalf("queued after the call: %v, want %v", got, tt.wantAfter)
			}
			if err := acc.Call(context.Background(), nil); err != nil {
				t.Fatal(err)
			}
			if got := rec.take(); !equal(got, tt.wantRerun) {
				t.Fatalf("second call ran %v, want %v", got, tt.wantRerun)
			}
		})
	}
}

func TestCall_PassesCtxAndArg(t *testing.T) {
	type key struct{}
	ctx := context.WithValue(context.Background(), key{}, "v")
	acc := accumulate.New[string]()
	var got []string
	acc.Add(func(ctx context.Context, arg string) error {
		got = append(got, arg, ctx.Value(key{}).(string))
		return nil
	})
	if err := acc.Call(ctx, "arg"); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "arg,v" {
		t.Fatalf("callback saw %v, want [arg v]", got)
	}
}

func TestCall_ErrorsAndPanicsInRunOrder(t *testing.T) {
	errA, errB, errC := errors.New("a"), errors.New("b"), errors.New("c")
	rec := &recorder{}
	acc := accumulate.New[error]()
	acc.Add(rec.cb(0, nil))
	acc.Add(rec.cb(1, errA))
	acc.Add(func(context.Context, error) error { panic("boom") })
	acc.Add(rec.cb(3, errB))
	acc.Add(func(context.Context, error) error { panic(errC) })
	acc.Add(rec.cb(5, nil))

	err := acc.Call(context.Background(), nil)
	if got := rec.take(); !equal(got, []int{0, 1, 3, 5}) {
		t.Fatalf("ran %v: a failure stopped the others", got)
	}
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("err = %T %v, want a joined error", err, err)
	}
	errs := joined.Unwrap()
	want := []struct {
		index int
		is    error
		panic any
	}{{1, errA, nil}, {2, nil, "boom"}, {3, errB, nil}, {4, errC, errC}}
	if len(errs) != len(want) {
		t.Fatalf("got %d errors, want %d: %v", len(errs), len(want), err)
	}
	for i, w := range want {
		var ce *accumulate.CallbackError
		if !errors.As(errs[i], &ce) || ce.Index != w.index {
			t.Fatalf("error %d = %v, want a *CallbackError for callback %d", i, errs[i], w.index)
		}
		if !strings.HasPrefix(ce.Error(), "accumulate: callback ") {
			t.Errorf("message %q lacks the package and position", ce.Error())
		}
		if w.is != nil && !errors.Is(errs[i], w.is) {
			t.Errorf("error %d = %v, want errors.Is %v", i, errs[i], w.is)
		}
		var pe *accumulate.PanicError
		if got := errors.As(errs[i], &pe); got != (w.panic != nil) {
			t.Errorf("error %d: errors.As(*PanicError) = %v, want %v", i, got, w.panic != nil)
		} else if got && pe.Value != w.panic {
			t.Errorf("error %d: panic value %v, want %v", i, pe.Value, w.panic)
		}
	}
	if acc.Len() != 0 {
		t.Fatalf("Len() = %d after a call-once call, want 0: failed callbacks ran too", acc.Len())
	}
}

// goexits are the two ways a callback can end its goroutine with
// runtime.Goexit: plainly, and with a deferred call that panics during the
// Goexit (recovering that panic resumes the Goexit).
var goexits = []struct {
	name string
	exit func()
}{
	{"plain", func() { runtime.Goexit() }},
	{"deferred panic", func() {
		defer func() { panic("during goexit") }()
		runtime.Goexit()
	}},
}

func TestCall_Goexit(t *testing.T) {
	for _, g := range goexits {
		t.Run(g.name, func(t *testing.T) {
			rec := &recorder{}
			acc := accumulate.New[error]()
			for i := range 5 {
				if i%2 == 1 {
					acc.Add(func(context.Context, error) error { g.exit(); return nil })
					continue
				}
				acc.Add(rec.cb(i, nil))
			}
			err := acc.Call(context.Background(), nil) // must return
			if got := rec.take(); !equal(got, []int{0, 2, 4}) {
				t.Fatalf("ran %v, want [0 2 4]: a Goexit stopped the others", got)
			}
			if !errors.Is(err, accumulate.ErrGoexit) {
				t.Fatalf("err = %v, want ErrGoexit", err)
			}
			errs := err.(interface{ Unwrap() []error }).Unwrap()
			for i, index := range []int{1, 3} {
				var ce *accumulate.CallbackError
				if !errors.As(errs[i], &ce) || ce.Index != index || !errors.Is(ce, accumulate.ErrGoexit) {
					t.Fatalf("error %d = %v, want ErrGoexit for callback %d", i, errs[i], index)
				}
			}
			// The accumulator is still usable.
			acc.Add(rec.cb(9, nil))
			if err := acc.Call(context.Background(), nil); err != nil || !equal(rec.take(), []int{9}) {
				t.Fatalf("call after a Goexit: %v", err)
			}
		})
	}
}

func TestCall_CtxCancelledMidCall(t *testing.T) {
	errCause := errors.New("shutting down")
	tests := []struct {
		name     string
		callOnce bool
		exec     accumulate.Executor
	}{
		{name: "call-once", callOnce: true},
		{name: "every time", callOnce: false},
		{name: "call-once, goroutine per hand-off", callOnce: true, exec: goEach{}},
		{name: "call-once, inline", callOnce: true, exec: inline},
	}
	for _, tt := range tests {
		callOnce := tt.callOnce
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancelCause(context.Background())
			defer cancel(nil)
			rec := &recorder{}
			acc := accumulate.New[error](accumulate.WithCallOnce(callOnce), accumulate.WithExecutor(tt.exec))
			acc.Add(rec.cb(0, nil))
			acc.Add(func(context.Context, error) error { cancel(errCause); return nil })
			for i := 2; i < 5; i++ {
				acc.Add(rec.cb(i, nil))
			}

			err := acc.Call(ctx, nil)
			if got := rec.take(); !equal(got, []int{0}) {
				t.Fatalf("ran %v, want [0]: callbacks started after ctx ended", got)
			}
			if !errors.Is(err, context.Canceled) || !errors.Is(err, errCause) {
				t.Fatalf("err = %v, want errors.Is context.Canceled and the cause", err)
			}
			var ie *accumulate.InterruptedError
			if !errors.As(err, &ie) || ie.Skipped != 3 || ie.Total != 5 {
				t.Fatalf("err = %v, want an *InterruptedError with 3 of 5 skipped", err)
			}
			if !strings.Contains(err.Error(), "3 of 5 callbacks not started") {
				t.Fatalf("message %q does not say how many were skipped", err.Error())
			}
			// The canceller (1) records nothing; ids() runs it again harmlessly.
			wantQueued := []int{2, 3, 4}
			if !callOnce {
				wantQueued = []int{0, 2, 3, 4}
			}
			if got := ids(t, acc.Callbacks(), rec); !equal(got, wantQueued) {
				t.Fatalf("queued %v, want %v", got, wantQueued)
			}
			if err := acc.Call(context.Background(), nil); err != nil {
				t.Fatal(err)
			}
			if got := rec.take(); !equal(got, wantQueued) {
				t.Fatalf("the next call ran %v, want %v", got, wantQueued)
			}
		})
	}
}

func TestCall_CtxDoneBeforeStart(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rec := &recorder{}
	acc := accumulate.New[error]()
	acc.Add(rec.cb(0, nil))
	acc.Add(rec.cb(1, nil))
	err := acc.Call(ctx, nil)
	var ie *accumulate.InterruptedError
	if !errors.As(err, &ie) || ie.Skipped != 2 || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want 2 skipped and context.Canceled", err)
	}
	if len(rec.take()) != 0 || acc.Len() != 2 {
		t.Fatalf("a call with a done ctx ran something or lost something (Len %d)", acc.Len())
	}
}

func TestCall_CtxEndsWhileWaitingForTurn(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{})
	acc := accumulate.New[error]()
	acc.Add(func(context.Context, error) error { close(started); <-release; return nil })
	first := make(chan error)
	go func() { first <- acc.Call(context.Background(), nil) }()
	<-started
	rec := &recorder{}
	acc.Add(rec.cb(1, nil))

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := acc.Call(ctx, nil) // the first call holds the turn
	// Exactly the callback added after the first call took its snapshot:
	// the running one is that call's, not this one's.
	var ie *accumulate.InterruptedError
	if !errors.As(err, &ie) || !errors.Is(err, context.Canceled) || ie.Skipped != 1 || ie.Total != 1 {
		t.Fatalf("err = %v, want an *InterruptedError counting 1 of 1 callbacks", err)
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if got := rec.take(); len(got) != 0 {
		t.Fatalf("ran %v: the first call ran a callback added after it started", got)
	}
	if err := acc.Call(context.Background(), nil); err != nil || !equal(rec.take(), []int{1}) {
		t.Fatalf("the callback added during the first call did not run next (err %v)", err)
	}
}

func TestCall_ChangesDuringACall(t *testing.T) {
	tests := []struct {
		name       string
		maxLen     int
		callOnce   bool
		during     func(acc *accumulate.Accumulator[error], rec *recorder)
		wantRan    []int // by the call
		wantQueued []int // after it
	}{
		{
			name: "add, call-once", callOnce: true,
			during:  func(acc *accumulate.Accumulator[error], rec *recorder) { acc.Add(rec.cb(10, nil)) },
			wantRan: []int{0, 1, 2}, wantQueued: []int{10},
		},
		{
			name: "add, every time", callOnce: false,
			during:  func(acc *accumulate.Accumulator[error], rec *recorder) { acc.Add(rec.cb(10, nil)) },
			wantRan: []int{0, 1, 2}, wantQueued: []int{0, 1, 2, 10},
		},
		{
			name: "add evicts the call's callbacks, call-once", maxLen: 3, callOnce: true,
			during: func(acc *accumulate.Accumulator[error], rec *recorder) {
				acc.Add(rec.cb(10, nil))
				acc.Add(rec.cb(11, nil))
			},
			wantRan: []int{0, 1, 2}, wantQueued: []int{10, 11},
		},
		{
			name: "add evicts the call's callbacks, every time", maxLen: 3, callOnce: false,
			during: func(acc *accumulate.Accumulator[error], rec *recorder) {
				acc.Add(rec.cb(10, nil))
				acc.Add(rec.cb(11, nil))
			},
			wantRan: []int{0, 1, 2}, wantQueued: []int{2, 10, 11},
		},
		{
			name: "offer refused while the call's callbacks are queued", maxLen: 3, callOnce: true,
			during: func(acc *accumulate.Accumulator[error], rec *recorder) {
				if acc.Offer(rec.cb(10, nil)) {
					panic("Offer accepted into a full accumulator")
				}
			},
			wantRan: []int{0, 1, 2}, wantQueued: nil,
		},
		{
			name: "clear, then add", callOnce: false,
			during: func(acc *accumulate.Accumulator[error], rec *recorder) {
				acc.Clear()
				acc.Add(rec.cb(10, nil))
			},
			wantRan: []int{0, 1, 2}, wantQueued: []int{10},
		},
		{
			name: "clear, then add, call-once", callOnce: true,
			during: func(acc *accumulate.Accumulator[error], rec *recorder) {
				acc.Clear()
				acc.Add(rec.cb(10, nil))
			},
			wantRan: []int{0, 1, 2}, wantQueued: []int{10},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			acc := accumulate.New[error](accumulate.WithMaxLen(tt.maxLen), accumulate.WithCallOnce(tt.callOnce))
			acc.Add(rec.cb(0, nil))
			once := false // ids() below runs the queued callbacks again
			acc.Add(func(ctx context.Context, err error) error {
				_ = rec.cb(1, nil)(ctx, err)
				if !once {
					once = true
					tt.during(acc, rec)
				}
				return nil
			})
			acc.Add(rec.cb(2, nil))
			if err := acc.Call(context.Background(), nil); err != nil {
				t.Fatal(err)
			}
			if got := rec.take(); !equal(got, tt.wantRan) {
				t.Fatalf("the call ran %v, want its snapshot %v", got, tt.wantRan)
			}
			if got := ids(t, acc.Callbacks(), rec); !equal(got, tt.wantQueued) {
				t.Fatalf("queued %v, want %v", got, tt.wantQueued)
			}
		})
	}
}

// TestCall_EmptyReturnsNil: a call with nothing to run returns nil, whether
// its ctx ends while it waits for the turn or was done before it came.
func TestCall_EmptyReturnsNil(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{})
	acc := accumulate.New[error]()
	acc.Add(func(context.Context, error) error { close(started); <-release; return nil })
	first := make(chan error)
	go func() { first <- acc.Call(context.Background(), nil) }()
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	// The running call's callback is that call's to run: nothing is left
	// for this one.
	if err := acc.Call(ctx, nil); err != nil {
		t.Fatalf("err = %v, want nil: the only queued callback is the running call's", err)
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if err := acc.Call(ctx, nil); err != nil {
		t.Fatalf("an empty call with a done ctx returned %v, want nil", err)
	}

	// Empty, with the turn held by a call that has nothing left queued.
	release2 := make(chan struct{})
	started2 := make(chan struct{})
	acc2 := accumulate.New[error]()
	acc2.Add(func(context.Context, error) error { acc2.Clear(); close(started2); <-release2; return nil })
	go func() { first <- acc2.Call(context.Background(), nil) }()
	<-started2
	if err := acc2.Call(ctx, nil); err != nil {
		t.Fatalf("an empty call waiting for its turn returned %v, want nil", err)
	}
	close(release2)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
}
