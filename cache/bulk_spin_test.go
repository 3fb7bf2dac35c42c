//go:build unix

package cache_test

import (
	"context"
	"errors"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/asyncutils-go/asyncutils/cache"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestBulk_BackoffRetryDoesNotSpin: a bulk cache whose reload failed keeps
// its retry in the heap with a time inside the loop's horizon (now+spread).
// wakeOnce puts it back without waking the loop, which sleeps until it is
// due: the process uses next to no CPU meanwhile (a first version signalled,
// and the loop spun a core until the retry).
func TestBulk_BackoffRetryDoesNotSpin(t *testing.T) {
	mock := clock.NewMock()
	var calls atomic.Int32
	c, err := cache.NewBulk(func(ctx context.Context, keys []string) (map[string]string, error) {
		if calls.Add(1) == 1 {
			return map[string]string{keys[0]: "v"}, nil
		}
		return nil, errors.New("boom")
	}, cache.WithClock(mock), cache.WithTTL(80*time.Second), cache.WithRefresh(8*time.Second),
		cache.WithBackoff(time.Second, time.Second), cache.WithErrorHandler(func(error, bool) {}),
		cache.WithBatch(1, 0))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	stop := make(chan struct{})
	defer close(stop)
	go func() {
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
	_, _ = c.Get(context.Background(), "k")
	time.Sleep(50 * time.Millisecond)
	mock.Add(72 * time.Second) // the reload is due and fails: retry 0.5..1s away, within the 1s spread
	time.Sleep(100 * time.Millisecond)
	before := cpuTime()
	time.Sleep(300 * time.Millisecond)
	used := cpuTime() - before
	t.Logf("CPU used in 300ms with the clock standing still: %v (reload calls %d)", used, calls.Load())
	if used > 100*time.Millisecond {
		t.Errorf("the refresh loop spins: %v of CPU in 300ms of wall time", used)
	}
}
