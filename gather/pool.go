package gather

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

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
	workers int       // started by start, for the size of a claim
	epoch   time.Time // when start ran: claims time their runs from it
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

	failed  atomic.Bool               // firstError: a task failed
	first   atomic.Pointer[TaskError] // firstError: the first failure, kept apart from ctx's cause
	skipped atomic.Bool               // firstError: a claimed task was not started
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
	p.epoch = time.Now()
	p.wg.Add(workers)
	for range workers {
		go p.work(span{})
	}
}

// span is a worker's run of claimed tasks: next up to end (exclusive), size
// tasks claimed when began.
type span struct {
	next, end, size int
	began           time.Duration // since the pool's epoch
}

// maxClaim is the most tasks one claim takes.
const maxClaim = 64

// shortTask is the time per task under which a worker's claims grow: tasks
// that short cost about as much as the claim itself (a write of the
// counter's contended cache line), and only then are runs worth a task
// waiting behind another of its run.
const shortTask = time.Microsecond

// claim takes the next run of tasks into sp and reports whether there was
// one. A run is at most a share of what is left, (n-next)/(4*workers), at
// least 1 and at most maxClaim; and a worker's claims start at one task,
// grow fourfold while its runs take less than shortTask per task, and drop
// back to one task after a run that took longer. So trivial
// tasks are claimed in runs, and the workers do not all write the counter's
// cache line for every task (with such tasks that line was nearly all of
// the cost); tasks of I/O or real work are claimed one at a time, so that
// none waits behind a slow one of its run while other workers are idle; and
// near the end every claim is one task.
func (p *pool[T]) claim(sp *span) bool {
	// One clock read per run, not per task: the monotonic clock only.
	now := time.Since(p.epoch)
	size := 1
	if sp.size > 0 && now-sp.began < time.Duration(sp.size)*shortTask {
		size = min(4*sp.size, maxClaim)
	}
	for {
		from := int(p.next.Load())
		if from >= p.n {
			return false
		}
		k := min(max((p.n-from)/(4*p.workers), 1), size)
		if p.next.CompareAndSwap(int64(from), int64(from+k)) {
			*sp = span{next: from, end: from + k, size: k, began: now}
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

// fail stops a firstError pool: the first failure is kept, becomes the
// cause of the tasks' ctx, and no task starts after it. It is kept apart
// because the caller's ctx may have ended first, and then ctx's cause is
// the caller's, not the failure.
func (p *pool[T]) fail(i int, err error) {
	te := &TaskError{Index: i, Err: err}
	p.first.CompareAndSwap(nil, te)
	p.failed.Store(true)
	p.stopped.Store(true)
	p.cancel(te)
}

// result waits for the workers and returns what a firstError call returns,
// with the values of the tasks that succeeded: when a task was not started,
// the cause of the tasks' ctx (the caller's, if its ctx ended first; else
// the first failure, which cancelled it); when every task started, the
// first failure, if any: the outcome is theirs, even if the caller's ctx
// ended meanwhile.
func (p *pool[T]) result() ([]T, error) {
	p.wg.Wait()
	defer p.cancel(nil)
	if p.skipped.Load() {
		return p.out, context.Cause(p.ctx)
	}
	if te := p.first.Load(); te != nil {
		return p.out, te
	}
	return p.out, nil
}
