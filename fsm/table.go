package fsm

import (
	"context"
	"slices"
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

// edge returns the edge to the state named to, or nil.
func (h *hooks[S]) edge(to S) *edge[S] {
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
// machine's registration lock; change must not modify the slices or the map
// it is given in place (append after slices.Clip, or clone).
func (n *node[S]) update(change func(h *hooks[S])) {
	h := *n.hooks.Load()
	change(&h)
	n.hooks.Store(&h)
}

// Add permits the transition from one state to another under cond, adding
// both states if they are new. cond may be nil: the edge is then allowed at
// once when the transition reaches it. An edge may have several conditions,
// added by several calls; they are evaluated in the order they were added
// and the first one that allows wins (see [Machine.Transition]). An edge
// from a state to itself is a transition like any other.
//
// Add is safe to call at any time, from any goroutine, including from inside
// a condition or a handler. A transition uses the edges, handlers and
// observers as they were when it found its edge: what is registered while
// it runs counts from the next transition on.
func (m *Machine[S]) Add(from, to S, cond Condition[S]) {
	m.mu.Lock()
	defer m.mu.Unlock()
	src, dst := m.node(from), m.node(to)
	src.update(func(h *hooks[S]) {
		h.out = slices.Clone(h.out)
		if e := h.edge(to); e != nil {
			// h.edge points into the clone made above.
			e.conds = append(slices.Clip(e.conds), cond)
			return
		}
		h.out = append(h.out, edge[S]{to: dst, conds: []Condition[S]{cond}})
		if len(h.out) > indexAbove {
			h.index = make(map[S]int, len(h.out))
			for i, e := range h.out {
				h.index[e.to.name] = i
			}
		}
	})
}

// OnEnter registers h to run when the machine enters state, after the state
// has changed; several handlers of a state run in registration order. A
// nil h panics.
func (m *Machine[S]) OnEnter(state S, h Handler[S]) {
	if h == nil {
		panic("fsm: OnEnter: nil handler")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.node(state).update(func(hs *hooks[S]) { hs.enter = append(slices.Clip(hs.enter), h) })
}

// OnExit registers h to run when the machine leaves state, before the state
// changes; several handlers of a state run in registration order. A nil h
// panics.
func (m *Machine[S]) OnExit(state S, h Handler[S]) {
	if h == nil {
		panic("fsm: OnExit: nil handler")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.node(state).update(func(hs *hooks[S]) { hs.exit = append(slices.Clip(hs.exit), h) })
}

// OnTransition registers an observer, called after every transition that
// changed the state (every Transition that returns true), once the enter
// handlers have run, whatever they returned. Observers run in registration
// order on the transitioning goroutine while the machine is still held, so
// they see the transitions one at a time, in the order they happened. An
// observer must not call [Machine.Transition] or [Machine.Can] (it has no
// marked context: the call would wait for the transition that is calling the
// observer); State, History and the other read-only methods are fine. A
// machine without observers pays one atomic load per transition. A nil fn
// panics.
func (m *Machine[S]) OnTransition(fn func(from, to S)) {
	if fn == nil {
		panic("fsm: OnTransition: nil observer")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var obs []func(from, to S)
	if p := m.observers.Load(); p != nil {
		obs = slices.Clip(*p)
	}
	obs = append(obs, fn)
	m.observers.Store(&obs)
}

// node returns the state named name, adding it first if it is new. The
// caller holds m.mu.
func (m *Machine[S]) node(name S) *node[S] {
	n, ok := m.nodes[name]
	if !ok {
		n = newNode(name)
		m.nodes[name] = n
	}
	return n
}
