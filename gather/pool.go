package gather

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/asyncutils-go/asyncutils/defaults"
	"github.com/asyncutils-go/asyncutils/internal"
)

// mode says what a pool does with each outcome.
type mode uint8

const (
	firstError mode = iota // All, Map: keep values, stop at the first error
	settle                 // Settled: every slot gets its value and error
	stream                 // Stream: every outcome is sent to the consumer
)

// indexed is one outcome on its way to a Stream consumer.
type indexed[T any] struct {
	i int
	r Result[T]
}

// pool runs do(ctx, i) for every i in [0, n) on a fixed set of workers that
// claim the next index from an atomic counter. It is the engine of All, Map,
// Settled and Stream; one pool serves one call.
type pool[T any] struct {
	// next is the next index to claim, past n once all are claimed. Every
	// claim writes it, so it has a cache line of its own: the fields the
	// workers only read stay shared between their caches.
	_    [64]byte
	next atomic.Int64
	_    [56]byte

	n       int
	workers int // started by start, for the size of a claim
	mode    mode
	watch   bool        // the caller's ctx can end: poll ctx before each task
	stopped atomic.Bool // a firstError pool failed, or a Stream consumer left

	ctx    context.Context                             // given to the tasks
	cancel context.CancelCauseFunc                     // cancels ctx; nil in settle mode
	tasks  []Task[T]                                   // All: run tasks[i]
	do     func(ctx context.Context, i int) (T, error) // otherwise: run do(ctx, i)

	out []T         // firstError: the values
	res []Result[T] // settle: the slots

	results chan indexed[T] // stream: outcomes to the consumer
	stop    chan struct{}   // stream: closed when the consumer leaves

	failed  atomic.Bool // firstError: a task failed
	skipped atomic.Bool // firstError: a claimed task was not started
	wg      sync.WaitGroup
}

// resolveLimit turns the n of a call into a worker count for count tasks:
// n > 0 is the limit, 0 reads the ctx's defaults, n < 0 is no limit. The
// result is never more than count.
func resolveLimit(ctx context.Context, n, count int) int {
	if n == 0 {
		n = defaults.FromContext(ctx).GatherLimit
	}
	if n < 0 || n > count {
		return count
	}
	return n
}

// start launches workers goroutines.
func (p *pool[T]) start(parent context.Context, workers int) {
	// A ctx that can never end (Background, TODO) need not be polled before
	// each task: only the pool's own stop flag can stop it.
	p.watch = parent.Done() != nil
	p.workers = workers
	p.wg.Add(workers)
	for range workers {
		go p.work(span{})
	}
}

// span is a worker's run of claimed tasks: next up to end (exclusive).
type span struct{ next, end int }

// maxClaim is the most tasks one claim takes.
const maxClaim = 64

// claim takes the next run of tasks into sp and reports whether there was
// one. A run is a share of what is left, (n-next)/(4*workers), between 1
// and maxClaim: long while many tasks wait, so that the workers do not
// all write the counter's cache line for every task (with trivial tasks
// that line was nearly all of the cost), and one task at a time at the
// end, so that no worker is left with a run while the others are idle.
func (p *pool[T]) claim(sp *span) bool {
	for {
		from := int(p.next.Load())
		if from >= p.n {
			return false
		}
		k := min(max((p.n-from)/(4*p.workers), 1), maxClaim)
		if p.next.CompareAndSwap(int64(from), int64(from+k)) {
			*sp = span{from, from + k}
			return true
		}
	}
}

// work claims indices until none is left or the pool stops. The loop runs
// under one internal.Guard rather than one per task, which keeps the
// per-task cost to a few instructions: a panic in task cur ends the guarded
// loop, is recorded for cur, and the loop is entered again.
//
// A task that calls runtime.Goexit kills the worker. That is detected here,
// by the loop not having returned, rather than by Guard's Goexit callback:
// a deferred call that panics during the Goexit is recovered by Guard, and
// the Goexit then resumes without Guard ever reporting it.
func (p *pool[T]) work(sp span) {
	cur, returned := -1, false
	defer func() {
		if !returned {
			p.goexit(cur, sp)
		}
		p.wg.Done() // after goexit, whose replacement worker keeps wg above zero
	}()
	for {
		err := internal.Guard(func() error {
			p.loop(&cur, &sp)
			return nil
		}, nil)
		if err == nil {
			returned = true
			return
		}
		// A panic (Guard made it a *PanicError): firstError wraps it with
		// the index in fail; the other modes store it wrapped the same way.
		if p.mode != firstError {
			err = &TaskError{Index: cur, Err: err}
		}
		var zero T
		p.put(cur, zero, err)
	}
}

// loop runs tasks until none is left or the pool stops; cur is the index of
// the running task.
func (p *pool[T]) loop(cur *int, sp *span) {
	ctx, tasks, out, watch := p.ctx, p.tasks, p.out, p.watch
	for {
		if sp.next >= sp.end && !p.claim(sp) {
			return
		}
		i := sp.next
		sp.next++
		if p.stopped.Load() { // a failure, or the Stream consumer left
			if p.mode == firstError {
				p.skipped.Store(true)
			}
			return
		}
		if watch && ctx.Err() != nil {
			if p.mode == firstError {
				p.skipped.Store(true)
				return
			}
			// Settled and Stream: an unstarted task gets the ctx's error.
			var zero T
			p.put(i, zero, context.Cause(ctx))
			continue
		}
		*cur = i
		var (
			v   T
			err error
		)
		if tasks != nil {
			v, err = tasks[i](ctx)
		} else {
			v, err = p.do(ctx, i)
		}
		if err == nil && out != nil { // All and Map: the common case
			out[i] = v
			continue
		}
		p.put(i, v, err)
	}
}

// goexit records that task i called runtime.Goexit, which is killing this
// worker goroutine. When the remaining tasks must still run, a replacement
// worker takes its place, so the worker count never grows.
func (p *pool[T]) goexit(i int, rest span) {
	var zero T
	if p.mode == firstError {
		p.put(i, zero, ErrGoexit) // fail wraps it with the index
		return
	}
	p.put(i, zero, &TaskError{Index: i, Err: ErrGoexit})
	p.wg.Add(1)
	go p.work(rest) // the replacement runs the rest of the dead worker's run first
}

// put records the outcome of task i.
func (p *pool[T]) put(i int, v T, err error) {
	switch p.mode {
	case firstError:
		if err != nil {
			p.fail(i, err)
			return
		}
		p.out[i] = v
	case settle:
		p.res[i] = Result[T]{Value: v, Err: err}
	case stream:
		select {
		case p.results <- indexed[T]{i: i, r: Result[T]{Value: v, Err: err}}:
		case <-p.stop:
		}
	}
}

// fail stops a firstError pool: the first failure becomes the cause of the
// tasks' ctx, and no task starts after it.
func (p *pool[T]) fail(i int, err error) {
	p.failed.Store(true)
	p.stopped.Store(true)
	p.cancel(&TaskError{Index: i, Err: err})
}

// result waits for the workers and returns what a firstError call returns.
func (p *pool[T]) result() ([]T, error) {
	p.wg.Wait()
	if !p.failed.Load() && !p.skipped.Load() {
		p.cancel(nil)
		return p.out, nil
	}
	err := context.Cause(p.ctx)
	p.cancel(nil)
	return p.out, err // the values of the tasks that succeeded
}
