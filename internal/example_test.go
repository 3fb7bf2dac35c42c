package internal_test

import (
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/asyncutils-go/asyncutils/internal"
)

// A panic in user code comes back as a *PanicError; errors.Is sees the
// panicked error through it.
func ExampleGuard() {
	err := internal.Guard(func() error { panic(io.ErrUnexpectedEOF) }, nil)

	var pe *internal.PanicError
	fmt.Println(errors.As(err, &pe), errors.Is(err, io.ErrUnexpectedEOF))
	fmt.Println(err)
	// Output:
	// true true
	// panic: unexpected EOF
}

// runtime.Goexit cannot be stopped, but the owner of the goroutine learns of
// it and nobody waits forever.
func ExampleGuard_goexit() {
	var (
		wg     sync.WaitGroup
		result error
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		result = internal.Guard(func() error {
			runtimeGoexit() // what t.FailNow does
			return nil
		}, func(err error) { result = err })
	}()
	wg.Wait()
	fmt.Println(errors.Is(result, internal.ErrGoexit))
	// Output: true
}
