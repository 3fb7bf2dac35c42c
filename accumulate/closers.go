package accumulate

import (
	"context"
	"fmt"
	"io"
)

// Closer adapts c into a callback that calls c.Close() and ignores its ctx
// and argument: the building block for closing resources with [Offer] or
// [Add]. A nil c panics with a message naming the package.
//
// [Offer]: Accumulator.Offer
// [Add]: Accumulator.Add
func Closer[A any](c io.Closer) Func[A] {
	if c == nil {
		panic("accumulate: Closer: nil io.Closer")
	}
	return func(context.Context, A) error { return c.Close() }
}

// AddClosers queues c.Close of each closer, in order, as [Accumulator.Add]
// would (a full accumulator drops its oldest callbacks). This is the Go form
// of adding the same-named method of many objects: the objects are typed
// io.Closer, so one that lacks Close() error is a compile-time error, not a
// failure at run time. Use [AddMethod] for other methods.
//
// A nil closer is a bug at the call site: AddClosers panics, naming its
// index, before adding any.
func (a *Accumulator[A]) AddClosers(cs ...io.Closer) {
	for i, c := range cs {
		if c == nil {
			panic(fmt.Sprintf("accumulate: AddClosers: closer %d is nil", i))
		}
	}
	a.addAll(len(cs), func(i int) Func[A] { return Closer[A](cs[i]) })
}

// AddMethod queues method(x) for each x, in order, as [Accumulator.Add]
// would. method is typically a method expression, so the compiler checks
// that every object has the method:
//
//	accumulate.AddMethod(acc, (*bufio.Writer).Flush, w1, w2)
//
// The callbacks ignore their ctx and argument; see [AddMethodContext] for
// methods that take a context. A nil method panics before adding any.
func AddMethod[A, T any](a *Accumulator[A], method func(T) error, xs ...T) {
	if method == nil {
		panic("accumulate: AddMethod: nil method")
	}
	a.addAll(len(xs), func(i int) Func[A] {
		x := xs[i]
		return func(context.Context, A) error { return method(x) }
	})
}

// AddMethodContext queues method(x, ctx) for each x, in order, as
// [Accumulator.Add] would; ctx is the ctx of the call that runs the callback.
// It fits methods such as (*http.Server).Shutdown:
//
//	accumulate.AddMethodContext(acc, (*http.Server).Shutdown, srv)
//
// A nil method panics before adding any.
func AddMethodContext[A, T any](a *Accumulator[A], method func(T, context.Context) error, xs ...T) {
	if method == nil {
		panic("accumulate: AddMethodContext: nil method")
	}
	a.addAll(len(xs), func(i int) Func[A] {
		x := xs[i]
		return func(ctx context.Context, _ A) error { return method(x, ctx) }
	})
}

// addAll queues n callbacks under one lock, so that they are contiguous.
func (a *Accumulator[A]) addAll(n int, fn func(i int) Func[A]) {
	a.mustBeNew()
	a.mu.Lock()
	defer a.mu.Unlock()
	for i := range n {
		a.ring.push(fn(i))
	}
}
