package cache_test

import (
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/asyncutils-go/asyncutils/cache"
)

// TestIdleTimeout_StaysWarmAtMostDPlusWindow: WithIdleTimeout(d) keeps an
// entry warm while it was read within the last d, as the cache can tell: a
// hit marks its value read without a time, so the reload of a value read
// since its load counts as its last read, and an entry stays warm for at
// most d plus the refresh window after its last read (options.go). TTL 10s,
// window 4s (due at 6s), d = 8s; the only reads: the load at 0s and a hit at
// 1s. The loop reloads at about 6s (read since the load) and, at most, once
// more before 1s + d + window = 13s; then the entry is left to expire.
func TestIdleTimeout_StaysWarmAtMostDPlusWindow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newCounting()
		c, err := cache.New(l.load, ttlOpts(cache.WithIdleTimeout(8*time.Second))...)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		mustGet(t, c, "a", "a#1")
		time.Sleep(time.Second)
		mustGet(t, c, "a", "a#1") // the last read, at 1s
		var at []time.Duration
		start := time.Now().Add(-time.Second)
		last := l.calls.Load()
		for range 300 {
			time.Sleep(100 * time.Millisecond)
			if n := l.calls.Load(); n != last {
				at = append(at, time.Since(start).Round(100*time.Millisecond))
				last = n
			}
		}
		t.Logf("loader calls after the last read (at 1s): %v; Contains at 31s: %v", at, c.Contains("a"))
		if len(at) > 2 || len(at) == 2 && at[1] > 13*time.Second {
			t.Errorf("reloaded at %v although unread since 1s, d = 8s and the window 4s", at)
		}
		if c.Contains("a") {
			t.Error("the entry was kept warm for 30s after its last read")
		}
		_ = errors.New
	})
}
