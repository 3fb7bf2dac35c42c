package gather

import (
	"context"
	"slices"
)

// Task is one unit of work. It should honour ctx: All and Map cancel it
// when a sibling fails, and every form cancels it when the caller's ctx ends.
type Task[T any] func(ctx context.Context) (T, error)

// Result is the outcome of one task in [Settled] and [Stream]: its value and
// its error.
type Result[T any] struct {
	Value T
	Err   error
}

// All runs tasks with at most n at once and returns their values in input
// order: out[i] is the value of tasks[i].
//
// n > 0 is the limit; n == 0 reads defaults.FromContext(ctx).GatherLimit
// (builtin 8); n < 0 means no limit. All starts min(limit, len(tasks))
// worker goroutines that take the tasks in input order, and every one of
// them has exited when All returns.
//
// The first task to fail (an error, a panic reported as *[PanicError], or a
// runtime.Goexit reported as an error wrapping [ErrGoexit]) cancels the ctx
// given to the running tasks with a *[TaskError] as its cause, no task that
// has not started is started, and All waits for the running tasks, then
// returns nil and that *TaskError. When ctx ends before every task has
// started, no new task starts and All returns nil and context.Cause(ctx).
// A nil task makes All return an error wrapping [ErrNilTask], naming its
// index, before running anything. Zero tasks: an empty, non-nil slice.
//
// Cost: a fixed number of allocations per call (the result slice, the
// cancellable ctx, the pool, one per worker) and none per task; the per-task
// overhead is one atomic add and a check of a stop flag (plus one of ctx
// when it can end); panics are caught by one deferred recover per worker,
// not per task.
func All[T any](ctx context.Context, n int, tasks ...Task[T]) ([]T, error) {
	for i, t := range tasks {
		if t == nil {
			return nil, nilTaskError(i)
		}
	}
	return run(ctx, n, &pool[T]{n: len(tasks), tasks: tasks})
}

// Map is [All] over a slice: out[i] = fn(ctx, in[i]), with at most n calls
// at once, and the same limit, cancellation and error rules. A nil fn is an
// error wrapping [ErrNilTask]. Map allocates nothing per element.
func Map[In, Out any](ctx context.Context, n int, in []In, fn func(ctx context.Context, v In) (Out, error)) ([]Out, error) {
	if fn == nil {
		return nil, errNilFunc
	}
	return run(ctx, n, &pool[Out]{n: len(in), do: func(ctx context.Context, i int) (Out, error) {
		return fn(ctx, in[i])
	}})
}

// run is All and Map: p, with its n and its tasks or do set, as a
// firstError pool.
func run[T any](ctx context.Context, n int, p *pool[T]) ([]T, error) {
	if p.n == 0 {
		return []T{}, nil
	}
	if ctx.Err() != nil { // nothing would start
		return nil, context.Cause(ctx)
	}
	p.mode, p.out = firstError, make([]T, p.n)
	p.ctx, p.cancel = context.WithCancelCause(ctx)
	p.start(ctx, resolveLimit(ctx, n, p.n))
	return p.result()
}

// Settled runs every task with at most n at once (n as in [All]) and returns
// exactly len(tasks) results in input order, each with its task's value and
// error. A failing task does not cancel its siblings.
//
// A task's error is stored as it returned it; a panic as a *[TaskError]
// wrapping the *[PanicError]; a runtime.Goexit as a *[TaskError] wrapping
// [ErrGoexit]; a nil task as an error wrapping [ErrNilTask]. When ctx ends, the tasks that have not started
// are not started and get context.Cause(ctx) in their slot. The tasks get ctx
// itself. Every worker goroutine has exited when Settled returns.
//
// Cost: as [All], with a Result per task in the one result slice.
func Settled[T any](ctx context.Context, n int, tasks ...Task[T]) []Result[T] {
	if len(tasks) == 0 {
		return []Result[T]{}
	}
	p := &pool[T]{n: len(tasks), mode: settle, ctx: ctx, res: make([]Result[T], len(tasks))}
	p.tasks, p.do = tasksOrNilCheck(tasks)
	p.start(ctx, resolveLimit(ctx, n, len(tasks)))
	p.wg.Wait()
	return p.res
}

// tasksOrNilCheck returns tasks to run directly when none is nil, or else a
// do that reports each nil task in its slot.
func tasksOrNilCheck[T any](tasks []Task[T]) ([]Task[T], func(context.Context, int) (T, error)) {
	if !slices.ContainsFunc(tasks, func(t Task[T]) bool { return t == nil }) {
		return tasks, nil
	}
	return nil, func(ctx context.Context, i int) (T, error) {
		if tasks[i] == nil {
			var zero T
			return zero, nilTaskError(i)
		}
		return tasks[i](ctx)
	}
}
