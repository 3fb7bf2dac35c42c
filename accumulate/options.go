package accumulate

import "fmt"

// Option configures an [Accumulator]; pass options to [New].
type Option interface{ apply(*options) }

type options struct {
	maxLen   int
	callOnce bool
	executor Executor // nil: the accumulator's own goroutine
}

func defaultOptions() options { return options{callOnce: true} }

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

// WithMaxLen bounds the number of queued callbacks, like the maxlen of a
// Python deque: when n callbacks are queued, [Accumulator.Add] drops the
// oldest to make room and [Accumulator.Offer] refuses the new one. n == 0
// (the default) means unbounded: the ring grows as needed.
//
// A negative n is a bug at the call site: WithMaxLen panics with a message
// naming the package.
func WithMaxLen(n int) Option {
	if n < 0 {
		panic(fmt.Sprintf("accumulate: WithMaxLen(%d): the maximum length must be >= 0 (0: unbounded)", n))
	}
	return optionFunc(func(o *options) { o.maxLen = n })
}

// WithCallOnce chooses what [Accumulator.Call] does with the callbacks that
// ran. true (the default): they are removed, so each runs once. false: they
// stay queued and run again on every call.
func WithCallOnce(once bool) Option {
	return optionFunc(func(o *options) { o.callOnce = once })
}

// WithExecutor makes the accumulator run its callbacks with e instead of on
// a goroutine of its own. Each call hands e one function, which runs the
// call's callbacks one after another (see [Executor]). A nil e restores the
// default.
func WithExecutor(e Executor) Option {
	return optionFunc(func(o *options) { o.executor = e })
}
