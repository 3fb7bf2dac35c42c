package gather

import (
	"errors"
	"fmt"

	"github.com/asyncutils-go/asyncutils/internal"
)

// ErrNilTask is wrapped by the error reported for a nil [Task]. The message
// names the index.
var ErrNilTask = errors.New("gather: nil task")

// ErrNilFunc is wrapped by the error reported for a nil function given to
// [Map], [MapSeq] or [MapSettled]: "gather: nil function given to Map".
var ErrNilFunc = errors.New("gather: nil function")

// ErrGoexit is wrapped by the error reported for a task that called
// runtime.Goexit (directly, or through testing.T.FailNow and friends)
// instead of returning. It is the sentinel shared by every asyncutils module.
var ErrGoexit = internal.ErrGoexit

// PanicError is a panic recovered from a task: Value is what was passed to
// panic and Stack the panicking goroutine's stack. It is the type shared by
// every asyncutils module, so errors.As with a *PanicError of any of them
// matches. Unwrap returns Value when it is an error.
type PanicError = internal.PanicError

// TaskError is the error [All], [Map], [AllSeq] and [MapSeq] return when a
// task fails: Index is the task's position in the input and Err what it
// reported (its returned error, a *[PanicError], or an error wrapping
// [ErrGoexit]). errors.Is and errors.As see through it.
type TaskError struct {
	Index int
	Err   error
}

// Error returns "gather: task <index>: " and the task's error.
func (e *TaskError) Error() string {
	return fmt.Sprintf("gather: task %d: %v", e.Index, e.Err)
}

// Unwrap returns the task's error.
func (e *TaskError) Unwrap() error { return e.Err }

// nilFuncError names the call a nil function was given to.
func nilFuncError(call string) error {
	return fmt.Errorf("%w given to %s", ErrNilFunc, call)
}

// nilTaskError names the index of a nil task.
func nilTaskError(i int) error {
	return fmt.Errorf("%w at index %d", ErrNilTask, i)
}
