package gather

import (
	"context"
	"iter"
)

// Stream returns a sequence that runs tasks with at most n at once (n as in
// [All]) and yields each task's index and [Result] as it completes, so the
// fastest results come first. Like [Settled], a failing task does not cancel
// its siblings and every task is yielded once, errors included, with the
// same rules for panics, runtime.Goexit, nil tasks and a ctx that ends.
//
// Nothing runs until the sequence is ranged over, and each range runs the
// tasks anew. Breaking out of the loop cancels the ctx given to the running
// tasks and waits for them before the loop statement ends; no goroutine
// outlives the loop, whatever happens in its body. To stop at the first
// error, break when Result.Err is not nil.
//
// Cost: as [All], plus one channel hand-off per task to the ranging
// goroutine; no allocation per task.
func Stream[T any](ctx context.Context, n int, tasks ...Task[T]) iter.Seq2[int, Result[T]] {
	return func(yield func(int, Result[T]) bool) {
		if len(tasks) == 0 {
			return
		}
		workers := resolveLimit(ctx, n, len(tasks))
		p := &pool[T]{
			n:       len(tasks),
			mode:    stream,
			results: make(chan indexed[T], workers),
			stop:    make(chan struct{}),
		}
		p.ctx, p.cancel = context.WithCancelCause(ctx)
		p.tasks, p.do = tasksOrNilCheck(tasks)
		defer func() {
			p.stopped.Store(true)
			close(p.stop)
			p.cancel(nil)
			p.wg.Wait()
		}()
		p.start(ctx, workers)
		for range len(tasks) {
			x := <-p.results
			if !yield(x.i, x.r) {
				return
			}
		}
	}
}
