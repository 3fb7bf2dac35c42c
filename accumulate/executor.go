package accumulate

// Executor runs the callbacks of an [Accumulator]. For each call, the
// accumulator passes Execute one function that runs that call's callbacks one
// after another; Execute must arrange for it to run exactly once, on a
// goroutine of its choice, and may return before or after it has run:
//
//   - A worker pool hands fn to one of its workers and returns.
//   - An inline executor, ExecutorFunc(func(fn func()) { fn() }), runs the
//     callbacks on the goroutine that called [Accumulator.Call].
//
// The accumulator never hands an executor a second function while the first
// is still running, so an executor needs no locking of its own for one
// accumulator.
//
// While the function has not started, the caller of Call stops waiting for it
// when Call's ctx ends; if it runs later, it returns at once without running
// anything. Once it has started, Call waits for it.
//
// A callback that calls runtime.Goexit ends the goroutine the function runs
// on, as Go defines. The accumulator reports [ErrGoexit] for that callback
// and hands the executor a new function for the callbacks that follow. With
// an inline executor, that goroutine is the caller's own: it exits as Go
// defines, after Call has put the accumulator back in order.
type Executor interface {
	Execute(fn func())
}

// ExecutorFunc adapts an ordinary function to the [Executor] interface.
type ExecutorFunc func(fn func())

// Execute calls f(fn).
func (f ExecutorFunc) Execute(fn func()) { f(fn) }

// goExecutor is the default: a goroutine of the accumulator's own per call,
// which ends when the call's callbacks have run. Call waits for it, so it
// never outlives the call.
type goExecutor struct{}

func (goExecutor) Execute(fn func()) { go fn() }
