package internal

import (
	"errors"
	"fmt"
	"runtime/debug"
)

// ErrGoexit is reported when user code calls runtime.Goexit (directly, or
// through testing.T.FailNow and friends) instead of returning.
var ErrGoexit = errors.New("runtime.Goexit called in user code")

// PanicError is a panic recovered from user code: a loader, a task, a
// condition, a handler, a callback or an error handler. Value is what was
// passed to panic; Stack is the stack of the panicking goroutine, taken where
// the panic was recovered.
type PanicError struct {
	Value any
	Stack []byte
}

// Error returns "panic: " and the recovered value. The stack is not part of
// the message; it is in the Stack field.
func (e *PanicError) Error() string {
	return fmt.Sprintf("panic: %v", e.Value)
}

// Unwrap returns the recovered value when it is an error, so that errors.Is
// and errors.As see through the panic; otherwise nil.
func (e *PanicError) Unwrap() error {
	if err, ok := e.Value.(error); ok {
		return err
	}
	return nil
}

// NewPanicError returns a *PanicError for the recovered value v with the
// current goroutine's stack. Call it from the deferred function that
// recovered v, so that the stack still shows the panicking frames.
func NewPanicError(v any) *PanicError {
	return &PanicError{Value: v, Stack: debug.Stack()}
}

// Guard runs fn and returns its error. A panic in fn is recovered and
// returned as a *PanicError.
//
// runtime.Goexit cannot be stopped: the calling goroutine will exit whatever
// Guard does. When fn calls it, Guard calls onGoexit (when non-nil) with an
// error wrapping ErrGoexit while the goroutine unwinds, so that the owner of
// the goroutine can record the failure and release whoever waits on it;
// Guard itself then never returns. This holds too when a function deferred
// by fn panics during the Goexit: recovering that panic resumes the Goexit,
// and the error given to onGoexit then also wraps the *PanicError.
func Guard(fn func() error, onGoexit func(error)) error {
	if onGoexit == nil {
		return protect(fn) // nobody to tell: one frame, one deferred recover
	}
	return guardGoexit(fn, onGoexit)
}

// guardGoexit is Guard with a Goexit to report. The flag lives in a frame
// of its own, around protect: a Goexit resumed after protect recovered a
// panic unwinds this frame without returning from protect, which is how
// its deferred call tells a Goexit from a recovered panic.
func guardGoexit(fn func() error, onGoexit func(error)) (err error) {
	finished := false
	defer func() {
		if finished {
			return
		}
		if err != nil {
			onGoexit(errors.Join(ErrGoexit, err))
		} else {
			onGoexit(ErrGoexit)
		}
	}()
	protectInto(fn, &err)
	finished = true
	return err
}

// protect calls fn and returns its error, or its panic as a *PanicError.
// On a Goexit it does not return.
func protect(fn func() error) (err error) {
	protectInto(fn, &err)
	return err
}

// protectInto is protect storing the result in *err: through a pointer, so
// that guardGoexit sees a recovered panic even when a resumed Goexit keeps
// protectInto from returning.
func protectInto(fn func() error, err *error) {
	returned := false
	defer func() {
		if returned {
			return
		}
		if r := recover(); r != nil {
			*err = NewPanicError(r)
		}
	}()
	*err = fn()
	returned = true
}
