package accumulate

import (
	"context"
	"errors"
	"fmt"

	"github.com/asyncutils-go/asyncutils/internal"
)

// Exit runs the callbacks when the surrounding function returns: it is the
// waiting form of scope exit, the Go form of leaving a Python context
// manager, meant to be deferred:
//
//	func serve(ctx context.Context) (err error) {
//		defer hooks.Exit(ctx, &err, &err)
//		...
//	}
//
// Exit reads *arg at that moment, on the returning goroutine (for A = error
// and a pointer to the function's named result, the error the function
// returns), runs [Accumulator.Call] with it and waits. Call's error is then
// joined to *errp (errors.Join, the function's own error first), so the
// callbacks' failures are not lost. A nil arg passes the zero A; a nil errp
// discards Call's error.
//
// Exit runs every callback even when ctx has ended, as it has when a
// service stops on SIGTERM through signal.NotifyContext: a shutdown is when
// cleanups matter most. The callbacks get ctx's values but not its
// cancellation (context.WithoutCancel). [WithExitTimeout] bounds the
// shutdown: their ctx then ends that long after Exit starts (waiting for an
// earlier call included), and the callbacks not started by then are skipped
// and reported as an [*InterruptedError], as Call reports them. Without a
// bound, Exit waits for every callback.
//
// During a panic, deferred functions run too: the callbacks run with *arg as
// it is, and the panic goes on afterwards.
func (a *Accumulator[A]) Exit(ctx context.Context, arg *A, errp *error) {
	var v A
	if arg != nil {
		v = *arg
	}
	ctx = context.WithoutCancel(ctx)
	if a.exitTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, a.exitTimeout)
		defer cancel()
	}
	err := a.Call(ctx, v)
	if errp == nil || err == nil {
		return
	}
	if *errp == nil {
		*errp = err
		return
	}
	*errp = errors.Join(*errp, err)
}

// Go is the handing-off form of [Accumulator.Call]: it starts the call on a
// new goroutine and returns at once. The call takes its turn like any other
// (its snapshot is taken when it starts running), and its error is what
// [Pending.Wait] returns. For scope exit that does not wait, defer a closure
// that reads the function's result at that moment:
//
//	defer func() { pending = hooks.Go(ctx, err) }()
//
// The goroutine ends when the call ends; ctx bounds it as it bounds Call
// (unlike [Accumulator.Exit], Go does not run callbacks once ctx has ended:
// for a shutdown, pass context.WithoutCancel(ctx), with a timeout of its
// own if it needs a bound).
// Wait for the Pending before relying on the callbacks having run, and before
// the program or test that owns the accumulator ends.
func (a *Accumulator[A]) Go(ctx context.Context, arg A) *Pending {
	a.mustBeNew()
	p := &Pending{done: make(chan struct{})}
	go func() {
		defer close(p.done)
		// Guarded, so that a Goexit in an inline executor's callback, or in
		// Execute, ends this goroutine with an error, not a hung Wait.
		p.err = internal.Guard(func() error { return a.Call(ctx, arg) }, func(err error) {
			p.err = fmt.Errorf("accumulate: Go: the call's goroutine exited: %w", err)
		})
	}()
	return p
}

// Pending is a call handed off with [Accumulator.Go].
type Pending struct {
	done chan struct{}
	err  error
}

// Wait waits for the call to end and returns its error, as Call would have.
// When ctx ends first, Wait returns ctx.Err() (not an [*InterruptedError]:
// the call goes on) and can be called again. Wait may be called any number
// of times, from any goroutine.
func (p *Pending) Wait(ctx context.Context) error {
	select {
	case <-p.done:
		return p.err
	default:
	}
	select {
	case <-p.done:
		return p.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Done is closed when the call has ended.
func (p *Pending) Done() <-chan struct{} { return p.done }
