package fsm

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/asyncutils-go/asyncutils/internal"
)

// Machine is a state machine over states of type S: a current state and
// the [Definition] it moves by. Create one with [New] (a machine with a
// definition of its own) or [Definition.New] (one of many machines sharing a
// definition); the zero value is not usable. All methods are safe for
// concurrent use.
type Machine[S ~string] struct {
	def     *Definition[S]
	cur     atomic.Pointer[node[S]]
	history *history[S] // nil unless WithHistory

	// Holding the machine: see hold.go.
	running      atomic.Pointer[heldCtx]       // the holder's marked context; nil when free
	waiters      atomic.Int32                  // callers waiting for the machine
	wake         atomic.Pointer[chan struct{}] // one token: the machine was released; made by the first waiter
	last         atomic.Pointer[heldCtx]       // the last marked context, reused for the same ctx
	key          holdKey
	first        heldCtx // the first marked context, see newHeld
	firstClaimed atomic.Bool

	initial *node[S]
	// unknown is the state given to Definition.New when the definition did
	// not know it: a node of the machine's own, without hooks, so that New
	// costs one allocation and never registers a state in the shared
	// definition. See current.
	unknown node[S]
}

// New returns a machine in the state initial, with a definition of its own
// (no edges, no handlers, no observers) that its Add, OnEnter, OnExit and
// OnTransition fill in, and, unless [WithHistory] says otherwise, no
// history. S is inferred from initial: fsm.New("idle") is a
// *Machine[string]. To run many machines by one graph, build a
// [Definition] once and make each machine with [Definition.New].
func New[S ~string](initial S, opts ...Option) *Machine[S] {
	var o options
	for _, opt := range opts {
		if opt != nil { // a nil Option is no option, as in the other modules
			opt.apply(&o)
		}
	}
	d := NewDefinition[S]()
	d.mu.Lock()
	d.node(initial)
	d.mu.Unlock()
	m := d.New(initial)
	if o.history > 0 {
		m.history = newHistory[S](o.history)
	}
	return m
}

// Definition returns the definition the machine moves by: its own for a
// machine made by [New], the shared one for a machine made by
// [Definition.New].
func (m *Machine[S]) Definition() *Definition[S] {
	return m.def
}

// Add registers an edge on the machine's definition: see [Definition.Add].
// On a machine made by [Definition.New] it changes the shared definition,
// so every machine of it.
func (m *Machine[S]) Add(from, to S, cond Condition[S]) { m.def.Add(from, to, cond) }

// OnEnter registers an enter handler on the machine's definition: see
// [Definition.OnEnter].
func (m *Machine[S]) OnEnter(state S, h Handler[S]) { m.def.OnEnter(state, h) }

// OnExit registers an exit handler on the machine's definition: see
// [Definition.OnExit].
func (m *Machine[S]) OnExit(state S, h Handler[S]) { m.def.OnExit(state, h) }

// OnTransition registers an observer on the machine's definition: see
// [Definition.OnTransition]. On a machine made by [Definition.New] it
// observes every machine of that definition.
func (m *Machine[S]) OnTransition(fn func(from, to S)) { m.def.OnTransition(fn) }

// State returns the current state: a single atomic load, never blocked by a
// transition in progress, and safe to call from anywhere, conditions and
// handlers included. Inside an exit handler it is still the state being
// left; inside an enter handler it is already the state being entered.
func (m *Machine[S]) State() S {
	return m.cur.Load().name
}

// Transition moves the machine to the state to, step by step:
//
//  1. It waits for the machine: transitions (and [Machine.Can]) are
//     serialized. If ctx is done before the machine is free (or already
//     done on entry), it returns (false, ctx.Err()) and nothing changed.
//     The current state is read only after this step.
//  2. No edge from the current state to to: (false, err) with err a
//     *[RefusedError] matching [ErrRefused]; when the definition never
//     mentions to, it matches [ErrUnknownState] too.
//  3. The edge's conditions run in registration order: a nil condition
//     allows at once (the ones after it are not evaluated); the first that
//     returns true allows; one that returns an error stops and the result
//     is (false, err); all false: (false, err) with err a *[RefusedError]
//     whose Reason is [RefusedByConditions].
//  4. The exit handlers of the current state run in order; the first error
//     stops and the result is (false, err): the state is unchanged.
//  5. The state becomes to.
//  6. The enter handlers of to run in order; the first error stops and the
//     result is (true, err): the state stays to, nothing is rolled back.
//
// Then the observers ([Machine.OnTransition]) run, all of them, and it
// returns (true, nil) unless an enter handler failed or an observer
// panicked (the first failure is returned). A panic in a condition, a handler or
// an observer counts as that code's error: it is recovered and returned as
// a *[PanicError]. User errors come back wrapped with the step that failed
// ("fsm: exit handler of \"open\": ..."): match them with errors.Is and
// errors.As. Once the machine is held, ctx is not checked again: the steps
// run to the end; conditions and handlers receive ctx and may honour it.
//
// Conditions and handlers run on the caller's goroutine. Called from inside
// one of them with the ctx they were given (or a context derived from it),
// Transition returns (false, [ErrReentrant]) at once. If one of them calls
// runtime.Goexit, the goroutine exits as Go defines and Transition never
// returns, but the machine is released on the way out and the state is
// whatever the steps above had reached.
//
// A permitted transition allocates nothing as long as consecutive
// transitions pass the same ctx; a refusal allocates its error.
func (m *Machine[S]) Transition(ctx context.Context, to S) (bool, error) {
	if m.holding(ctx) != nil {
		return false, ErrReentrant
	}
	h, err := m.acquire(ctx)
	if err != nil {
		return false, err
	}
	defer m.release()
	return m.transition(h, to)
}

// Can reports whether [Machine.Transition] to the state to would be
// permitted now: it runs steps 1 to 3 (it waits for the machine, finds the
// edge and evaluates its conditions, with the same results and errors: a
// refusal is (false, *[RefusedError])) and
// changes nothing; no handler runs. Waiting keeps conditions serialized with
// transitions, as they always are. Called from inside a condition or a
// handler of the same machine with the ctx it was given, Can does not wait
// (the caller already holds the machine) and answers for the state at that
// moment. The answer may be stale as soon as Can returns.
func (m *Machine[S]) Can(ctx context.Context, to S) (bool, error) {
	if h := m.holding(ctx); h != nil {
		if err := ctx.Err(); err != nil {
			return false, err // already done: step 1 fails, as on a free machine
		}
		return m.permitted(h, to)
	}
	h, err := m.acquire(ctx)
	if err != nil {
		return false, err
	}
	defer m.release()
	return m.permitted(h, to)
}

// current returns the current state; the caller holds m. A machine made at
// a state its definition did not know moves onto the definition's node for
// that state as soon as there is one, so that edges added from it count.
func (m *Machine[S]) current() *node[S] {
	n := m.cur.Load()
	if n == &m.unknown {
		if known := m.def.lookup(n.name); known != nil {
			m.cur.Store(known)
			return known
		}
	}
	return n
}

// refused is the error of step 2.
func (m *Machine[S]) refused(from, to S) error {
	reason := RefusedNoEdge
	if m.def.lookup(to) == nil {
		reason = RefusedUnknownState
	}
	return &RefusedError[S]{From: from, To: to, Reason: reason}
}

// transition runs steps 2 to 6 and the observers; the caller holds m.
func (m *Machine[S]) transition(ctx *heldCtx, to S) (bool, error) {
	from := m.current()
	hs := from.hooks.Load()
	e := hs.edge(to)
	if e == nil {
		return false, m.refused(from.name, to)
	}
	// The handlers and observers are those registered when the transition
	// started, like the edge: one registered by a condition or a handler
	// counts from the next transition on.
	enter, obs := e.to.hooks.Load().enter, m.def.observers.Load()
	if ok, err := allows(ctx, e, from.name, to); !ok {
		return false, err
	}
	for _, h := range hs.exit {
		if err := run(ctx, h, from.name, to); err != nil {
			return false, fmt.Errorf("fsm: exit handler of %q: %w", string(from.name), err)
		}
	}
	m.cur.Store(e.to)
	if m.history != nil {
		m.history.add(from.name, to)
	}
	var err error
	for _, h := range enter {
		if err = run(ctx, h, from.name, to); err != nil {
			err = fmt.Errorf("fsm: enter handler of %q: %w", string(to), err)
			break
		}
	}
	if obs != nil {
		if oerr := observe(*obs, from.name, to); err == nil {
			err = oerr
		}
	}
	return true, err
}

// permitted runs steps 2 and 3 for Can; the caller holds m.
func (m *Machine[S]) permitted(ctx *heldCtx, to S) (bool, error) {
	from := m.current()
	e := from.hooks.Load().edge(to)
	if e == nil {
		return false, m.refused(from.name, to)
	}
	return allows(ctx, e, from.name, to)
}

// allows evaluates e's conditions (step 3): true and nil, or false and an
// error, the condition's or a refusal.
func allows[S ~string](ctx *heldCtx, e *edge[S], from, to S) (bool, error) {
	for _, c := range e.conds {
		if c == nil {
			return true, nil
		}
		var ok bool
		err := internal.Guard(func() error {
			var err error
			ok, err = c(ctx, from, to)
			return err
		}, nil)
		if err != nil {
			return false, fmt.Errorf("fsm: condition of %q -> %q: %w", string(from), string(to), err)
		}
		if ok {
			return true, nil
		}
	}
	return false, &RefusedError[S]{From: from, To: to, Reason: RefusedByConditions, Conditions: len(e.conds)}
}

// run calls a handler, turning a panic into a *PanicError.
func run[S ~string](ctx *heldCtx, h Handler[S], from, to S) error {
	return internal.Guard(func() error { return h(ctx, from, to) }, nil)
}

// observe calls every observer, even after one panicked, and returns the
// first panic.
func observe[S ~string](obs []func(from, to S), from, to S) error {
	var first error
	for _, fn := range obs {
		err := internal.Guard(func() error { fn(from, to); return nil }, nil)
		if err != nil && first == nil {
			first = fmt.Errorf("fsm: observer of %q -> %q: %w", string(from), string(to), err)
		}
	}
	return first
}
