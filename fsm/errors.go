package fsm

import (
	"errors"
	"fmt"
	"strings"

	"github.com/asyncutils-go/asyncutils/internal"
)

// ErrReentrant is returned, unwrapped, by [Machine.Transition] when it is
// called from inside a condition or a handler of the same machine with the
// context that code was given (or one derived from it): the machine is held
// by the transition that called that code, so waiting for it would deadlock.
var ErrReentrant = errors.New("fsm: transition called from inside a transition of the same machine")

// ErrRefused is matched (errors.Is) by every *[RefusedError]: the
// transition is not permitted, and nothing changed.
var ErrRefused = errors.New("fsm: transition refused")

// ErrUnknownState is matched (errors.Is) by a *[RefusedError] whose target
// state the definition never mentions, which is most often a typo, and by a
// *[ValidationError] whose initial state the definition never mentions.
var ErrUnknownState = errors.New("fsm: unknown state")

// Refusal says why a transition was refused: the Reason of a
// *[RefusedError].
type Refusal int

const (
	// RefusedNoEdge: no edge leads from the current state to the target.
	RefusedNoEdge Refusal = iota + 1
	// RefusedUnknownState: the target is a state that the definition never
	// mentions (no Add, OnEnter or OnExit names it), so no edge leads to it.
	RefusedUnknownState
	// RefusedByConditions: the edge exists and every one of its conditions
	// returned false.
	RefusedByConditions
)

// String returns "no edge", "unknown state" or "its conditions returned false".
func (r Refusal) String() string {
	switch r {
	case RefusedNoEdge:
		return "no edge"
	case RefusedUnknownState:
		return "unknown state"
	case RefusedByConditions:
		return "its conditions returned false"
	}
	return fmt.Sprintf("Refusal(%d)", int(r))
}

// RefusedError is the error of a transition (or a [Machine.Can]) that is not
// permitted: steps 2 and 3 of [Machine.Transition]. It matches [ErrRefused]
// with errors.Is, and [ErrUnknownState] too when Reason is
// RefusedUnknownState. The state is unchanged and no handler ran.
//
// Errors of conditions and handlers are not RefusedErrors: they keep their
// own form (see [Machine.Transition]).
type RefusedError[S ~string] struct {
	From, To S
	Reason   Refusal
	// Conditions is the number of conditions that returned false, when Reason
	// is RefusedByConditions: every condition of the edge, since the first
	// one that returns true permits. 0 otherwise.
	Conditions int
}

// Error says which transition was refused and why, for example
// `fsm: "pending" -> "shipped" refused: no edge`.
func (e *RefusedError[S]) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "fsm: %q -> %q refused: ", string(e.From), string(e.To))
	switch {
	case e.Reason == RefusedUnknownState:
		fmt.Fprintf(&b, "unknown state %q", string(e.To))
	case e.Reason == RefusedByConditions && e.Conditions > 1:
		fmt.Fprintf(&b, "all %d of its conditions returned false", e.Conditions)
	case e.Reason == RefusedByConditions:
		b.WriteString("its condition returned false")
	default:
		b.WriteString(e.Reason.String())
	}
	return b.String()
}

// Is reports whether target is [ErrRefused], or [ErrUnknownState] for a
// refusal whose target state is unknown.
func (e *RefusedError[S]) Is(target error) bool {
	return target == ErrRefused || (target == ErrUnknownState && e.Reason == RefusedUnknownState)
}

// PanicError is a panic recovered from a condition, a handler or an observer,
// returned wrapped in the error of the step that panicked: errors.As finds
// it, with the recovered value and the stack. It is the type every asyncutils
// module shares.
type PanicError = internal.PanicError
