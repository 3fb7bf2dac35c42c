package accumulate

import (
	"context"
	"sync"
	"time"
)

// Func is a callback: it gets the ctx and the argument of the call that runs
// it, and reports failure with its error.
type Func[A any] func(ctx context.Context, arg A) error

// Accumulator is a queue of callbacks that [Accumulator.Call] runs one after
// another on an executor, oldest first unless [WithOrder] says otherwise. Create one with [New]; the zero
// value is not ready for use.
//
// All methods are safe for concurrent use. Callbacks of one accumulator never
// overlap: calls take turns.
type Accumulator[A any] struct {
	mu   sync.Mutex
	ring ring[Func[A]]
	// Under mu: the running call has taken its snapshot, the sequence
	// numbers below snapEnd. A call that gives up waiting for its turn
	// counts only the callbacks above it.
	inCall  bool
	snapEnd uint64

	callOnce    bool
	exitTimeout time.Duration
	exec        Executor
	own         bool // exec is the default goroutine-per-call executor

	// Holds a token while a call runs: calls take turns. Taken outside mu
	// (the wait honours ctx), given back under mu, after inCall is cleared.
	turn chan struct{}
	run  run[A] // the running call; touched only by the turn holder
}

// New returns an empty accumulator configured by opts: unbounded, call-once,
// oldest first, running its callbacks on a goroutine of its own unless told
// otherwise.
func New[A any](opts ...Option) *Accumulator[A] {
	o := defaultOptions()
	for _, opt := range opts {
		if opt != nil { // a nil Option is no option, as in the other modules
			opt.apply(&o)
		}
	}
	a := &Accumulator[A]{
		ring:        ring[Func[A]]{max: o.maxLen},
		callOnce:    o.callOnce,
		exitTimeout: o.exitTimeout,
		exec:        o.executor,
		turn:        make(chan struct{}, 1),
	}
	if a.exec == nil {
		a.exec, a.own = goExecutor{}, true
	}
	a.run.init(o.order == NewestFirst)
	return a
}

// Add queues fn as the newest callback. When the accumulator is full (see
// [WithMaxLen]), the oldest queued callback is dropped to make room, as a
// Python deque with a maxlen does. Add never blocks on a running call and
// allocates nothing unless the ring grows.
//
// A nil fn is a bug at the call site: Add panics with a message naming the
// package.
func (a *Accumulator[A]) Add(fn Func[A]) {
	if fn == nil {
		panic("accumulate: Add: nil callback")
	}
	a.mustBeNew()
	a.mu.Lock()
	a.ring.push(fn)
	a.mu.Unlock()
}

// Offer queues fn as the newest callback and reports true, unless the
// accumulator is full (see [WithMaxLen]): then it reports false and nothing
// changes. Offer never blocks on a running call and allocates nothing unless
// the ring grows.
//
// A nil fn is a bug at the call site: Offer panics with a message naming the
// package.
func (a *Accumulator[A]) Offer(fn Func[A]) bool {
	if fn == nil {
		panic("accumulate: Offer: nil callback")
	}
	a.mustBeNew()
	a.mu.Lock()
	ok := !a.ring.full()
	if ok {
		a.ring.push(fn)
	}
	a.mu.Unlock()
	return ok
}

// Len returns the number of queued callbacks. In call-once mode, the
// callbacks of a running call count until the call returns.
func (a *Accumulator[A]) Len() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.ring.n
}

// Callbacks returns a copy of the queued callbacks, oldest first; changing
// it changes nothing.
func (a *Accumulator[A]) Callbacks() []Func[A] {
	a.mu.Lock()
	defer a.mu.Unlock()
	fns := make([]Func[A], a.ring.n)
	a.ring.copyTo(fns)
	return fns
}

// Clear removes every queued callback. A running call is not affected: it
// still runs the callbacks it started with (see [Accumulator.Call]).
func (a *Accumulator[A]) Clear() {
	a.mu.Lock()
	a.ring.clear()
	a.mu.Unlock()
}

func (a *Accumulator[A]) mustBeNew() {
	if a.turn == nil {
		panic("accumulate: Accumulator used without New")
	}
}
