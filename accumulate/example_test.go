package accumulate_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/asyncutils-go/asyncutils/accumulate"
)

// file stands for any resource with a Close method.
type file struct{ name string }

func (f *file) Close() error {
	fmt.Println("close", f.name)
	if f.name == "db" {
		return errors.New("db: connection reset")
	}
	return nil
}

// Closing resources at shutdown: AddClosers takes io.Closer values, so an
// object without Close() error does not compile. NewestFirst closes them in
// the reverse order of opening, as defer would: the cache that uses the db
// first, the log that both write to last. A failing Close does not stop the
// others.
func Example() {
	shutdown := accumulate.New[error](accumulate.WithOrder(accumulate.NewestFirst))
	shutdown.AddClosers(&file{"log"}, &file{"db"}, &file{"cache"}) // in the order they were opened

	err := shutdown.Call(context.Background(), nil)
	fmt.Println(err)
	fmt.Println("left:", shutdown.Len())
	// Output:
	// close cache
	// close db
	// close log
	// accumulate: callback 1: db: connection reset
	// left: 0
}

// OldestFirst, the default, runs callbacks in the order they were added:
// steps that must happen in sequence (notify, then record). NewestFirst
// undoes in reverse, as defer does.
func ExampleWithOrder() {
	for _, order := range []accumulate.Order{accumulate.OldestFirst, accumulate.NewestFirst} {
		acc := accumulate.New[string](accumulate.WithOrder(order))
		for _, step := range []string{"one", "two", "three"} {
			acc.Add(func(_ context.Context, prefix string) error { fmt.Println(prefix, step); return nil })
		}
		_ = acc.Call(context.Background(), order.String()+":")
	}
	// Output:
	// OldestFirst: one
	// OldestFirst: two
	// OldestFirst: three
	// NewestFirst: three
	// NewestFirst: two
	// NewestFirst: one
}

// Exit runs every callback although the scope's ctx has ended (a service
// stopping on SIGTERM); WithExitTimeout bounds how long the shutdown may
// take: here a drain that outlasts the bound is cut short, and the
// callback after it is reported as not started.
func ExampleWithExitTimeout() {
	shutdown := accumulate.New[error](
		accumulate.WithOrder(accumulate.NewestFirst),
		accumulate.WithExitTimeout(50*time.Millisecond),
	)
	shutdown.Add(func(context.Context, error) error { fmt.Println("close the database"); return nil })
	shutdown.Add(func(ctx context.Context, _ error) error {
		fmt.Println("drain: ctx ended at the start:", ctx.Err() != nil)
		<-ctx.Done() // connections that never go idle
		return ctx.Err()
	})

	ctx, cancel := context.WithCancel(context.Background())
	cancel() // SIGTERM
	var err error
	func() { defer shutdown.Exit(ctx, &err, &err) }()
	fmt.Println(err)
	fmt.Println("left:", shutdown.Len())
	// Output:
	// drain: ctx ended at the start: false
	// accumulate: callback 1: context deadline exceeded
	// accumulate: call interrupted, 1 of 2 callbacks not started: context deadline exceeded
	// left: 1
}

// Commit hooks: with A = error and a pointer to the function's named result,
// every hook sees the error the function returns, and the hooks' own errors
// are joined to it.
func ExampleAccumulator_Exit() {
	transfer := func(amount int) (err error) {
		hooks := accumulate.New[error]()
		defer hooks.Exit(context.Background(), &err, &err)
		hooks.Add(func(_ context.Context, err error) error {
			if err != nil {
				fmt.Println("  rollback:", err)
				return nil
			}
			fmt.Println("  commit")
			return nil
		})
		hooks.Add(func(context.Context, error) error {
			fmt.Println("  release the lock")
			return nil
		})
		if amount > 100 {
			return errors.New("insufficient funds")
		}
		return nil
	}
	fmt.Println("transfer 50:", transfer(50))
	fmt.Println("transfer 500:", transfer(500))
	// Output:
	//   commit
	//   release the lock
	// transfer 50: <nil>
	//   rollback: insufficient funds
	//   release the lock
	// transfer 500: insufficient funds
}

// Offer refuses a callback when the accumulator is full; Add would drop the
// oldest instead.
func ExampleAccumulator_Offer() {
	acc := accumulate.New[string](accumulate.WithMaxLen(2))
	say := func(s string) accumulate.Func[string] {
		return func(_ context.Context, arg string) error { fmt.Println(arg, s); return nil }
	}
	fmt.Println(acc.Offer(say("one")), acc.Offer(say("two")), acc.Offer(say("three")))
	_ = acc.Call(context.Background(), "offered:")

	acc.Add(say("one"))
	acc.Add(say("two"))
	acc.Add(say("three")) // drops "one"
	_ = acc.Call(context.Background(), "added:")
	// Output:
	// true true false
	// offered: one
	// offered: two
	// added: two
	// added: three
}

// WithCallOnce(false) keeps the callbacks: they run on every call.
func ExampleWithCallOnce() {
	ticks := accumulate.New[int](accumulate.WithCallOnce(false))
	ticks.Add(func(_ context.Context, n int) error { fmt.Println("metrics", n); return nil })
	ticks.Add(func(_ context.Context, n int) error { fmt.Println("heartbeat", n); return nil })
	for n := range 2 {
		_ = ticks.Call(context.Background(), n)
	}
	fmt.Println("still queued:", ticks.Len())
	// Output:
	// metrics 0
	// heartbeat 0
	// metrics 1
	// heartbeat 1
	// still queued: 2
}

// A failing and a panicking callback each become an error of the call, in
// run order, and neither stops the others.
func ExampleAccumulator_Call() {
	acc := accumulate.New[error]()
	acc.Add(func(context.Context, error) error { return errors.New("flush failed") })
	acc.Add(func(context.Context, error) error { panic("nil map") })
	acc.Add(func(context.Context, error) error { fmt.Println("still runs"); return nil })

	err := acc.Call(context.Background(), nil)
	fmt.Println(err)
	var pe *accumulate.PanicError
	fmt.Println("panic value:", errors.As(err, &pe) && pe.Value == "nil map")
	// Output:
	// still runs
	// accumulate: callback 0: flush failed
	// accumulate: callback 1: panic: nil map
	// panic value: true
}

// When the call's ctx ends, the callbacks not started stay queued for the
// next call.
func ExampleAccumulator_Call_interrupted() {
	ctx, cancel := context.WithCancel(context.Background())
	acc := accumulate.New[error]()
	acc.Add(func(context.Context, error) error { fmt.Println("first"); cancel(); return nil })
	acc.Add(func(context.Context, error) error { fmt.Println("second"); return nil })
	acc.Add(func(context.Context, error) error { fmt.Println("third"); return nil })

	err := acc.Call(ctx, nil)
	fmt.Println(err, errors.Is(err, context.Canceled))
	fmt.Println(acc.Call(context.Background(), nil))
	// Output:
	// first
	// accumulate: call interrupted, 2 of 3 callbacks not started: context canceled true
	// second
	// third
	// <nil>
}

// Go hands the call off and returns at once; Wait collects its error later.
func ExampleAccumulator_Go() {
	acc := accumulate.New[string]()
	acc.Add(func(_ context.Context, reason string) error { fmt.Println("notify:", reason); return nil })

	serve := func() (p *accumulate.Pending) {
		reason := "done"
		defer func() { p = acc.Go(context.Background(), reason) }()
		return nil
	}
	p := serve()
	fmt.Println("wait:", p.Wait(context.Background()))
	// Output:
	// notify: done
	// wait: <nil>
}

// flusher stands for a buffered writer.
type flusher struct{ name string }

func (f *flusher) Flush() error { fmt.Println("flush", f.name); return nil }

// AddMethod adds the same method of many objects, checked by the compiler
// through a method expression.
func ExampleAddMethod() {
	acc := accumulate.New[error]()
	accumulate.AddMethod(acc, (*flusher).Flush, &flusher{"access log"}, &flusher{"audit log"})
	fmt.Println(acc.Call(context.Background(), nil))
	// Output:
	// flush access log
	// flush audit log
	// <nil>
}

// An Executor decides where the callbacks run: here, on the caller's own
// goroutine.
func ExampleWithExecutor() {
	inline := accumulate.ExecutorFunc(func(fn func()) { fmt.Println("executing"); fn() })
	acc := accumulate.New[error](accumulate.WithExecutor(inline))
	acc.Add(func(context.Context, error) error { fmt.Println("callback"); return nil })
	fmt.Println(acc.Call(context.Background(), nil))
	// Output:
	// executing
	// callback
	// <nil>
}

// New with a maximum length behaves like a Python deque with a maxlen: Add
// drops the oldest callback.
func ExampleNew() {
	acc := accumulate.New[error](accumulate.WithMaxLen(2))
	for i := range 4 {
		acc.Add(func(context.Context, error) error { fmt.Println("callback", i); return nil })
	}
	fmt.Println(acc.Len(), len(acc.Callbacks()))
	_ = acc.Call(context.Background(), nil)
	// Output:
	// 2 2
	// callback 2
	// callback 3
}

// server stands for an *http.Server.
type server struct{ name string }

func (s *server) Shutdown(ctx context.Context) error {
	fmt.Println("shutdown", s.name, "ctx done:", ctx.Err() != nil)
	return nil
}

// AddMethodContext fits methods that take the call's ctx, such as
// (*http.Server).Shutdown.
func ExampleAddMethodContext() {
	acc := accumulate.New[error]()
	accumulate.AddMethodContext(acc, (*server).Shutdown, &server{"api"}, &server{"admin"})
	fmt.Println(acc.Call(context.Background(), nil))
	// Output:
	// shutdown api ctx done: false
	// shutdown admin ctx done: false
	// <nil>
}

// Closer adapts one io.Closer, for Offer or Add.
func ExampleCloser() {
	acc := accumulate.New[error](accumulate.WithMaxLen(1))
	fmt.Println(acc.Offer(accumulate.Closer[error](&file{"log"})))
	fmt.Println(acc.Offer(accumulate.Closer[error](&file{"cache"})))
	fmt.Println(acc.Call(context.Background(), nil))
	// Output:
	// true
	// false
	// close log
	// <nil>
}

// Clear empties the queue; Len and Callbacks show what is queued.
func ExampleAccumulator_Clear() {
	acc := accumulate.New[error]()
	acc.Add(func(context.Context, error) error { fmt.Println("never runs"); return nil })
	fmt.Println(acc.Len(), len(acc.Callbacks()))
	acc.Clear()
	fmt.Println(acc.Len(), acc.Call(context.Background(), nil))
	// Output:
	// 1 1
	// 0 <nil>
}
