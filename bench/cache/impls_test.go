package cachebench_test

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jellydator/ttlcache/v3"
	"github.com/maypok86/otter/v2"
	gocache "github.com/patrickmn/go-cache"
	"github.com/viccon/sturdyc"

	"github.com/asyncutils-go/asyncutils/cache"
)

// Every cache is configured alike: a TTL of an hour and a refresh window of
// 15 minutes (refresh-ahead where the cache has it), so that nothing expires
// or comes due while a fresh-hit benchmark runs.
const (
	ttl     = time.Hour
	refresh = 15 * time.Minute
)

// getter is the read side of every cache under test.
type getter interface {
	get(ctx context.Context, key string) (string, error)
	close()
}

// impl builds one cache with the given loader.
type impl struct {
	name string
	make func(tb testing.TB, load func(ctx context.Context, key string) (string, error)) getter
}

func impls() []impl {
	return []impl{
		{"asyncutils", newOurs},
		{"otter", newOtter},
		{"sturdyc", newSturdy},
		{"ttlcache", newTTLCache},
		{"go-cache", newGoCache},
		{"rwmutex-map", newRWMap},
	}
}

type ours struct{ c *cache.Cache[string, string] }

func newOurs(tb testing.TB, load func(context.Context, string) (string, error)) getter {
	c, err := cache.New(load, cache.WithTTL(ttl), cache.WithRefresh(refresh))
	if err != nil {
		tb.Fatal(err)
	}
	return ours{c}
}

func (o ours) get(ctx context.Context, k string) (string, error) { return o.c.Get(ctx, k) }
func (o ours) close()                                            { _ = o.c.Close() }

type otterCache struct {
	c      *otter.Cache[string, string]
	loader otter.Loader[string, string]
}

func newOtter(_ testing.TB, load func(context.Context, string) (string, error)) getter {
	c := otter.Must(&otter.Options[string, string]{
		ExpiryCalculator:  otter.ExpiryWriting[string, string](ttl),
		RefreshCalculator: otter.RefreshWriting[string, string](ttl - refresh),
	})
	return otterCache{c: c, loader: otter.LoaderFunc[string, string](load)}
}

func (o otterCache) get(ctx context.Context, k string) (string, error) {
	return o.c.Get(ctx, k, o.loader)
}
func (o otterCache) close() { o.c.StopAllGoroutines() }

type sturdy struct {
	c    *sturdyc.Client[string]
	load func(context.Context, string) (string, error)
}

func newSturdy(_ testing.TB, load func(context.Context, string) (string, error)) getter {
	// sturdyc refreshes early between min and max of the window, retries
	// failures from retryBaseDelay on, and refreshes synchronously past
	// syncRefreshTime.
	c := sturdyc.New[string](1<<21, 64, ttl, 10,
		sturdyc.WithEarlyRefreshes(ttl-refresh, ttl-refresh+time.Minute, ttl, time.Second))
	return sturdy{c: c, load: load}
}

// get builds a fetch closure per call: sturdyc's API takes the fetch function
// with each call, bound to the key.
func (s sturdy) get(ctx context.Context, k string) (string, error) {
	return s.c.GetOrFetch(ctx, k, func(ctx context.Context) (string, error) { return s.load(ctx, k) })
}
func (s sturdy) close() {}

// loadValue is the default loader of every benchmark: the key is its value.
func loadValue(_ context.Context, key string) (string, error) { return "v" + key, nil }

type ttlc struct {
	c *ttlcache.Cache[string, string]
}

func newTTLCache(_ testing.TB, load func(context.Context, string) (string, error)) getter {
	loader := ttlcache.LoaderFunc[string, string](func(c *ttlcache.Cache[string, string], key string) *ttlcache.Item[string, string] {
		v, err := load(context.Background(), key)
		if err != nil {
			return nil
		}
		return c.Set(key, v, ttlcache.DefaultTTL)
	})
	c := ttlcache.New(ttlcache.WithTTL[string, string](ttl),
		ttlcache.WithLoader(ttlcache.Loader[string, string](ttlcache.NewSuppressedLoader(loader, nil))))
	return ttlc{c}
}

func (t ttlc) get(_ context.Context, k string) (string, error) {
	it := t.c.Get(k)
	if it == nil {
		return "", fmt.Errorf("ttlcache: %s: load failed", k)
	}
	return it.Value(), nil
}
func (t ttlc) close() {}

type goCache struct {
	c    *gocache.Cache
	load func(context.Context, string) (string, error)
	mu   sync.Mutex
}

func newGoCache(_ testing.TB, load func(context.Context, string) (string, error)) getter {
	return &goCache{c: gocache.New(ttl, 0), load: load}
}

// get has no loader in go-cache: a miss loads under one mutex (no
// single-flight per key) and sets.
func (g *goCache) get(ctx context.Context, k string) (string, error) {
	if v, ok := g.c.Get(k); ok {
		return v.(string), nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if v, ok := g.c.Get(k); ok {
		return v.(string), nil
	}
	v, err := g.load(ctx, k)
	if err != nil {
		return "", err
	}
	g.c.SetDefault(k, v)
	return v, nil
}
func (g *goCache) close() {}

// rwMap is the baseline: a map under a sync.RWMutex, with load times, a TTL
// check on every read, and loads under the write lock.
type rwMap struct {
	mu   sync.RWMutex
	m    map[string]rwItem
	load func(context.Context, string) (string, error)
}

type rwItem struct {
	v  string
	at time.Time
}

func newRWMap(_ testing.TB, load func(context.Context, string) (string, error)) getter {
	return &rwMap{m: map[string]rwItem{}, load: load}
}

func (r *rwMap) get(ctx context.Context, k string) (string, error) {
	r.mu.RLock()
	it, ok := r.m[k]
	r.mu.RUnlock()
	if ok && time.Since(it.at) <= ttl {
		return it.v, nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if it, ok := r.m[k]; ok && time.Since(it.at) <= ttl {
		return it.v, nil
	}
	v, err := r.load(ctx, k)
	if err != nil {
		return "", err
	}
	r.m[k] = rwItem{v: v, at: time.Now()}
	return v, nil
}
func (r *rwMap) close() {}

func makeKeys(n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = "key-" + strconv.Itoa(i)
	}
	return keys
}
