package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"time"

	"github.com/asyncutils-go/asyncutils/gather"
)

func init() { register(20, "gather", tourGather) }

// tourGather fetches cfg.items items with a limit: the upstream never sees
// more requests at once than the limit, and the values come back in input
// order. Then the first-error mode (an item that always fails stops the
// rest, and the values fetched before it are kept) and the settled mode
// (every item, each with its own error).
func tourGather(ctx context.Context, w io.Writer, cfg config) error {
	const limit = 4
	names := make([]string, cfg.items)
	for i := range names {
		names[i] = fmt.Sprintf("item-%02d", i)
	}

	// All items, at most limit at once, results in input order.
	u := newUpstream(20*time.Millisecond, 0)
	defer u.Close()
	start := time.Now()
	values, err := gather.Map(ctx, limit, names, u.fetch)
	if err != nil {
		return err
	}
	peak := u.peak.Load()
	fmt.Fprintf(w, "fetched %d items with limit %d in %v; the upstream saw at most %d requests at once\n",
		len(values), limit, time.Since(start).Round(10*time.Millisecond), peak)
	if want := int64(min(limit, len(names))); peak != want {
		return fmt.Errorf("peak concurrency %d, want the limit %d", peak, want)
	}
	for i, v := range values {
		if !strings.HasPrefix(v, "value of "+names[i]+" ") {
			return fmt.Errorf("out[%d] = %q, not the value of %s", i, v, names[i])
		}
	}
	fmt.Fprintf(w, "order kept: out[0] = %q ... out[%d] = %q\n", values[0], len(values)-1, values[len(values)-1])

	// First error: one item fails at once; the tasks still running are
	// cancelled and no task after them starts.
	bad := len(names) / 4
	u.failAlways(names[bad], true)
	var started, highest atomic.Int64
	highest.Store(-1)
	partial, err := gather.Map(ctx, limit, names, func(ctx context.Context, name string) (string, error) {
		started.Add(1)
		i := int64(indexOf(names, name))
		for h := highest.Load(); i > h && !highest.CompareAndSwap(h, i); h = highest.Load() {
		}
		return u.fetch(ctx, name)
	})
	var te *gather.TaskError
	if !errors.As(err, &te) || te.Index != bad || !errors.Is(err, errUnavailable) {
		return fmt.Errorf("first-error mode returned %w, want item %d's failure", err, bad)
	}
	fmt.Fprintf(w, "first error: %v\n", err)
	fmt.Fprintf(w, "  %d of %d tasks started; the highest started index is %d (at most %d = failing index + limit - 1)\n",
		started.Load(), len(names), highest.Load(), bad+limit-1)
	if highest.Load() > int64(bad+limit-1) {
		return fmt.Errorf("task %d started after task %d failed", highest.Load(), bad)
	}
	kept := 0
	for i, v := range partial {
		if v != "" {
			kept++
			if !strings.HasPrefix(v, "value of "+names[i]+" ") {
				return fmt.Errorf("partial[%d] = %q, not the value of %s", i, v, names[i])
			}
		}
	}
	// The tasks still running when item bad failed (at most limit-1 before
	// it) were cancelled; every one that finished before is kept.
	fmt.Fprintf(w, "  the %d values fetched before the failure came back with it (%d slots)\n", kept, len(partial))
	if want := bad - (limit - 1); len(partial) != len(names) || kept < want || partial[bad] != "" {
		return fmt.Errorf("first-error mode kept %d values in %d slots, want at least %d", kept, len(partial), want)
	}

	// MapSettled: every item runs; each slot has its own value or error.
	flaky := newUpstream(10*time.Millisecond, 0.25)
	defer flaky.Close()
	failed := 0
	for _, r := range gather.MapSettled(ctx, limit, names, flaky.fetch) {
		if r.Err != nil {
			if !errors.Is(r.Err, errUnavailable) {
				return fmt.Errorf("unexpected error in settled mode: %w", r.Err)
			}
			failed++
		}
	}
	fmt.Fprintf(w, "settled: %d items, %d succeeded, %d failed (the upstream answered %d requests with 503)\n",
		len(names), len(names)-failed, failed, flaky.failures.Load())
	if calls := flaky.calls.Load(); calls != int64(len(names)) || int64(failed) != flaky.failures.Load() {
		return fmt.Errorf("settled mode: %d tasks, %d failed; the upstream counted %d calls, %d failures",
			len(names), failed, calls, flaky.failures.Load())
	}
	return nil
}

func indexOf(names []string, name string) int {
	for i, n := range names {
		if n == name {
			return i
		}
	}
	return -1
}
