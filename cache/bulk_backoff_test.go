package cache_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/asyncutils-go/asyncutils/cache"
)

// Doc (options.go WithBackoff): "the first retry waits about minDelay, each
// further failure doubles it up to maxDelay, and each delay is jittered down
// by up to half." The docs' bulk section: a failed batch "backs each key off
// as a single reload would". The mock clock never moves after the failure:
// no retry is due.
func TestBulk_RetryWaitsItsBackoff(t *testing.T) {
	for _, bulk := range []bool{false, true} {
		mock := clock.NewMock()
		var calls atomic.Int32
		opts := []cache.Option{cache.WithClock(mock), cache.WithTTL(80 * time.Second), cache.WithRefresh(8 * time.Second),
			cache.WithBackoff(time.Second, time.Second), cache.WithErrorHandler(func(error, bool) {})}
		var c *cache.Cache[string, string]
		var err error
		if bulk {
			c, err = cache.NewBulk(func(ctx context.Context, keys []string) (map[string]string, error) {
				if calls.Add(1) == 1 {
					return map[string]string{keys[0]: "v"}, nil
				}
				return nil, errBoom
			}, append(opts, cache.WithBatch(1, 0))...)
		} else {
			c, err = cache.New(func(ctx context.Context, k string) (string, error) {
				if calls.Add(1) == 1 {
					return "v", nil
				}
				return "", errBoom
			}, opts...)
		}
		if err != nil {
			t.Fatal(err)
		}
		stop := make(chan struct{})
		ticked := make(chan struct{})
		go func() { // fire the mock's zero-length batch timers, without moving time
			defer close(ticked)
			for {
				select {
				case <-stop:
					return
				case <-time.After(time.Millisecond):
					mock.Add(0)
				}
			}
		}()
		if _, err := c.Get(context.Background(), "k"); err != nil {
			t.Fatal(err)
		}
		_, _ = c.Get(context.Background(), "k") // a read
		time.Sleep(50 * time.Millisecond)
		mock.Add(72 * time.Second) // due at 72s
		time.Sleep(300 * time.Millisecond)
		n := calls.Load() - 1
		close(stop)
		<-ticked
		_ = c.Close()
		t.Logf("bulk=%v: %d failed reloads while the clock stood still (the retry is 0.5s..1s away: at most 2)", bulk, n)
		if n > 2 { // the mock steps through 71s..72s, so one retry may be legitimately due
			t.Errorf("bulk=%v: %d reloads without any time passing", bulk, n)
		}
	}
}
