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
// upstream (close the upstream, flush a buffer, one that fails, one that
// panics), runs them at the job's scope exit with the job's error, and
// checks the run order and the joined errors.
func tourAccumulate(ctx context.Context, w io.Writer, cfg config) error {
	u := newUpstream(5*time.Millisecond, 0)
	defer u.Close() // a second Close is harmless; this one covers early returns
	var order []string
	ran := func(name string) { order = append(order, name) }

	var seen error // the job's error, as the callbacks saw it
	job := func(ctx context.Context) (err error) {
		shutdown := accumulate.New[error]()
		defer shutdown.Exit(ctx, &err, &err) // callbacks see err; their errors join it

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
				return fmt.Errorf("job: %w", err)
			}
			fmt.Fprintf(out, "  fetched %q (buffered until shutdown)\n", v)
		}
		return nil
	}

	err := job(ctx)
	fmt.Fprintf(w, "shutdown callbacks ran in order: %s\n", strings.Join(order, ", "))
	fmt.Fprintf(w, "the job returned, joined:\n  %s\n", strings.ReplaceAll(err.Error(), "\n", "\n  "))

	want := []string{"flush buffer", "report", "push metrics", "clean temp files", "close upstream"}
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
	if !errors.As(err, &ce) || ce.Index != 2 {
		return fmt.Errorf("the first callback error is not callback 2's: %w", err)
	}
	if _, err := u.fetch(ctx, "after-shutdown"); err == nil {
		return errors.New("the upstream still answers after its close callback ran")
	}
	return nil
}
