package cache_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asyncutils-go/asyncutils/cache"
)

var bg = context.Background()

// counting is a loader whose value for key k is "k#n", n counting its calls
// for k; it fails while fail is set, and waits on gate when gate is set.
type counting struct {
	calls atomic.Int64
	mu    sync.Mutex
	per   map[string]int
	fail  atomic.Bool
	gate  chan struct{} // when non-nil, each call waits for a receive... close to release all
}

func newCounting() *counting { return &counting{per: map[string]int{}} }

var errBoom = fmt.Errorf("boom")

func (l *counting) load(ctx context.Context, k string) (string, error) {
	l.calls.Add(1)
	if l.gate != nil {
		select {
		case <-l.gate:
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	if l.fail.Load() {
		return "", errBoom
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.per[k]++
	return fmt.Sprintf("%s#%d", k, l.per[k]), nil
}

// handlerLog records what the error handler receives.
type handlerLog struct {
	mu      sync.Mutex
	batched []bool
	errs    []error
}

func (h *handlerLog) handle(err error, batched bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.batched = append(h.batched, batched)
	h.errs = append(h.errs, err)
}

func (h *handlerLog) snapshot() ([]bool, []error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]bool(nil), h.batched...), append([]error(nil), h.errs...)
}

func mustNew[V any](t testing.TB, l cache.Loader[string, V], opts ...cache.Option) *cache.Cache[string, V] {
	t.Helper()
	c, err := cache.New(l, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func mustGet[V comparable](t testing.TB, c *cache.Cache[string, V], k string, want V) {
	t.Helper()
	got, err := c.Get(bg, k)
	if err != nil || got != want {
		t.Fatalf("Get(%q) = %v, %v; want %v, nil", k, got, err, want)
	}
}

// ttlOpts is the usual test configuration: TTL 10s, refresh window 4s, so an
// entry is due at 6s and expires after 10s.
func ttlOpts(extra ...cache.Option) []cache.Option {
	return append([]cache.Option{cache.WithTTL(10 * time.Second), cache.WithRefresh(4 * time.Second)}, extra...)
}
