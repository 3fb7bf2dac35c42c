// Package gather runs many tasks with at most n at once and collects their
// results in input order: the Go form of "gather with limited concurrency".
//
// [All] returns the values or the first failure, cancelling the other tasks;
// [Map] is All over a slice and a function; [Settled] runs every task and
// returns each one's value and error, and [MapSettled] is Settled over a
// slice; [Stream] yields results as tasks complete; [AllSeq] and [MapSeq]
// pull their input lazily from an iter.Seq.
//
// # Limit
//
// Every call takes n: n > 0 is the limit, n == 0 means
// defaults.FromContext(ctx).GatherLimit (builtin 8, overridable per process
// with defaults.Set or per call tree with defaults.NewContext), n < 0 means no
// limit. A call starts min(limit, number of tasks) worker goroutines that
// take the tasks in input order from a shared counter, one at a time, or in
// runs of consecutive tasks while the tasks are trivial (under a
// microsecond each: a worker's runs then grow up to 64 tasks, and shrink
// back to one after a longer one, and near the end); it never starts one
// goroutine per task. A task that calls runtime.Goexit kills its worker; in
// the forms that keep going (Settled, Stream) a replacement worker is
// started as the old one exits, so the number of workers alive never exceeds
// the limit.
//
// # Guarantees
//
//   - Every goroutine a call starts has exited when the call returns (for
//     Stream: when the range loop ends, however it ends).
//   - Results are in input order: out[i] belongs to tasks[i] in every outcome.
//   - A panic in a task is recovered and reported as a *[TaskError] (the
//     task's index) wrapping a *[PanicError]; a runtime.Goexit as a
//     *TaskError wrapping [ErrGoexit]. Neither crashes the process nor hangs
//     the caller.
//   - All, Map, AllSeq and MapSeq stop at the first failure: the ctx given to
//     the running tasks is cancelled with a *[TaskError] (the index and the
//     task's error) as its cause, no task that has not started is started,
//     and the call returns that error once the running tasks have finished.
//   - When the caller's ctx ends, no new task starts. All and friends fail
//     with context.Cause(ctx) if, and only if, a task was not started because
//     of it (a ctx that ends while the last tasks run leaves the outcome to
//     them); Settled, MapSettled and Stream report it in the slots of the
//     tasks that did not start.
//   - On failure, All and friends still return the result slice: the value
//     of every task that succeeded in its slot, the zero value elsewhere.
//     Settled and MapSettled are the forms for each task's own outcome.
//   - A nil task is reported as an error wrapping [ErrNilTask] that names its
//     index: All runs nothing; Settled and Stream report it in its slot. A
//     nil function given to Map, MapSeq or MapSettled is an error wrapping
//     [ErrNilFunc]. Zero tasks: an empty, non-nil slice and no error.
//
// The package reads no time and starts no goroutine outside a call.
//
// # Cost
//
// All, Map, Settled and MapSettled allocate a fixed number of objects per
// call (the result slice, a cancellable ctx, a small pool and one closure
// per worker) and nothing per task: allocations per call do not grow with
// the number of tasks. The per-task overhead is a share of one claim on a
// counter that has a cache line of its own (a claim of trivial tasks takes
// a run of up to 64, so that the workers do not all write that line for
// every task; one clock read per claim decides), one check of a stop flag (plus an
// atomic ctx check when the caller's ctx can be cancelled) and a store of
// the value, with no goroutine started per task. Panics are caught by one
// deferred recover per worker, not per task. Stream adds a channel hand-off
// per result; AllSeq and MapSeq add a channel hand-off and a short critical
// section per input. See docs/benchmarks.md in the repository for measured
// figures.
package gather
