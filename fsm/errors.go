package fsm

import (
	"errors"

	"github.com/asyncutils-go/asyncutils/internal"
)

// ErrReentrant is returned, unwrapped, by [Machine.Transition] when it is
// called from inside a condition or a handler of the same machine with the
// context that code was given (or one derived from it): the machine is held
// by the transition that called that code, so waiting for it would deadlock.
var ErrReentrant = errors.New("fsm: transition called from inside a transition of the same machine")

// PanicError is a panic recovered from a condition, a handler or an observer,
// returned wrapped in the error of the step that panicked: errors.As finds
// it, with the recovered value and the stack. It is the type every asyncutils
// module shares.
type PanicError = internal.PanicError
