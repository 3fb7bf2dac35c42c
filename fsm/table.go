package fsm

import (
	"context"
	"sync/atomic"
)

// Condition decides whether the machine may move from one state to another.
// It runs while the machine is held (see [Machine.Transition]); ctx is the
// caller's context, marked so that a nested Transition of the same machine
// fails fast with [ErrReentrant].
type Condition[S ~string] func(ctx context.Context, from, to S) (bool, error)

// Handler runs when the machine leaves a state ([Machine.OnExit]) or enters
// one ([Machine.OnEnter]). It runs while the machine is held; ctx is marked
// like a [Condition]'s.
type Handler[S ~string] func(ctx context.Context, from, to S) error

// node is one state. Nodes are created on first mention and never replaced,
// so the current state is a pointer to one; what can change, the handlers and
// the edges leaving it, sits behind an atomic pointer and is replaced whole
// (copy on write), so a transition reads it without a lock.
type node[S ~string] struct {
	name  S
	hooks atomic.Pointer[hooks[S]]
}

// hooks is an immutable snapshot of a state's handlers and outgoing edges.
type hooks[S ~string] struct {
	exit  []Handler[S]
	enter []Handler[S]
	out   []edge[S] // in the order the edges were first added
	index map[S]int // out by destination, only when out is long
}

// edge is one permitted move, with its conditions in registration order
// (nil ones included: a nil condition allows at once).
type edge[S ~string] struct {
	to    *node[S]
	conds []Condition[S]
}

// indexAbove is the number of outgoing edges above which a state indexes
// them by destination: a short scan comparing strings beats hashing.
const indexAbove = 8

func newNode[S ~string](name S) *node[S] {
	n := &node[S]{name: name}
	n.hooks.Store(&hooks[S]{})
	return n
}

// edge returns the edge to the state named to, or nil. A nil h (the hooks
// of a machine's unknown state, see Machine.unknown) has no edges.
func (h *hooks[S]) edge(to S) *edge[S] {
	if h == nil {
		return nil
	}
	if h.index != nil {
		if i, ok := h.index[to]; ok {
			return &h.out[i]
		}
		return nil
	}
	for i := range h.out {
		if h.out[i].to.name == to {
			return &h.out[i]
		}
	}
	return nil
}

// update publishes a changed copy of n's hooks. The caller holds the
// definition's registration lock; change must not modify the slices or the map
// it is given in place (append after slices.Clip, or clone).
func (n *node[S]) update(change func(h *hooks[S])) {
	h := *n.hooks.Load()
	change(&h)
	n.hooks.Store(&h)
}
