package accumulate_test

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/asyncutils-go/asyncutils/accumulate"
)

// seen collects the argument each callback got.
type seen struct {
	mu   sync.Mutex
	args []error
}

func (s *seen) cb(ret error) accumulate.Func[error] {
	return func(_ context.Context, arg error) error {
		s.mu.Lock()
		s.args = append(s.args, arg)
		s.mu.Unlock()
		return ret
	}
}

func TestExit(t *testing.T) {
	errWork, errHook := errors.New("work failed"), errors.New("hook failed")
	tests := []struct {
		name      string
		workErr   error
		hookErr   error
		wantIs    []error
		wantNil   bool
		wantFirst error // the function's own error comes first
	}{
		{name: "success, hooks succeed", wantNil: true},
		{name: "failure seen by every hook", workErr: errWork, wantIs: []error{errWork}, wantFirst: errWork},
		{name: "hook failure joined", hookErr: errHook, wantIs: []error{errHook}},
		{name: "both", workErr: errWork, hookErr: errHook, wantIs: []error{errWork, errHook}, wantFirst: errWork},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &seen{}
			acc := accumulate.New[error]()
			acc.Add(s.cb(nil))
			acc.Add(s.cb(tt.hookErr))
			acc.Add(s.cb(nil))
			work := func(ctx context.Context) (err error) {
				defer acc.Exit(ctx, &err, &err)
				err = errors.New("overwritten before return")
				return tt.workErr
			}
			err := work(context.Background())
			if len(s.args) != 3 {
				t.Fatalf("%d hooks ran, want 3", len(s.args))
			}
			for i, arg := range s.args {
				if arg != tt.workErr { //nolint:errorlint // identity: the very error returned
					t.Fatalf("hook %d saw %v, want the returned error %v", i, arg, tt.workErr)
				}
			}
			if tt.wantNil != (err == nil) {
				t.Fatalf("err = %v, want nil: %v", err, tt.wantNil)
			}
			for _, w := range tt.wantIs {
				if !errors.Is(err, w) {
					t.Fatalf("err = %v, want errors.Is %v", err, w)
				}
			}
			if tt.wantFirst != nil {
				if j, ok := err.(interface{ Unwrap() []error }); ok && j.Unwrap()[0] != tt.wantFirst { //nolint:errorlint // identity
					t.Fatalf("err = %v: the function's error is not first", err)
				}
			}
			if acc.Len() != 0 {
				t.Fatalf("Len() = %d after the scope, want 0", acc.Len())
			}
		})
	}
}

func TestExit_NilPointers(t *testing.T) {
	errHook := errors.New("hook failed")
	s := &seen{}
	acc := accumulate.New[error](accumulate.WithCallOnce(false))
	acc.Add(s.cb(errHook))
	func() {
		defer acc.Exit(context.Background(), nil, nil) // zero arg, error discarded
	}()
	if len(s.args) != 1 || s.args[0] != nil {
		t.Fatalf("hook args %v, want one nil", s.args)
	}
}

func TestExit_DuringPanic(t *testing.T) {
	s := &seen{}
	acc := accumulate.New[error]()
	acc.Add(s.cb(nil))
	var recovered any
	func() {
		defer func() { recovered = recover() }()
		_ = func() (err error) {
			defer acc.Exit(context.Background(), &err, &err)
			panic("kaput")
		}()
	}()
	if recovered != "kaput" {
		t.Fatalf("recovered %v, want the panic to go on after the hooks", recovered)
	}
	if len(s.args) != 1 {
		t.Fatalf("%d hooks ran during the panic, want 1", len(s.args))
	}
}

func TestGo(t *testing.T) {
	errHook := errors.New("hook failed")
	release := make(chan struct{})
	s := &seen{}
	acc := accumulate.New[error]()
	acc.Add(func(context.Context, error) error { <-release; return nil })
	acc.Add(s.cb(errHook))
	errWork := errors.New("work failed")

	var p *accumulate.Pending
	work := func(ctx context.Context) (err error) {
		defer func() { p = acc.Go(ctx, err) }() // hands off, returns at once
		return errWork
	}
	if err := work(context.Background()); !errors.Is(err, errWork) {
		t.Fatalf("work returned %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := p.Wait(ctx)
	var ie *accumulate.InterruptedError
	if !errors.Is(err, context.Canceled) || errors.As(err, &ie) {
		t.Fatalf("Wait with an ended ctx = %v, want plain ctx.Err()", err)
	}
	select {
	case <-p.Done():
		t.Fatal("Done closed while a hook is blocked")
	default:
	}
	close(release)
	<-p.Done()
	for range 2 { // Wait may be called again
		if err := p.Wait(context.Background()); !errors.Is(err, errHook) {
			t.Fatalf("Wait = %v, want the hook's error", err)
		}
	}
	if len(s.args) != 1 || !errors.Is(s.args[0], errWork) {
		t.Fatalf("the hook saw %v, want the function's error", s.args)
	}
}

func TestGo_InlineGoexit(t *testing.T) {
	acc := accumulate.New[error](accumulate.WithExecutor(inline))
	acc.Add(func(context.Context, error) error { runtime.Goexit(); return nil })
	err := acc.Go(context.Background(), nil).Wait(context.Background())
	if !errors.Is(err, accumulate.ErrGoexit) {
		t.Fatalf("Wait = %v, want ErrGoexit", err)
	}
}

func TestGo_PanickingExecutor(t *testing.T) {
	acc := accumulate.New[error](accumulate.WithExecutor(accumulate.ExecutorFunc(func(func()) { panic("pool closed") })))
	acc.Add(func(context.Context, error) error { return nil })
	err := acc.Go(context.Background(), nil).Wait(context.Background())
	var pe *accumulate.PanicError
	if !errors.As(err, &pe) || pe.Value != "pool closed" {
		t.Fatalf("Wait = %v, want the executor's panic as a *PanicError", err)
	}
	if acc.Len() != 1 {
		t.Fatalf("Len() = %d, want the callback still queued", acc.Len())
	}
}

// TestGo_EndsWithoutWait: a Pending nobody waits for still ends with its
// call; one whose ctx ends while it waits for its turn ends at once with an
// *InterruptedError and leaves the callbacks queued. No goroutine is left.
func TestGo_EndsWithoutWait(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{})
	rec := &recorder{}
	acc := accumulate.New[error]()
	acc.Add(func(context.Context, error) error { close(started); <-release; return nil })
	first := acc.Go(context.Background(), nil) // holds the turn
	<-started
	acc.Add(rec.cb(1, nil))

	ctx, cancel := context.WithCancel(context.Background())
	second := acc.Go(ctx, nil) // waits for its turn
	cancel()
	<-second.Done() // ends although the first call still runs
	var ie *accumulate.InterruptedError
	if err := second.Wait(context.Background()); !errors.As(err, &ie) || !errors.Is(err, context.Canceled) {
		t.Fatalf("second Wait = %v, want an *InterruptedError wrapping context.Canceled", err)
	}
	close(release)
	<-first.Done() // nobody calls Wait on it
	if got := rec.take(); len(got) != 0 || acc.Len() != 1 {
		t.Fatalf("ran %v, Len() = %d; want nothing run, the callback still queued", got, acc.Len())
	}
	goleak.VerifyNone(t)
}
