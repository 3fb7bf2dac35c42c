package accumulate

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"

	"github.com/asyncutils-go/asyncutils/internal"
)

// Call runs the callbacks queued when the call starts, one after another,
// oldest first (newest first with [WithOrder](NewestFirst)), on the
// executor, and waits for them. It returns nil when
// every callback returned nil; otherwise the errors of the callbacks, each a
// [*CallbackError] naming its position, joined in run order with
// errors.Join. A callback that fails, panics ([*PanicError]) or calls
// runtime.Goexit ([ErrGoexit]) does not stop the ones after it.
//
// The callbacks of a call are a snapshot: those queued when the call starts
// running, which is after every earlier call of this accumulator has
// returned (calls take turns, so callbacks never overlap). While a call runs:
//
//   - Add and Offer queue callbacks for the next call, in both modes.
//   - Clear, and an Add that drops the oldest callback from a full
//     accumulator, change the queue but not the snapshot: a dropped callback
//     still runs in this call if it is part of it, and is not queued again.
//
// When the call returns, in call-once mode (the default) the callbacks of the
// call that were started are removed from the queue (those still queued);
// with WithCallOnce(false) they all stay. The callbacks not started stay
// queued in their order, whichever order the call ran in.
//
// When ctx ends, Call starts no further callback: the ones not started stay
// queued, in order, and the error (joined after the callbacks' errors) is an
// [*InterruptedError] that says how many were skipped and wraps ctx.Err().
// A callback that has started is waited for; it gets ctx and should return
// promptly. If ctx ends while Call waits for an earlier call, Call returns at
// once with an *InterruptedError that counts exactly the callbacks it would
// have run and that stay queued for the next call: in call-once mode, those
// queued after the running call took its snapshot (that call runs its own);
// with WithCallOnce(false), every queued callback. When that count is zero,
// Call returns nil, as a call with nothing to run does.
// A panic in a custom [Executor]'s Execute ends the call the same way, with
// a [*PanicError] in place of the *InterruptedError.
//
// A callback must not Call its own accumulator: it would wait for itself
// until its ctx ends.
func (a *Accumulator[A]) Call(ctx context.Context, arg A) error {
	a.mustBeNew()
	if took, err := a.take(ctx); !took {
		return err
	}
	r := &a.run
	a.mu.Lock()
	r.batch = a.ring.appendTo(r.batch)
	first := a.ring.first
	a.inCall, a.snapEnd = true, first+uint64(len(r.batch))
	a.mu.Unlock()
	if r.newestFirst {
		slices.Reverse(r.batch)
	}
	defer a.finish(first)
	if len(r.batch) == 0 {
		return nil
	}

	r.ctx, r.arg, r.done = ctx, arg, ctx.Done()
	for r.next < len(r.batch) && !r.interrupted {
		if ctx.Err() != nil {
			r.interrupted = true
			break
		}
		if !r.handOff(a.exec, a.own) {
			break
		}
	}
	return r.result(ctx)
}

// take waits for the accumulator's turn and reports true, or for ctx to
// end: then it reports false and the call's error (see skippedWaiting).
func (a *Accumulator[A]) take(ctx context.Context) (bool, error) {
	select {
	case a.turn <- struct{}{}:
		return true, nil
	default:
	}
	select {
	case a.turn <- struct{}{}:
		return true, nil
	case <-ctx.Done():
	}
	a.mu.Lock()
	select {
	case a.turn <- struct{}{}:
		// The turn came free meanwhile: take it, and the call reports, as
		// any call whose ctx has ended, every callback of its snapshot.
		a.mu.Unlock()
		return true, nil
	default:
	}
	n := a.skippedWaiting()
	a.mu.Unlock()
	if n == 0 {
		return false, nil
	}
	return false, interrupted(ctx, n, n)
}

// skippedWaiting counts, under mu and while another call holds the turn, the
// callbacks a call that gives up waiting would have run and that stay queued
// for the next call. Without call-once, every queued callback. In call-once
// mode, the running call removes those it starts from its snapshot, so only
// the callbacks queued after the snapshot count; and a turn holder that has
// not taken its snapshot yet will take every callback queued now.
func (a *Accumulator[A]) skippedWaiting() int {
	switch {
	case !a.callOnce:
		return a.ring.n
	case !a.inCall:
		return 0
	}
	end := a.ring.first + uint64(a.ring.n)
	return int(end - max(a.ring.first, min(a.snapEnd, end)))
}

// finish puts the accumulator back in order after a call, however the call
// ended (including a Goexit on the caller's goroutine with an inline
// executor), and gives the turn to the next call.
func (a *Accumulator[A]) finish(first uint64) {
	r := &a.run
	if r.handed {
		// Call's goroutine left in the middle of a hand-off: a Goexit in the
		// executor's Execute, or in a callback run inline. The hand-off must
		// not run after the turn is given away: abandon it if it has not
		// started, else wait for it (a started hand-off always signals).
		if !r.state.CompareAndSwap(pending, idle) {
			<-r.finished
		}
		r.handed = false
	}
	a.mu.Lock()
	if a.callOnce && r.next > 0 {
		// Remove the callbacks that started: the oldest of the snapshot
		// when it ran oldest first, the newest of it otherwise.
		lo, hi := first, first+uint64(r.next)
		if r.newestFirst {
			hi = first + uint64(len(r.batch))
			lo = hi - uint64(r.next)
		}
		a.ring.remove(lo, hi)
	}
	r.reset()
	a.inCall = false
	<-a.turn // under mu: see skippedWaiting
	a.mu.Unlock()
}

// The states of a call's hand-off to the executor.
const (
	idle    int32 = iota // nothing to run
	pending              // handed to the executor, not started
	running              // started: Call waits for it
)

// run is the state of the running call. Calls take turns, so one run per
// accumulator is enough, and reusing it makes a call allocate nothing.
type run[A any] struct {
	ctx         context.Context
	done        <-chan struct{}
	arg         A
	batch       []Func[A] // the call's callbacks, in run order
	newestFirst bool      // batch is the snapshot reversed
	next        int       // index in batch of the next callback to start
	errs        []error   // the callbacks' errors, in run order
	interrupted bool      // ctx ended before batch[next] started
	handed      bool      // a hand-off is in progress on Call's goroutine
	execErr     error     // the executor's panic, which ended the call

	state    atomic.Int32
	finished chan struct{} // a started hand-off ended; capacity 1

	// Bound once, so that handing off allocates nothing.
	executeFn func()
	loopFn    func() error
	goexitFn  func(error)
}

func (r *run[A]) init(newestFirst bool) {
	r.newestFirst = newestFirst
	r.finished = make(chan struct{}, 1)
	r.executeFn = r.execute
	r.loopFn = r.loop
	r.goexitFn = r.onGoexit
}

// execute is what the executor runs: the callbacks from batch[next] on,
// unless this hand-off was abandoned (or already taken) meanwhile.
func (r *run[A]) execute() {
	if !r.state.CompareAndSwap(pending, running) {
		return
	}
	for r.next < len(r.batch) && !r.interrupted {
		if err := internal.Guard(r.loopFn, r.goexitFn); err != nil {
			r.errs = append(r.errs, r.callbackError(r.next-1, err)) // a panic
		}
	}
	r.state.Store(idle)
	r.finished <- struct{}{}
}

// loop runs callbacks until the batch ends, ctx ends, or one panics.
func (r *run[A]) loop() error {
	ctx, done, arg, batch := r.ctx, r.done, r.arg, r.batch
	for i := r.next; i < len(batch); i++ {
		if done != nil {
			select {
			case <-done:
				r.interrupted = true
				return nil
			default:
			}
		}
		r.next = i + 1 // before the call, so that a panic or Goexit is charged to i
		if err := batch[i](ctx, arg); err != nil {
			r.errs = append(r.errs, r.callbackError(i, err))
		}
	}
	return nil
}

// onGoexit runs while a callback's goroutine unwinds from runtime.Goexit:
// it charges the callback and releases Call, which hands the rest to the
// executor again.
func (r *run[A]) onGoexit(err error) {
	r.errs = append(r.errs, r.callbackError(r.next-1, err))
	r.state.Store(idle)
	r.finished <- struct{}{}
}

// callbackError is the error of batch[i]. Its Index is the callback's
// position in the snapshot, oldest first, whichever order the call runs in.
func (r *run[A]) callbackError(i int, err error) *CallbackError {
	if r.newestFirst {
		i = len(r.batch) - 1 - i
	}
	return &CallbackError{Index: i, Err: err}
}

// handOff hands the callbacks from batch[next] on to e and waits for the
// hand-off to end (see wait). A panic in e.Execute ends the call: handOff
// records it and reports false; a hand-off the executor had started before
// panicking is waited for first.
func (r *run[A]) handOff(e Executor, own bool) bool {
	r.state.Store(pending)
	r.handed = true
	if p := execute(e, r.executeFn); p != nil {
		r.execErr = p
		if r.state.CompareAndSwap(pending, idle) {
			r.handed = false
			return false
		}
		own = true // started: wait for it whatever ctx does
	}
	r.wait(own)
	r.handed = false
	return r.execErr == nil
}

// execute calls e.Execute(fn) and returns its panic, if any.
func execute(e Executor, fn func()) (p *PanicError) {
	returned := false
	defer func() {
		if !returned {
			if v := recover(); v != nil { // nil: a Goexit, which goes on
				p = internal.NewPanicError(v)
			}
		}
	}()
	e.Execute(fn)
	returned = true
	return nil
}

// wait waits for the hand-off to end. With a custom executor it stops
// waiting when ctx ends before the hand-off has started, and abandons it.
func (r *run[A]) wait(own bool) {
	if own || r.done == nil {
		<-r.finished
		return
	}
	select {
	case <-r.finished:
	case <-r.done:
		if r.state.CompareAndSwap(pending, idle) {
			r.interrupted = true
			return
		}
		<-r.finished
	}
}

// result is the call's error: the callbacks' errors in run order, then the
// interruption.
func (r *run[A]) result(ctx context.Context) error {
	if r.execErr != nil {
		r.errs = append(r.errs, fmt.Errorf("accumulate: the executor panicked, %d of %d callbacks not started: %w",
			len(r.batch)-r.next, len(r.batch), r.execErr))
	}
	if r.interrupted && r.next < len(r.batch) {
		r.errs = append(r.errs, interrupted(ctx, len(r.batch)-r.next, len(r.batch)))
	}
	if len(r.errs) == 0 {
		return nil
	}
	return errors.Join(r.errs...)
}

// reset forgets the call, keeping the buffers for the next one.
func (r *run[A]) reset() {
	clear(r.batch)
	r.batch = r.batch[:0]
	clear(r.errs)
	r.errs = r.errs[:0]
	var zero A
	r.ctx, r.done, r.arg = nil, nil, zero
	r.next, r.interrupted, r.execErr = 0, false, nil
}

func interrupted(ctx context.Context, skipped, total int) error {
	e := &InterruptedError{Skipped: skipped, Total: total, Err: ctx.Err()}
	// Identity, not errors.Is: Cause returns Err itself when no cause was set.
	if cause := context.Cause(ctx); cause != e.Err { //nolint:errorlint // identity is meant
		e.Cause = cause
	}
	return e
}
