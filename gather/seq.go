package gather

import (
	"context"
	"iter"
	"sync"
	"sync/atomic"

	"github.com/asyncutils-go/asyncutils/defaults"
	"github.com/asyncutils-go/asyncutils/internal"
)

// AllSeq is [All] over a sequence of tasks that is pulled lazily: the next
// task is taken from tasks only when a worker is free to run it, so at most
// limit tasks have been taken and not finished at any time, and a sequence
// that never ends is fine as long as a task fails or ctx ends. The sequence
// runs on the calling goroutine (a panic in it reaches the caller once the
// started tasks have been cancelled and waited for).
//
// The values are in the order the sequence yielded the tasks. The limit,
// failure and ctx rules are those of All: the first failure stops the
// pulling, cancels the running tasks and is returned once they have
// finished; when ctx ends, no new task starts, and the call fails with
// context.Cause(ctx) only if a task was not started because of it (to know,
// AllSeq pulls at most one more task once ctx has ended, and does not run
// it). A nil task is such a failure: AllSeq returns an error wrapping
// [ErrNilTask] that names its index (tasks pulled before it may have
// started). Zero tasks: an empty, non-nil slice and no error, whatever ctx.
// A nil sequence (not an empty one) makes AllSeq return nil and an error
// wrapping [ErrNilFunc].
//
// On failure, AllSeq still returns a slot for every task it took before it
// stopped pulling (none for the input that stopped it: a nil task, or the
// one pulled after ctx ended), the value of every task that succeeded in
// place and the zero value elsewhere.
//
// Cost: at most min(limit, tasks pulled) worker goroutines, started as they
// are needed; per task, one channel hand-off and a short critical section to
// store the value; no allocation per task beyond growing the result slice.
func AllSeq[T any](ctx context.Context, n int, tasks iter.Seq[Task[T]]) ([]T, error) {
	if tasks == nil {
		return nil, nilFuncError("AllSeq (its sequence)")
	}
	return feed(ctx, n, tasks, func(t Task[T]) bool { return t == nil },
		func(ctx context.Context, t Task[T]) (T, error) { return t(ctx) })
}

// MapSeq is [Map] over a sequence pulled lazily, as [AllSeq] pulls its tasks:
// out[i] = fn(ctx, v) for the i-th value v of in, with at most n calls at
// once, and the same rules, failures and ctx included: on failure, out holds
// a slot for every value taken, as AllSeq's, with the result of every call
// that succeeded in place. A nil fn or a nil sequence makes MapSeq return
// nil and an error wrapping [ErrNilFunc], and pulls nothing.
func MapSeq[In, Out any](ctx context.Context, n int, in iter.Seq[In], fn func(ctx context.Context, v In) (Out, error)) ([]Out, error) {
	if fn == nil {
		return nil, nilFuncError("MapSeq")
	}
	if in == nil {
		return nil, nilFuncError("MapSeq (its sequence)")
	}
	return feed(ctx, n, in, nil, fn)
}

// item is one input handed from the feeding caller to a worker.
type item[In any] struct {
	i int
	v In
}

// feeder is the engine of AllSeq and MapSeq: the caller ranges over the
// input and hands each value to a worker once it holds one of the limit
// slots, so the input is pulled no faster than the workers need it.
type feeder[In, Out any] struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	do     func(ctx context.Context, v In) (Out, error)
	work   chan item[In]
	slots  chan struct{} // one token per running task; nil: no limit

	mu  sync.Mutex
	out []Out

	failed  atomic.Bool           // a task failed, or the input held a nil task
	first   atomic.Pointer[error] // that failure, kept apart from ctx's cause (see pool.fail)
	skipped atomic.Bool           // an input was pulled but not run: the call fails
	wg      sync.WaitGroup
}

func feed[In, Out any](ctx context.Context, n int, in iter.Seq[In], isNil func(In) bool, do func(context.Context, In) (Out, error)) ([]Out, error) {
	if n == 0 {
		n = defaults.FromContext(ctx).GatherLimit
	}
	f := &feeder[In, Out]{do: do, work: make(chan item[In]), out: []Out{}}
	f.ctx, f.cancel = context.WithCancelCause(ctx)
	if n > 0 {
		f.slots = make(chan struct{}, n)
	}
	fed := false
	defer func() {
		if !fed { // the input panicked or called runtime.Goexit
			f.cancel(nil)
			close(f.work)
			f.wg.Wait()
		}
	}()

	// All's ctx rule: the call fails because ctx ended only if an input is
	// not started because of it. When no slot comes free before ctx ends,
	// the loop pulls one more input to learn whether there is one.
	i, workers := 0, 0
	ended := !f.acquire()
	for v := range in {
		if ended {
			f.skipped.Store(true) // v exists and will not start
			break
		}
		if isNil != nil && isNil(v) {
			f.record(nilTaskError(i))
			break
		}
		var zero Out
		f.mu.Lock()
		f.out = append(f.out, zero)
		f.mu.Unlock()
		it := item[In]{i: i, v: v}
		i++
		if !f.hand(it, n, &workers) {
			f.skipped.Store(true) // it will not start
			break
		}
		if !f.acquire() {
			if f.failed.Load() && ctx.Err() == nil {
				break // a task failed: its error is the call's
			}
			// The caller's ctx ended (maybe a failure too): the next pull
			// tells whether an input is left that will not start.
			ended = true
		}
	}

	fed = true
	close(f.work)
	f.wg.Wait()
	defer f.cancel(nil)
	// The values of the tasks that succeeded, and ctx's cause if an input
	// was not started (the caller's ctx ended, or a failure cancelled it),
	// else the first failure.
	if f.skipped.Load() {
		return f.out, context.Cause(f.ctx)
	}
	if err := f.first.Load(); err != nil {
		return f.out, *err
	}
	return f.out, nil
}

// hand gives it to an idle worker, or to a new one while fewer than n run,
// or else waits for a worker to finish its task (holding a slot means one is
// between tasks). It reports false when ctx ends first: it is not started.
func (f *feeder[In, Out]) hand(it item[In], n int, workers *int) bool {
	select {
	case f.work <- it: // an idle worker took it
		return true
	default:
	}
	if n < 0 || *workers < n {
		*workers++
		f.wg.Add(1)
		go f.worker(it)
		return true
	}
	select {
	case f.work <- it:
		return true
	case <-f.ctx.Done():
		return false
	}
}

// acquire takes a slot for the next input, or reports false when ctx ended.
func (f *feeder[In, Out]) acquire() bool {
	if f.slots != nil {
		select {
		case f.slots <- struct{}{}:
		case <-f.ctx.Done():
			return false
		}
	}
	return f.ctx.Err() == nil
}

// worker runs the item it was started with, then the ones it receives,
// until the feeder closes work.
//
// A runtime.Goexit in a task kills the worker: it is recorded as the
// failure while the goroutine unwinds, which cancels everything, so no
// replacement is needed. It is detected by the loop not having ended rather
// than by Guard's Goexit callback, which a deferred call that panics during
// the Goexit would bypass.
func (f *feeder[In, Out]) worker(it item[In]) {
	returned := false
	defer func() {
		if !returned {
			f.fail(it.i, ErrGoexit)
		}
		f.wg.Done()
	}()
	for ok := true; ok; it, ok = <-f.work {
		if f.ctx.Err() != nil {
			f.skipped.Store(true)
		} else {
			f.runOne(it)
		}
		if f.slots != nil {
			<-f.slots
		}
	}
	returned = true
}

// runOne runs one input under internal.Guard and records its outcome.
func (f *feeder[In, Out]) runOne(it item[In]) {
	var v Out
	err := internal.Guard(func() error {
		var err error
		v, err = f.do(f.ctx, it.v)
		return err
	}, nil)
	if err != nil {
		f.fail(it.i, err)
		return
	}
	f.mu.Lock()
	f.out[it.i] = v
	f.mu.Unlock()
}

func (f *feeder[In, Out]) fail(i int, err error) {
	f.record(&TaskError{Index: i, Err: err})
}

// record keeps the first failure and cancels the tasks' ctx with it.
func (f *feeder[In, Out]) record(err error) {
	f.first.CompareAndSwap(nil, &err)
	f.failed.Store(true)
	f.cancel(err)
}
