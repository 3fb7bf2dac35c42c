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
// when Call's ctx ends, and the callbacks it would have run stay queued. If
// the executor runs it later anyway, or runs it more than once, each run
// after the first that started does nothing, except that a run that comes
// while a later call's hand-off is pending runs that hand-off's callbacks in
// its place: either way, no callback runs twice and none is lost. Once the
// function has started, Call waits for it. Call cannot stop an Execute that
// blocks: it waits for Execute to return, whatever ctx does.
//
// A panic in Execute ends the call: Call returns it as a [*PanicError]
// (joined after the callbacks' errors, with the number of callbacks not
// started), and those callbacks stay queued. If Execute had started the
// function before panicking, Call waits for it first.
//
// A callback that calls runtime.Goexit ends the goroutine the function runs
// on, as Go defines. The accumulator reports [ErrGoexit] for that callback
// and hands the executor a new function for the callbacks that follow. With
// an inline executor, that goroutine is the caller's own: it exits as Go
// defines, after Call has put the accumulator back in order. An Execute that
// calls runtime.Goexit ends the caller's goroutine the same way.
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
