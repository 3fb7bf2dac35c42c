package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/asyncutils-go/asyncutils/accumulate"
)

func init() { register(40, "accumulate", tourAccumulate) }

// tourAccumulate registers shutdown callbacks while a job talks to the
// upstream (flush a buffer, report, one that fails, one that panics, close
// the upstream), stops the job as SIGTERM would (its ctx ends), and checks
// that the scope exit still ran every callback, newest first, with the
// job's error, and joined their errors.
func tourAccumulate(ctx context.Context, w io.Writer, cfg config) error {
	u := newUpstream(5*time.Millisecond, 0)
	defer u.Close() // a second Close is harmless; this one covers early returns
	var order []string
	ran := func(name string) { order = append(order, name) }

	var seen error // the job's error, as the callbacks saw it
	errTerm := errors.New("terminated signal received")
	jobCtx, stop := context.WithCancelCause(ctx) // signal.NotifyContext in a real service
	defer stop(nil)
	job := func(ctx context.Context) (err error) {
		shutdown := accumulate.New[error](
			accumulate.WithOrder(accumulate.NewestFirst), // as defer: the last acquired is released first
			accumulate.WithExitTimeout(5*time.Second),    // a bound on the whole shutdown
		)
		defer shutdown.Exit(ctx, &err, &err) // runs every callback though ctx has ended; they see err

		out := bufio.NewWriter(w)
		accumulate.AddMethod(shutdown, func(b *bufio.Writer) error { ran("flush buffer"); return b.Flush() }, out)
		shutdown.Add(func(_ context.Context, err error) error {
			ran("report")
			seen = err
			fmt.Fprintf(out, "  report: the job ended with: %v\n", err)
			return out.Flush()
		})
		shutdown.Add(func(context.Context, error) error {
			ran("push metrics")
			return errors.New("metrics: push refused")
		})
		shutdown.Add(func(context.Context, error) error {
			ran("clean temp files")
			panic("temp dir vanished")
		})
		shutdown.Add(func(context.Context, error) error { ran("close upstream"); u.Close(); return nil })

		items := min(cfg.items, 4)
		u.failAlways(fmt.Sprintf("item-%d", items-1), true)
		for i := range items {
			v, err := u.fetch(ctx, fmt.Sprintf("item-%d", i))
			if err != nil {
				stop(errTerm) // the service is told to stop, as SIGTERM would
				return fmt.Errorf("job: %w", err)
			}
			fmt.Fprintf(out, "  fetched %q (buffered until shutdown)\n", v)
		}
		return nil
	}

	err := job(jobCtx)
	fmt.Fprintf(w, "the job's ctx had ended (%v); the shutdown callbacks still ran, newest first: %s\n",
		context.Cause(jobCtx), strings.Join(order, ", "))
	fmt.Fprintf(w, "the job returned, joined:\n  %s\n", strings.ReplaceAll(err.Error(), "\n", "\n  "))

	want := []string{"close upstream", "clean temp files", "push metrics", "report", "flush buffer"}
	if !slices.Equal(order, want) {
		return fmt.Errorf("callbacks ran in order %v, want %v", order, want)
	}
	if !errors.Is(seen, errUnavailable) {
		return fmt.Errorf("the callbacks saw %w, want the job's error", seen)
	}
	var pe *accumulate.PanicError
	if !errors.Is(err, errUnavailable) || !errors.As(err, &pe) || !strings.Contains(err.Error(), "metrics: push refused") {
		return fmt.Errorf("the joined error lacks the job's error, the failure or the panic: %w", err)
	}
	var ce *accumulate.CallbackError
	if !errors.As(err, &ce) || ce.Index != 3 { // Index: the position in the order of adding
		return fmt.Errorf("the first callback error is not callback 3's: %w", err)
	}
	if _, err := u.fetch(ctx, "after-shutdown"); err == nil {
		return errors.New("the upstream still answers after its close callback ran")
	}
	return nil
}
