package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asyncutils-go/asyncutils/cache"
)

func init() { register(10, "cache", tourCache) }

// tourCache puts a refresh-ahead cache in front of the slow, failing
// upstream and lets cfg.readers goroutines read a handful of keys for
// cfg.duration. After warm-up no read may wait for a loader: the refresh
// loop reloads every key before it expires, retrying failed reloads with
// backoff, while readers keep getting the current value.
func tourCache(ctx context.Context, w io.Writer, cfg config) error {
	const (
		ttl     = 400 * time.Millisecond
		refresh = 300 * time.Millisecond // due after 100ms; 300ms to succeed before expiry
		delay   = 20 * time.Millisecond
		fail    = 0.2
	)
	u := newUpstream(delay, fail)
	defer u.Close()

	var batchedErrs, singleErrs atomic.Int64
	c, err := cache.New(u.fetch,
		cache.WithTTL(ttl), cache.WithRefresh(refresh),
		// About ten attempts fit in the window: 0.2^10 is the chance that a
		// key expires for want of a successful reload.
		cache.WithBackoff(2*time.Millisecond, 10*time.Millisecond),
		cache.WithErrorHandler(func(_ error, batched bool) {
			if batched {
				batchedErrs.Add(1)
			} else {
				singleErrs.Add(1)
			}
		}))
	if err != nil {
		return err
	}
	defer c.Close()

	keys := make([]string, min(cfg.items, 8))
	for i := range keys {
		keys[i] = fmt.Sprintf("item-%d", i)
	}
	// Warm-up: load every key; a synchronous load returns the upstream's
	// failure, so retry it.
	for _, k := range keys {
		for attempt := 1; ; attempt++ {
			if err = c.Load(ctx, k); err == nil {
				break
			}
			if !errors.Is(err, errUnavailable) || attempt == 20 {
				return fmt.Errorf("warm-up of %s: %w", k, err)
			}
		}
	}
	fmt.Fprintf(w, "TTL %v, refresh window %v: %d keys, %d readers for %v; upstream %v per call, %.0f%% failing\n",
		ttl, refresh, len(keys), cfg.readers, cfg.duration, delay, fail*100)

	before := c.Stats()
	var reads, failed atomic.Int64
	var slowestMu sync.Mutex
	var slowest time.Duration
	deadline := time.Now().Add(cfg.duration)
	var wg sync.WaitGroup
	for r := range cfg.readers {
		wg.Go(func() {
			for i := r; time.Now().Before(deadline); i++ {
				start := time.Now()
				if _, err := c.Get(ctx, keys[i%len(keys)]); err != nil {
					failed.Add(1)
					return
				}
				d := time.Since(start)
				reads.Add(1)
				if d > 5*time.Millisecond {
					slowestMu.Lock()
					slowest = max(slowest, d)
					slowestMu.Unlock()
				}
				if i%len(keys) == 0 {
					time.Sleep(200 * time.Microsecond) // readers pace themselves a little
				}
			}
		})
	}
	wg.Wait()
	after := c.Stats()
	waited := after.Misses - before.Misses
	fmt.Fprintf(w, "reads: %d, served from the cache: %d; reads that waited for a loader after warm-up: %d\n",
		reads.Load(), after.Hits-before.Hits, waited)
	if slowest > 0 {
		fmt.Fprintf(w, "(slowest read %v: the machine, not a loader)\n", slowest.Round(time.Millisecond))
	}
	fmt.Fprintf(w, "upstream calls: %d (%d failed); background refreshes: %d, failed: %d, handled with batched=true: %d, batched=false: %d\n",
		u.calls.Load(), u.failures.Load(), after.Refreshes, after.RefreshErrors, batchedErrs.Load(), singleErrs.Load())
	if err := c.Close(); err != nil {
		return err
	}
	if _, err := c.Get(ctx, keys[0]); !errors.Is(err, cache.ErrClosed) {
		return fmt.Errorf("a get after Close returned %w, want ErrClosed", err)
	}
	fmt.Fprintln(w, "closed: refresh loop stopped, loads cancelled, Get returns", cache.ErrClosed)
	switch {
	case failed.Load() > 0:
		return fmt.Errorf("%d reads failed", failed.Load())
	case waited > 0:
		return fmt.Errorf("%d reads waited for a loader after warm-up, want 0", waited)
	case after.Refreshes == 0:
		return errors.New("the refresh loop reloaded nothing")
	}
	return nil
}
