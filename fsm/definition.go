package fsm

import (
	"maps"
	"math"
	"slices"
	"sync"
	"sync/atomic"
)

// Definition is a state machine's graph: its edges with their conditions,
// its enter and exit handlers and its observers, registered once and shared
// by every [Machine] made from it with [Definition.New]. Machines of one
// definition run concurrently and independently: each has its own state and
// is held by its own transitions, and none of them copies the graph.
//
// A service whose entities (orders, jobs, accounts) are stored with their
// state builds one definition at start-up and makes a machine per request at
// the stored state; see the guide (docs/fsm.md, "Machines for stored
// entities").
//
// Registration ([Definition.Add], [Definition.OnEnter],
// [Definition.OnExit], [Definition.OnTransition]) is safe at any time, also
// while machines of the definition transition: what is registered counts for
// every machine from its next transition on. The zero value is an empty
// definition, ready to use, like one from [NewDefinition]; a Definition
// must not be copied after first use.
type Definition[S ~string] struct {
	mu sync.Mutex // serializes registration; transitions and New never take it
	// nodes is replaced when a state is added (copy on write), so that New
	// and a refused transition look states up without the lock.
	nodes     atomic.Pointer[stateTable[S]]
	observers atomic.Pointer[[]func(from, to S)]
}

// NewDefinition returns an empty definition: no states, no edges, no
// handlers, no observers.
func NewDefinition[S ~string]() *Definition[S] {
	return &Definition[S]{}
}

// stateTable is a snapshot of the states by name, never modified: those of
// base, and those added since base was built, in recent. Adding a state
// copies recent only, and folds it into a new base once it holds more than
// about the square root of base's size, so that adding n states costs
// O(n·√n) map writes in all rather than the O(n²) of a copy per state (10,000
// states took 3.5 s that way).
type stateTable[S ~string] struct {
	base, recent map[S]*node[S]
}

// get returns the state named name, or nil; t may be nil (no states).
func (t *stateTable[S]) get(name S) *node[S] {
	if t == nil {
		return nil
	}
	if n, ok := t.recent[name]; ok {
		return n
	}
	return t.base[name]
}

// len is the number of states; t may be nil.
func (t *stateTable[S]) len() int {
	if t == nil {
		return 0
	}
	return len(t.base) + len(t.recent)
}

// all yields every state, each once; t may be nil.
func (t *stateTable[S]) all(yield func(S, *node[S]) bool) {
	if t == nil {
		return
	}
	for _, m := range [2]map[S]*node[S]{t.base, t.recent} {
		for name, n := range m {
			if !yield(name, n) {
				return
			}
		}
	}
}

// with returns a table of t's states and n.
func (t *stateTable[S]) with(n *node[S]) *stateTable[S] {
	if t == nil {
		return &stateTable[S]{recent: map[S]*node[S]{n.name: n}}
	}
	if len(t.recent) < max(16, int(math.Sqrt(float64(len(t.base))))) {
		recent := make(map[S]*node[S], len(t.recent)+1)
		maps.Copy(recent, t.recent)
		recent[n.name] = n
		return &stateTable[S]{base: t.base, recent: recent}
	}
	base := make(map[S]*node[S], t.len()+1)
	maps.Copy(base, t.base)
	maps.Copy(base, t.recent)
	base[n.name] = n
	return &stateTable[S]{base: base}
}

// table returns the states: a snapshot never modified, nil for a definition
// that has none yet.
func (d *Definition[S]) table() *stateTable[S] { return d.nodes.Load() }

// New returns a machine of the definition in the state state, with no
// history, for example at the state an entity was stored in. It costs one
// allocation (the machine) and copies nothing: the machine reads the
// definition's tables as they are at each of its transitions.
//
// state need not be one the definition mentions (a stored state the code
// no longer knows, say): such a machine stays there, every transition of it
// is refused with [RefusedNoEdge] (or [RefusedUnknownState]), until edges
// from that state are added to the definition. [Definition.Validate]
// checks a definition; it does not check where machines start.
func (d *Definition[S]) New(state S) *Machine[S] {
	m := &Machine[S]{def: d}
	n := d.lookup(state)
	if n == nil {
		m.unknown.name = state
		n = &m.unknown
	}
	m.initial = n
	m.cur.Store(n)
	return m
}

// lookup returns the state named name, or nil. It takes no lock.
func (d *Definition[S]) lookup(name S) *node[S] {
	return d.table().get(name)
}

// node returns the state named name, adding it first if it is new. The
// caller holds d.mu.
func (d *Definition[S]) node(name S) *node[S] {
	nodes := d.table()
	if n := nodes.get(name); n != nil {
		return n
	}
	n := newNode(name)
	d.nodes.Store(nodes.with(n))
	return n
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
func (d *Definition[S]) Add(from, to S, cond Condition[S]) {
	d.mu.Lock()
	defer d.mu.Unlock()
	src, dst := d.node(from), d.node(to)
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

// OnEnter registers h to run when a machine enters state, after the state
// has changed; several handlers of a state run in registration order. A
// nil h panics. A state that only OnEnter names is one no edge reaches:
// [Definition.Validate] reports it.
func (d *Definition[S]) OnEnter(state S, h Handler[S]) {
	if h == nil {
		panic("fsm: OnEnter: nil handler")
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.node(state).update(func(hs *hooks[S]) { hs.enter = append(slices.Clip(hs.enter), h) })
}

// OnExit registers h to run when a machine leaves state, before the state
// changes; several handlers of a state run in registration order. A nil h
// panics.
func (d *Definition[S]) OnExit(state S, h Handler[S]) {
	if h == nil {
		panic("fsm: OnExit: nil handler")
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.node(state).update(func(hs *hooks[S]) { hs.exit = append(slices.Clip(hs.exit), h) })
}

// OnTransition registers an observer, called after every transition of
// every machine of the definition that changed the state (every Transition
// that returns true), once the enter handlers have run, whatever they
// returned. Observers run in registration order on the transitioning
// goroutine while that machine is still held, so they see one machine's
// transitions one at a time, in the order they happened; observers of
// machines that transition at the same time run at the same time. An
// observer must not call [Machine.Transition] or [Machine.Can] (it has no
// marked context: the call would wait for the transition that is calling the
// observer); State, History and the other read-only methods are fine. A
// definition without observers costs one atomic load per transition. A nil
// fn panics.
func (d *Definition[S]) OnTransition(fn func(from, to S)) {
	if fn == nil {
		panic("fsm: OnTransition: nil observer")
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	var obs []func(from, to S)
	if p := d.observers.Load(); p != nil {
		obs = slices.Clip(*p)
	}
	obs = append(obs, fn)
	d.observers.Store(&obs)
}
