package internal_test

import (
	"errors"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/asyncutils-go/asyncutils/internal"
)

func TestGuard(t *testing.T) {
	errBoom := errors.New("boom")
	tests := []struct {
		name      string
		fn        func() error
		wantErr   error // matched with errors.Is; nil means no error
		wantPanic bool
		wantValue any
	}{
		{name: "nil error", fn: func() error { return nil }},
		{name: "returned error", fn: func() error { return errBoom }, wantErr: errBoom},
		{name: "panic with error value", fn: func() error { panic(errBoom) }, wantErr: errBoom, wantPanic: true, wantValue: errBoom},
		{name: "panic with string", fn: func() error { panic("kaput") }, wantPanic: true, wantValue: "kaput"},
		{name: "panic with wrapped io.EOF", fn: func() error { panic(io.EOF) }, wantErr: io.EOF, wantPanic: true, wantValue: io.EOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			goexit := false
			err := internal.Guard(tt.fn, func(error) { goexit = true })
			if goexit {
				t.Fatal("onGoexit called without a Goexit")
			}
			if tt.wantErr == nil && !tt.wantPanic && err != nil {
				t.Fatalf("err = %v, want nil", err)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want errors.Is %v", err, tt.wantErr)
			}
			var pe *internal.PanicError
			if got := errors.As(err, &pe); got != tt.wantPanic {
				t.Fatalf("errors.As(*PanicError) = %v, want %v (err %v)", got, tt.wantPanic, err)
			}
			if !tt.wantPanic {
				return
			}
			if pe.Value != tt.wantValue {
				t.Errorf("Value = %v, want %v", pe.Value, tt.wantValue)
			}
			if !strings.Contains(string(pe.Stack), "panic_test.go") {
				t.Errorf("stack does not show the panicking frame:\n%s", pe.Stack)
			}
			if !strings.HasPrefix(pe.Error(), "panic: ") {
				t.Errorf("Error() = %q, want prefix %q", pe.Error(), "panic: ")
			}
		})
	}
}

func TestPanicErrorUnwrapNonError(t *testing.T) {
	pe := &internal.PanicError{Value: 42}
	if pe.Unwrap() != nil {
		t.Fatalf("Unwrap() = %v, want nil for a non-error value", pe.Unwrap())
	}
	if pe.Error() != "panic: 42" {
		t.Fatalf("Error() = %q", pe.Error())
	}
}

func TestGuardPanicNil(t *testing.T) {
	// Since Go 1.21 panic(nil) panics with *runtime.PanicNilError, which is
	// an error; it must not be mistaken for a Goexit.
	goexit := false
	err := internal.Guard(func() error { panic(nil) }, func(error) { goexit = true })
	var pe *internal.PanicError
	if goexit || !errors.As(err, &pe) {
		t.Fatalf("panic(nil): goexit=%v err=%v, want *PanicError", goexit, err)
	}
}

func TestGuardGoexit(t *testing.T) {
	var (
		wg       sync.WaitGroup
		reported error
		returned bool
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = internal.Guard(func() error {
			runtimeGoexit()
			return nil
		}, func(err error) { reported = err })
		returned = true // never reached: Goexit unwinds the goroutine
	}()
	wg.Wait()
	if !errors.Is(reported, internal.ErrGoexit) {
		t.Fatalf("onGoexit got %v, want ErrGoexit", reported)
	}
	if returned {
		t.Fatal("Guard returned after Goexit")
	}
}

func TestGuardGoexitNilCallback(t *testing.T) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = internal.Guard(func() error { runtimeGoexit(); return nil }, nil)
	}()
	<-done // the goroutine unwound without crashing
}

// A function deferred by fn panics while fn runs Goexit: recovering that
// panic resumes the Goexit, and the owner must still be told.
func TestGuardGoexitThenDeferredPanic(t *testing.T) {
	var (
		wg       sync.WaitGroup
		reported error
		calls    int
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = internal.Guard(func() error {
			defer func() { panic("during goexit") }()
			runtimeGoexit()
			return nil
		}, func(err error) { reported = err; calls++ })
		t.Error("Guard returned after Goexit")
	}()
	wg.Wait()
	var pe *internal.PanicError
	if calls != 1 || !errors.Is(reported, internal.ErrGoexit) || !errors.As(reported, &pe) || pe.Value != "during goexit" {
		t.Fatalf("onGoexit called %d times with %v, want once with ErrGoexit and the panic", calls, reported)
	}
}

// A panic recovered inside fn's own defers, or a panic that Guard recovers,
// is not a Goexit.
func TestGuardPanicIsNotGoexit(t *testing.T) {
	goexit := false
	err := internal.Guard(func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = errors.New("recovered inside")
			}
		}()
		panic("inner")
	}, func(error) { goexit = true })
	if goexit || err == nil || err.Error() != "recovered inside" {
		t.Fatalf("goexit=%v err=%v", goexit, err)
	}
}
