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
// returns that *TaskError. When ctx ends before every task has started, no
// new task starts and All returns context.Cause(ctx); when ctx ends after
// every task has started, All waits for them and its outcome is theirs.
//
// On failure, All still returns the result slice, len(tasks) long, with
// the value of every task that succeeded in place and the zero value
// elsewhere (the failed task, the cancelled ones, those not started), so
// that finished work is not lost; [Settled] is the form that reports each
// task's own outcome. A nil task makes All return nil and an error wrapping
// [ErrNilTask], naming its index, before running anything. Zero tasks: an
// empty, non-nil slice.
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
// at once, and the same limit, cancellation and error rules. On failure,
// out still holds len(in) slots, the value of every call that succeeded in
// place and the zero value elsewhere; [MapSettled] is the form that reports
// each element's own outcome. A nil fn makes Map return nil and an error
// wrapping [ErrNilFunc], and run nothing. Map allocates nothing per element.
func Map[In, Out any](ctx context.Context, n int, in []In, fn func(ctx context.Context, v In) (Out, error)) ([]Out, error) {
	if fn == nil {
		return nil, nilFuncError("Map")
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
		return make([]T, p.n), context.Cause(ctx)
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
	p := &pool[T]{n: len(tasks)}
	p.tasks, p.do = tasksOrNilCheck(tasks)
	return settled(ctx, n, p)
}

// MapSettled is [Settled] over a slice, as [Map] is All over a slice: it
// calls fn(ctx, in[i]) for every element, with at most n calls at once, and
// returns exactly len(in) results in input order, res[i] the value and
// error of fn(ctx, in[i]). A failing call does not cancel the others; the
// rules for panics, runtime.Goexit and a ctx that ends are those of Settled.
// A nil fn runs nothing: every slot gets an error wrapping [ErrNilFunc].
//
// Cost: as Settled; nothing is allocated per element.
func MapSettled[In, Out any](ctx context.Context, n int, in []In, fn func(ctx context.Context, v In) (Out, error)) []Result[Out] {
	if len(in) == 0 {
		return []Result[Out]{}
	}
	if fn == nil {
		res, err := make([]Result[Out], len(in)), nilFuncError("MapSettled")
		for i := range res {
			res[i].Err = err
		}
		return res
	}
	return settled(ctx, n, &pool[Out]{n: len(in), do: func(ctx context.Context, i int) (Out, error) {
		return fn(ctx, in[i])
	}})
}

// settled is Settled and MapSettled: p, with its n and its tasks or do set,
// as a settle pool.
func settled[T any](ctx context.Context, n int, p *pool[T]) []Result[T] {
	p.mode, p.ctx, p.res = settle, ctx, make([]Result[T], p.n)
	p.start(ctx, resolveLimit(ctx, n, p.n))
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
