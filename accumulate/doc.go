// Package accumulate keeps a queue of callbacks and runs them one after
// another on an executor when a scope exits: shutdown hooks, commit and
// rollback hooks, deferred cleanups. It is the Go port of the Python
// asyncutils accumulator, without its defects: the scope's error reaches the
// callbacks, and a failing callback does not stop the others.
//
// An [Accumulator] is a ring buffer with an optional maximum length
// ([WithMaxLen]). [Accumulator.Add] drops the oldest callback when it is
// full, like a Python deque with a maxlen; [Accumulator.Offer] refuses the new
// one instead. [Accumulator.Call] runs the callbacks queued when the call
// starts (its snapshot), oldest first by default or newest first with
// [WithOrder](NewestFirst) (the order of defer, for cleanups of resources
// that depend on each other), waits for them, and returns their errors
// joined in run order, each a [*CallbackError] naming its position. In
// call-once mode (the default) the callbacks that ran are removed;
// [WithCallOnce](false) keeps them for every call.
//
// # Scope exit
//
// [Accumulator.Exit] is meant to be deferred: `defer hooks.Exit(ctx, &err,
// &err)` runs the callbacks with the function's returned error, read on the
// returning goroutine, and joins their errors into it. Exit runs every
// callback even when ctx has ended, as it has in a service stopping on
// SIGTERM through signal.NotifyContext: the callbacks get ctx's values but
// not its cancellation, and [WithExitTimeout] bounds how long the shutdown
// may take. [Accumulator.Go] is the handing-off form, which honours ctx as
// Call does: it returns a [*Pending] at once, whose Wait returns the call's
// error later. [Accumulator.AddClosers], [AddMethod] and [AddMethodContext]
// add the same method of many objects, typed through an interface or a
// method expression, so that an object that lacks the method does not
// compile.
//
// # Failures
//
// A callback that returns an error, panics ([*PanicError]) or calls
// runtime.Goexit ([ErrGoexit]) is reported and the next one runs. When the
// call's ctx ends, no further callback starts; those not started stay
// queued, in order, and the error includes an [*InterruptedError] that wraps
// ctx.Err() and counts them exactly (a call that gives up waiting for its
// turn counts only the callbacks it would have run, not those of the
// running call). A panic in a custom executor's Execute ends the call the
// same way, reported as a [*PanicError]. A nil callback passed to Add or
// Offer, a negative [WithMaxLen] or [WithExitTimeout], and an unknown
// [Order] are bugs at the call site: they panic with a message starting
// "accumulate: ". New has no error to return, and there is no other invalid
// configuration.
//
// # Concurrency
//
// All methods are safe for concurrent use. Callbacks of one accumulator never
// overlap: calls take turns, and a call waiting for
// its turn gives up when its ctx ends. Add, Offer, Len, Callbacks and Clear
// never wait for a running call; what they do while a call runs is set out
// in [Accumulator.Call]. A callback may Add to its own accumulator but must
// not Call it.
//
// # Executor and goroutines
//
// By default each call hands its callbacks to one new goroutine of the
// accumulator's, which ends before Call returns: no goroutine outlives a
// call, and an accumulator needs no Close. [WithExecutor] runs them on an
// [Executor] of the caller's choice instead (a worker pool, or inline on the
// calling goroutine). A call handed off with [Accumulator.Go] owns one more
// goroutine, which ends with the call; Wait for its [Pending].
//
// # Cost
//
// Add and Offer take a mutex and allocate nothing unless the ring grows (it
// doubles, up to the maximum length, and keeps its size afterwards). A call
// costs one hand-off to the executor (one goroutine start with the default
// executor) plus, per callback, about what ranging over a []func slice
// costs; it allocates nothing when every callback succeeds. Exit adds the
// ctx without cancellation (one allocation) and, with [WithExitTimeout], a
// timer ctx.
//
// The package reads no time, except that Exit with [WithExitTimeout] sets
// the deadline of its callbacks' ctx with context.WithTimeout.
package accumulate
