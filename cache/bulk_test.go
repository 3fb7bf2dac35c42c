package cache_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/asyncutils-go/asyncutils/cache"
)

// bulkUpstream is a bulk loader that records its calls; keys starting with
// "missing" do not exist; fail makes every call fail.
type bulkUpstream struct {
	mu    sync.Mutex
	calls [][]string
	fail  atomic.Bool
	gate  chan struct{}
}

func (u *bulkUpstream) load(ctx context.Context, keys []string) (map[string]string, error) {
	u.mu.Lock()
	u.calls = append(u.calls, append([]string(nil), keys...))
	n := len(u.calls)
	u.mu.Unlock()
	if u.gate != nil {
		select {
		case <-u.gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if u.fail.Load() {
		return nil, errBoom
	}
	m := map[string]string{}
	for _, k := range keys {
		if len(k) >= 7 && k[:7] == "missing" {
			continue
		}
		m[k] = fmt.Sprintf("%s@%d", k, n)
	}
	return m, nil
}

func (u *bulkUpstream) nCalls() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return len(u.calls)
}

func TestNewBulk_InvalidConfig(t *testing.T) {
	if _, err := cache.NewBulk[string, string](nil); !errors.Is(err, cache.ErrInvalidConfig) {
		t.Fatalf("NewBulk(nil) = %v", err)
	}
	u := &bulkUpstream{}
	for _, opt := range []cache.Option{cache.WithBatch(0, time.Millisecond), cache.WithBatch(10, -1)} {
		if _, err := cache.NewBulk(u.load, opt); !errors.Is(err, cache.ErrInvalidConfig) {
			t.Fatalf("NewBulk(bad batch) = %v", err)
		}
	}
	if _, err := cache.New(newCounting().load, cache.WithBatch(10, time.Millisecond)); !errors.Is(err, cache.ErrInvalidConfig) {
		t.Fatalf("New(WithBatch) = %v", err)
	}
}

// TestNewBulk_Coalesces: 1,000 concurrent Gets of distinct missing keys make
// ceil(1000/100) bulk calls, each key in exactly one; a key already in a
// batch is joined, not loaded again.
func TestNewBulk_Coalesces(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		u := &bulkUpstream{}
		c := mustNewBulk(t, u.load, cache.WithBatch(100, 5*time.Millisecond))
		var wg sync.WaitGroup
		for i := range 1000 {
			for range 2 { // two callers per key: the second joins
				wg.Go(func() {
					k := fmt.Sprint("k", i)
					if v, err := c.Get(bg, k); err != nil || len(v) < len(k) || v[:len(k)+1] != k+"@" {
						t.Errorf("Get(%s) = %q, %v", k, v, err)
					}
				})
			}
		}
		wg.Wait()
		if n := u.nCalls(); n > 10+2 {
			t.Fatalf("%d bulk calls for 1,000 keys in batches of 100, want about 10", n)
		}
		seen := map[string]int{}
		for _, call := range u.calls {
			if len(call) > 100 {
				t.Fatalf("a batch of %d keys, over the bound of 100", len(call))
			}
			for _, k := range call {
				seen[k]++
			}
		}
		for k, n := range seen {
			if n != 1 {
				t.Fatalf("key %s loaded %d times", k, n)
			}
		}
		if len(seen) != 1000 {
			t.Fatalf("%d keys loaded, want 1000", len(seen))
		}
	})
}

// TestNewBulk_Partial: a lone miss waits at most maxWait for company.
func TestNewBulk_Partial(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		u := &bulkUpstream{}
		c := mustNewBulk(t, u.load, cache.WithBatch(100, 5*time.Millisecond))
		start := time.Now()
		mustGet(t, c, "a", "a@1")
		if d := time.Since(start); d != 5*time.Millisecond {
			t.Fatalf("a lone miss took %v, want the batch wait 5ms", d)
		}
	})
}

// TestNewBulk_Failures: a missing key is ErrNotFound; an error fails every
// key of the call and caches nothing; a waiter's ctx ending returns at once.
func TestNewBulk_Failures(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		u := &bulkUpstream{}
		c := mustNewBulk(t, u.load)
		if _, err := c.Get(bg, "missing1"); !errors.Is(err, cache.ErrNotFound) {
			t.Fatalf("Get(missing) = %v; want ErrNotFound", err)
		}
		u.fail.Store(true)
		var wg sync.WaitGroup
		for _, k := range []string{"x", "y", "z"} {
			wg.Go(func() {
				if _, err := c.Get(bg, k); !errors.Is(err, errBoom) {
					t.Errorf("Get(%s) = %v; want the bulk loader's error", k, err)
				}
			})
		}
		wg.Wait()
		if c.Len() != 0 {
			t.Fatalf("Len = %d after failed loads", c.Len())
		}
		u.fail.Store(false)
		u.gate = make(chan struct{})
		ctx, cancel := context.WithCancel(bg)
		done := make(chan error)
		go func() { _, err := c.Get(ctx, "slow"); done <- err }()
		other := make(chan error)
		go func() { _, err := c.Get(bg, "slow"); other <- err }()
		synctest.Wait()
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled waiter = %v", err)
		}
		close(u.gate)
		if err := <-other; err != nil {
			t.Fatalf("the other waiter = %v", err)
		}
	})
}

// TestNewBulk_BatchedRefresh: 10,000 due entries are reloaded in at most 100
// calls of 100 keys; a failed batch keeps every value and is reported once
// with batched=true.
func TestNewBulk_BatchedRefresh(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		u := &bulkUpstream{}
		h := &handlerLog{}
		c := mustNewBulk(t, u.load, cache.WithTTL(10*time.Second), cache.WithRefresh(4*time.Second),
			cache.WithKeepWarm(), cache.WithErrorHandler(h.handle), cache.WithBackoff(time.Hour, time.Hour))
		keys := make([]string, 10_000)
		for i := range keys {
			keys[i] = fmt.Sprint("k", i)
		}
		if _, err := c.GetMany(bg, keys); err != nil {
			t.Fatal(err)
		}
		loadCalls := u.nCalls()
		time.Sleep(6*time.Second + time.Millisecond) // all due
		synctest.Wait()
		refreshCalls := u.nCalls() - loadCalls
		t.Logf("10,000 due entries refreshed in %d bulk calls", refreshCalls)
		if refreshCalls > 100 {
			t.Fatalf("%d bulk calls to refresh 10,000 entries in batches of 100", refreshCalls)
		}
		if st := c.Stats(); st.Refreshes != 10_000 {
			t.Fatalf("stats %+v, want 10,000 refreshes", st)
		}
		u.fail.Store(true)
		before := u.nCalls()
		time.Sleep(6*time.Second + time.Millisecond)
		synctest.Wait()
		failed := u.nCalls() - before
		b, _ := h.snapshot()
		if len(b) != failed || failed == 0 || failed > 100 {
			t.Fatalf("%d failed bulk calls, %d reports; want one report per failed call", failed, len(b))
		}
		for _, batched := range b {
			if !batched {
				t.Fatal("a failed loop batch reported with batched=false")
			}
		}
		if c.Len() != 10_000 {
			t.Fatalf("Len = %d: a failed batch dropped values", c.Len())
		}
	})
}

// TestNegativeTTL: a "not found" is cached for the negative TTL and counted;
// without it nothing is cached.
func TestNegativeTTL(t *testing.T) {
	notFound := func(calls *atomic.Int64) cache.Loader[string, string] {
		return func(_ context.Context, k string) (string, error) {
			calls.Add(1)
			return "", fmt.Errorf("user %s: %w", k, cache.ErrNotFound)
		}
	}
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int64
		c := mustNew(t, notFound(&calls), cache.WithNegativeTTL(5*time.Second))
		for range 10 {
			if _, err := c.Get(bg, "ghost"); !errors.Is(err, cache.ErrNotFound) {
				t.Fatalf("Get = %v; want ErrNotFound", err)
			}
		}
		if calls.Load() != 1 {
			t.Fatalf("%d loader calls for 10 Gets of a cached not-found", calls.Load())
		}
		if st := c.Stats(); st.NegativeHits != 9 {
			t.Fatalf("stats %+v, want 9 negative hits", st)
		}
		if _, ok := c.Peek("ghost"); ok || c.Contains("ghost") {
			t.Fatal("a cached not-found is visible as a value")
		}
		time.Sleep(5*time.Second + time.Millisecond)
		_, _ = c.Get(bg, "ghost")
		if calls.Load() != 2 {
			t.Fatalf("%d loader calls after the negative TTL, want 2", calls.Load())
		}
		c.Set("ghost", "now here") // a Set over a cached not-found stores a value
		if v, err := c.Get(bg, "ghost"); err != nil || v != "now here" {
			t.Fatalf("Get after Set over a not-found = %q, %v", v, err)
		}
		if age, ok := c.Age("ghost"); !ok || age != 0 {
			t.Fatalf("Age = %v, %v", age, ok)
		}
	})
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int64
		c := mustNew(t, notFound(&calls))
		for range 3 {
			if _, err := c.Get(bg, "ghost"); !errors.Is(err, cache.ErrNotFound) {
				t.Fatalf("Get = %v", err)
			}
		}
		if calls.Load() != 3 || c.Len() != 0 {
			t.Fatalf("%d calls, Len %d: without WithNegativeTTL nothing is cached", calls.Load(), c.Len())
		}
	})
}

// TestStaleIfError: while reloads fail, a value past its TTL is served for
// up to the stale window, counted; then it expires and Get fails.
func TestStaleIfError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newCounting()
		c := mustNew(t, l.load, ttlOpts(cache.WithStaleIfError(20*time.Second), cache.WithErrorHandler(func(error, bool) {}),
			cache.WithBackoff(time.Second, time.Second))...)
		mustGet(t, c, "a", "a#1")
		mustGet(t, c, "a", "a#1") // read: kept warm
		l.fail.Store(true)
		time.Sleep(15 * time.Second) // past the 10s TTL, reloads failing
		mustGet(t, c, "a", "a#1")
		if st := c.Stats(); st.StaleHits != 1 {
			t.Fatalf("stats %+v, want 1 stale hit", st)
		}
		time.Sleep(16 * time.Second) // past TTL + 20s
		synctest.Wait()
		if _, err := c.Get(bg, "a"); !errors.Is(err, errBoom) {
			t.Fatalf("Get past the stale window = %v; want the loader's error", err)
		}
	})
	synctest.Test(t, func(t *testing.T) {
		// A success during the stale window replaces the value.
		l := newCounting()
		c := mustNew(t, l.load, ttlOpts(cache.WithStaleIfError(20*time.Second), cache.WithErrorHandler(func(error, bool) {}),
			cache.WithBackoff(time.Second, time.Second))...)
		mustGet(t, c, "a", "a#1")
		mustGet(t, c, "a", "a#1")
		l.fail.Store(true)
		time.Sleep(12 * time.Second)
		mustGet(t, c, "a", "a#1")
		l.fail.Store(false)
		time.Sleep(2 * time.Second) // the next retry succeeds
		synctest.Wait()
		mustGet(t, c, "a", "a#2")
	})
}

// TestGetMany: present keys are served, missing ones loaded in one bulk call
// per batch, not-found keys absent; with a single-key loader, one call each.
func TestGetMany(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		u := &bulkUpstream{}
		c := mustNewBulk(t, u.load, cache.WithBatch(100, time.Second))
		mustGet(t, c, "k0", "k0@1")
		keys := []string{"k0", "missing-a"}
		for i := 1; i < 250; i++ {
			keys = append(keys, fmt.Sprint("k", i))
		}
		keys = append(keys, "k1") // a duplicate
		m, err := c.GetMany(bg, keys)
		if err != nil {
			t.Fatal(err)
		}
		if len(m) != 250 || m["k0"] != "k0@1" {
			t.Fatalf("GetMany: %d values, k0 = %q", len(m), m["k0"])
		}
		if _, ok := m["missing-a"]; ok {
			t.Fatal("a key not found is in the map")
		}
		if n := u.nCalls(); n != 1+3 {
			t.Fatalf("%d bulk calls, want 1 for k0 and 3 for 250 keys in batches of 100 (sent at once)", n)
		}
	})
	synctest.Test(t, func(t *testing.T) {
		l := newCounting()
		c := mustNew(t, l.load, cache.WithMaxConcurrentRefreshes(4))
		keys := []string{"a", "b", "c", "d", "e", "f"}
		m, err := c.GetMany(bg, keys)
		if err != nil || len(m) != 6 || l.calls.Load() != 6 {
			t.Fatalf("GetMany = %v, %v with %d calls", m, err, l.calls.Load())
		}
		got := make([]string, 0, len(m))
		for k := range m {
			got = append(got, k)
		}
		sort.Strings(got)
		if fmt.Sprint(got) != fmt.Sprint(keys) {
			t.Fatalf("keys %v", got)
		}
		l.fail.Store(true)
		if _, err := c.GetMany(bg, []string{"x"}); !errors.Is(err, errBoom) {
			t.Fatalf("GetMany of a failing key = %v", err)
		}
	})
}

func mustNewBulk(t testing.TB, l cache.BulkLoader[string, string], opts ...cache.Option) *cache.Cache[string, string] {
	t.Helper()
	c, err := cache.NewBulk(l, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}
