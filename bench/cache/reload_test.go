package cachebench_test

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/maypok86/otter/v2"
	"github.com/viccon/sturdyc"

	"github.com/asyncutils-go/asyncutils/cache"
)

// blockingLoader answers its first call at once and blocks every later one
// until release is closed, signalling entered when one starts.
type blockingLoader struct {
	calls   atomic.Int64
	entered chan struct{}
	release chan struct{}
}

func newBlockingLoader() *blockingLoader {
	return &blockingLoader{entered: make(chan struct{}, 1), release: make(chan struct{})}
}

func (l *blockingLoader) load(ctx context.Context, key string) (string, error) {
	if l.calls.Add(1) == 1 {
		return "v" + key, nil
	}
	select {
	case l.entered <- struct{}{}:
	default:
	}
	select {
	case <-l.release:
	case <-ctx.Done():
	}
	return "new", nil
}

// settledGoroutines waits until goroutines of earlier runs have exited, so
// that the count compared after the benchmark is not disturbed by them. A
// goroutine started by a hit would block on the loader and stay counted.
func settledGoroutines() int {
	prev := -1
	for range 100 {
		n := runtime.NumGoroutine()
		if n == prev {
			return n
		}
		prev = n
		time.Sleep(2 * time.Millisecond)
	}
	return prev
}

// reloading is a cache set up with one key whose reload is in flight.
type reloading struct {
	name  string
	setup func(l *blockingLoader) (get func() (string, error), stop func())
}

// fakeOtterClock is an otter.Clock the benchmark moves by hand.
type fakeOtterClock struct{ now atomic.Int64 }

func (c *fakeOtterClock) NowNano() int64                      { return c.now.Load() }
func (c *fakeOtterClock) Tick(time.Duration) <-chan time.Time { return nil }

func reloadingImpls() []reloading {
	ctx := context.Background()
	return []reloading{
		{"asyncutils", func(l *blockingLoader) (func() (string, error), func()) {
			// Refresh window = TTL: an entry is due as soon as it is loaded,
			// so the first hit after the load starts its reload.
			c, _ := cache.New(l.load, cache.WithTTL(time.Hour), cache.WithRefresh(time.Hour),
				cache.WithErrorHandler(func(error, bool) {}))
			_, _ = c.Get(ctx, "k")
			return func() (string, error) { return c.Get(ctx, "k") }, func() { _ = c.Close() }
		}},
		{"otter", func(l *blockingLoader) (func() (string, error), func()) {
			clk := &fakeOtterClock{}
			clk.now.Store(time.Now().UnixNano())
			c := otter.Must(&otter.Options[string, string]{
				ExpiryCalculator:  otter.ExpiryWriting[string, string](time.Hour),
				RefreshCalculator: otter.RefreshWriting[string, string](time.Minute),
				Clock:             clk,
			})
			loader := otter.LoaderFunc[string, string](l.load)
			_, _ = c.Get(ctx, "k", loader)
			clk.now.Add(int64(2 * time.Minute))
			return func() (string, error) { return c.Get(ctx, "k", loader) }, func() { c.StopAllGoroutines() }
		}},
		{"sturdyc", func(l *blockingLoader) (func() (string, error), func()) {
			clk := sturdyc.NewTestClock(time.Now())
			c := sturdyc.New[string](1024, 1, time.Hour, 10,
				sturdyc.WithEarlyRefreshes(time.Minute, 2*time.Minute, time.Hour, time.Second),
				sturdyc.WithClock(clk))
			fetch := func(ctx context.Context) (string, error) { return l.load(ctx, "k") }
			_, _ = c.GetOrFetch(ctx, "k", fetch)
			clk.Add(3 * time.Minute)
			return func() (string, error) { return c.GetOrFetch(ctx, "k", fetch) }, func() {}
		}},
	}
}

// BenchmarkHitDuringReload reads a key whose reload is in flight (its loader
// blocked). It reports allocations and, as metrics, the goroutines that were
// started and the reloads that began while the benchmark ran: all must be 0.
// ttlcache and go-cache have no refresh-ahead and are not in this scenario.
func BenchmarkHitDuringReload(b *testing.B) {
	for _, im := range reloadingImpls() {
		b.Run("impl="+im.name, func(b *testing.B) {
			l := newBlockingLoader()
			get, stop := im.setup(l)
			defer stop()
			defer close(l.release)
			if _, err := get(); err != nil { // starts the reload
				b.Fatal(err)
			}
			<-l.entered
			calls := l.calls.Load()
			before := settledGoroutines()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if v, err := get(); err != nil || v != "vk" {
					b.Fatalf("get = %q, %v", v, err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(runtime.NumGoroutine()-before), "goroutines-started")
			b.ReportMetric(float64(l.calls.Load()-calls), "reloads-started")
		})
	}
}
