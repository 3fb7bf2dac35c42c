package accumulate

import (
	"fmt"
	"time"
)

// Option configures an [Accumulator]; pass options to [New].
type Option interface{ apply(*options) }

type options struct {
	maxLen      int
	callOnce    bool
	order       Order
	exitTimeout time.Duration // 0: Exit is unbounded
	executor    Executor      // nil: the accumulator's own goroutine
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

// Order is the order in which a call runs its callbacks; see [WithOrder].
type Order uint8

const (
	// OldestFirst runs the callbacks in the order they were added, as the
	// Python accumulator does. It is the default.
	OldestFirst Order = iota
	// NewestFirst runs the most recently added callback first, as defer and
	// testing.T.Cleanup do: what was acquired last is released first.
	NewestFirst
)

// String returns "OldestFirst" or "NewestFirst".
func (o Order) String() string {
	switch o {
	case OldestFirst:
		return "OldestFirst"
	case NewestFirst:
		return "NewestFirst"
	}
	return fmt.Sprintf("Order(%d)", uint8(o))
}

// WithOrder sets the order in which [Accumulator.Call] runs the callbacks:
// [OldestFirst] (the default) or [NewestFirst]. Use NewestFirst for
// cleanups of resources that depend on each other (stop the server that
// uses the database before closing the database), the order defer gives.
// The order changes nothing else: [Accumulator.Callbacks] lists oldest
// first, [WithMaxLen] drops the oldest, and a [*CallbackError]'s Index is
// the callback's position in that list.
//
// Any other value is a bug at the call site: WithOrder panics with a message
// naming the package.
func WithOrder(o Order) Option {
	if o != OldestFirst && o != NewestFirst {
		panic(fmt.Sprintf("accumulate: WithOrder(%v): the order must be OldestFirst or NewestFirst", o))
	}
	return optionFunc(func(opts *options) { opts.order = o })
}

// WithExitTimeout bounds how long [Accumulator.Exit] may take: the
// callbacks of an Exit get a ctx that ends d after Exit starts, and when it
// ends, the callbacks not started are skipped and reported as a call whose
// ctx ended reports them. d == 0 (the default) means no bound: Exit runs
// every callback, however long they take. It does not bound [Accumulator.Call]
// or [Accumulator.Go], which honour the ctx they are given.
//
// A negative d is a bug at the call site: WithExitTimeout panics with a
// message naming the package.
func WithExitTimeout(d time.Duration) Option {
	if d < 0 {
		panic(fmt.Sprintf("accumulate: WithExitTimeout(%v): the bound must be >= 0 (0: unbounded)", d))
	}
	return optionFunc(func(o *options) { o.exitTimeout = d })
}
