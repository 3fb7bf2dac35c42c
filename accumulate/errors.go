package accumulate

import (
	"fmt"

	"github.com/asyncutils-go/asyncutils/internal"
)

// PanicError is a panic recovered from a callback: Value is what was passed
// to panic and Stack the panicking goroutine's stack. It is the type every
// asyncutils module reports panics with, so errors.As with any module's name
// for it matches. Unwrap returns Value when it is an error.
type PanicError = internal.PanicError

// ErrGoexit is wrapped by the error of a callback that called
// runtime.Goexit (directly or through testing.T.FailNow and friends) instead
// of returning.
var ErrGoexit = internal.ErrGoexit

// CallbackError is the error of one callback of a call: what it returned, a
// [*PanicError] for a panic, or [ErrGoexit]. Index is the callback's position
// in the call, 0 for the oldest, as [Accumulator.Callbacks] listed them when
// the call started.
type CallbackError struct {
	Index int
	Err   error
}

// Error returns "accumulate: callback <Index>: " and the callback's error.
func (e *CallbackError) Error() string {
	return fmt.Sprintf("accumulate: callback %d: %v", e.Index, e.Err)
}

// Unwrap returns the callback's error.
func (e *CallbackError) Unwrap() error { return e.Err }

// InterruptedError reports that a call's ctx ended before every callback of
// the call had started. The skipped callbacks were not started and were left
// queued, in order, for the next call. Err is ctx.Err(); Cause is
// context.Cause(ctx) when it differs from Err, else nil. errors.Is matches
// both.
type InterruptedError struct {
	Skipped int // callbacks of the call that were not started
	Total   int // callbacks of the call
	Err     error
	Cause   error
}

// Error says how many callbacks were skipped and why.
func (e *InterruptedError) Error() string {
	why := e.Err
	if e.Cause != nil {
		why = e.Cause
	}
	return fmt.Sprintf("accumulate: call interrupted, %d of %d callbacks not started: %v", e.Skipped, e.Total, why)
}

// Unwrap returns ctx's error and, when set, its cause.
func (e *InterruptedError) Unwrap() []error {
	if e.Cause == nil {
		return []error{e.Err}
	}
	return []error{e.Err, e.Cause}
}
