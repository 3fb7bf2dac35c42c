// Package fsm is a small state machine with string states, guarded
// transitions, and enter and exit handlers, safe for concurrent use.
//
//	m := fsm.New("closed")
//	m.Add("closed", "open", nil)             // always permitted
//	m.Add("open", "closed", nil)
//	m.Add("closed", "locked", hasKey)        // permitted when hasKey says so
//	m.OnEnter("open", logEntry)
//	ok, err := m.Transition(ctx, "open")     // true, nil; m.State() == "open"
//
// States are any string type: fsm.New("idle") is a *Machine[string], and a
// named type (type Phase string) works the same way.
//
// # Definitions and machines
//
// A [Definition] is the graph: edges, conditions, handlers and observers.
// A [Machine] is a current state moving by a definition. [New] makes a
// machine with a definition of its own, filled in through the machine's
// Add, OnEnter, OnExit and OnTransition. A service whose entities are
// stored with their state builds one definition at start-up
// ([NewDefinition]) and makes a machine per request at the stored state
// with [Definition.New], which costs one allocation and copies nothing;
// machines of one definition run concurrently and independently.
// [Definition.Validate] reports states no edge reaches and enter handlers
// that never run. The guide (docs/fsm.md) shows how to store the new state
// safely when several replicas move the same entity.
//
// # Transitions
//
// [Machine.Transition] waits for the machine, finds the edge from the
// current state, evaluates the edge's conditions in registration order
// (a nil condition or the first true one permits), runs the exit handlers
// of the current state, changes the state, runs the enter handlers of the
// new state, then the observers. A transition that is not permitted (no
// edge, or every condition returned false) returns false and a
// *[RefusedError] that says why, matching [ErrRefused]; a target the
// definition never mentions matches [ErrUnknownState] too. A failing
// condition or exit handler leaves the state unchanged and returns false
// with the error; a failing enter handler returns true with the error and
// the state stays the new one: nothing is rolled back. A panic in any of
// them is recovered and returned like an error, as a *[PanicError]. Errors
// of conditions and handlers are wrapped with the step that failed; match
// them with errors.Is and errors.As. The guide (docs/fsm.md) has the table
// of every outcome.
//
// # Concurrency
//
// All methods are safe for concurrent use. Transitions are serialized:
// conditions and handlers of one machine never run at the same time, and
// the current state is read only once the machine is held. Waiting for the
// machine honours ctx: a caller whose ctx ends first gets ctx.Err() and
// nothing changed. A ctx already done on entry fails the same way, even
// when the machine is free. Once held, the steps run to the end; ctx is
// passed to conditions and handlers, which may honour it.
//
// Machines of one definition are held separately: the conditions,
// handlers and observers they share run at the same time for different
// machines, so they must be safe for concurrent use. They receive from and
// to, not the machine; pass what a request is about (the entity) in ctx.
//
// [Machine.Can] also waits for the machine, so that conditions stay
// serialized with transitions; it evaluates the conditions and changes
// nothing.
//
// Conditions, handlers and observers run on the caller's goroutine. From
// inside a condition or a handler, Transition with the ctx it was given (or
// a context derived from it) returns [ErrReentrant] at once instead of
// deadlocking, and Can answers without waiting. [Machine.State],
// [Machine.History], [Machine.States], [Machine.Edges] and the renderings
// never wait for a transition and work from anywhere. Observers have no
// context and must not call Transition or Can. A goroutine that a handler
// starts and that drives the machine later should be given [Detach](ctx):
// with the handler's ctx itself it cannot be told apart from a nested call.
//
// If a condition or a handler calls runtime.Goexit (t.FailNow in a test),
// the caller's goroutine exits as Go defines and Transition never returns;
// the machine is released on the way out, so later transitions proceed.
//
// Registration ([Definition.Add], [Definition.OnEnter],
// [Definition.OnExit], [Definition.OnTransition], and the same methods of
// a machine, which register on its definition) is safe at any time, also
// while transitions run and from inside handlers: the tables are copied on
// write and published atomically, so a transition reads them without a
// lock. A transition uses the tables as they were when it found its edge;
// what is registered while it runs counts, for every machine of the
// definition, from its next transition on.
//
// # Defaults
//
// A machine made by [New] has no edges, no handlers, no observers and no
// history ([WithHistory] keeps the last n transitions); one made by
// [Definition.New] has its definition's and no history. A new or zero
// Definition is empty. The package reads no time and starts no goroutine.
//
// # Cost
//
// [Machine.State] is a single atomic load. A permitted transition with one
// condition, one exit and one enter handler allocates nothing, provided
// consecutive transitions pass the same ctx (the marked context given to
// handlers is reused; a new ctx costs one small allocation, except the
// machine's first). [Definition.New] costs one allocation, and so does a
// machine made by it together with its first transition. A refusal
// allocates its *RefusedError. An unused observer list or history costs
// one nil check each. The machine keeps a reference to the first ctx it
// was given, and to the last one until a transition with another ctx.
package fsm
