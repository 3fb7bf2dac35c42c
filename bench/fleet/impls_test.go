package fleetbench_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asyncutils-go/asyncutils/cache"
	"github.com/asyncutils-go/asyncutils/cache/redistier"
	"github.com/asyncutils-go/asyncutils/internal/redistest"
	"github.com/redis/go-redis/v9"
	"github.com/viccon/sturdyc"
)

// quiet drops the logs of the caches and tiers: a benchmark on a loaded
// machine may see a Redis call time out, which they log.
var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// upstream is the source every replica of a fleet loads from: it counts its
// calls, takes delay per call (a database query), and returns
// "key@generation@unix-nanos", the time it produced the value, so that a
// reader can tell a value's true age.
type upstream struct {
	total atomic.Int64
	gen   atomic.Int64
	delay time.Duration
}

func (u *upstream) load(_ context.Context, key string) (string, error) {
	u.total.Add(1)
	if u.delay > 0 {
		time.Sleep(u.delay)
	}
	return key + "@" + strconv.FormatInt(u.gen.Load(), 10) + "@" + strconv.FormatInt(time.Now().UnixNano(), 10), nil
}

// produced is the time the upstream produced v.
func produced(v string) (time.Time, error) {
	i := strings.LastIndexByte(v, '@')
	if i < 0 {
		return time.Time{}, errors.New("fleetbench: a value without its load time: " + v)
	}
	ns, err := strconv.ParseInt(v[i+1:], 10, 64)
	return time.Unix(0, ns), err
}

// timing is the TTL and the refresh window of every replica of a fleet.
type timing struct{ ttl, refresh time.Duration }

// period is how often a key is reloaded: every ttl - refresh.
func (tm timing) period() time.Duration { return tm.ttl - tm.refresh }

// replica is one member of a fleet: a process's cache of the shared keys.
type replica interface {
	get(ctx context.Context, key string) (string, error)
}

// impl builds a fleet of n replicas over one redis-server, each with its own
// client (the tiers' keys and channel named name), loading from u. Every
// replica is closed when the benchmark ends.
type impl struct {
	name  string
	fleet func(tb testing.TB, srv *redistest.Server, name string, u *upstream, tm timing, n int) []replica
}

// impls are the fleets compared: ours, the cache over the tier; the same
// cache alone, as each replica runs without a tier; and sturdyc with its
// distributed storage on the same redis-server.
func impls() []impl {
	return []impl{
		{"asyncutils", func(tb testing.TB, srv *redistest.Server, name string, u *upstream, tm timing, n int) []replica {
			rs := make([]replica, n)
			for i := range rs {
				rs[i] = newTiered(tb, srv, name, u, tm)
			}
			return rs
		}},
		{"cache-alone", func(tb testing.TB, _ *redistest.Server, _ string, u *upstream, tm timing, n int) []replica {
			rs := make([]replica, n)
			for i := range rs {
				c, err := cache.New(u.load, cache.WithTTL(tm.ttl), cache.WithRefresh(tm.refresh), cache.WithLogger(quiet))
				if err != nil {
					tb.Fatal(err)
				}
				tb.Cleanup(func() { _ = c.Close() })
				rs[i] = alone{c}
			}
			return rs
		}},
		{"sturdyc", func(tb testing.TB, srv *redistest.Server, name string, u *upstream, tm timing, n int) []replica {
			rs := make([]replica, n)
			for i := range rs {
				rs[i] = newSturdy(tb, srv, name, u, tm)
			}
			return rs
		}},
	}
}

// tiered is a replica of ours: its own client, tier and cache.
type tiered struct {
	tier  *redistier.Tier[string, string]
	cache *cache.Cache[string, string]
}

// newTiered builds a replica with the tier. The replicas of a benchmark
// share one machine, and so one clock: the skew bound is 1ms instead of the
// default 100ms, which would make values read from Redis look that much
// older and be reloaded that much sooner.
func newTiered(tb testing.TB, srv *redistest.Server, name string, u *upstream, tm timing, copts ...cache.Option) *tiered {
	tb.Helper()
	client := newClient(srv)
	tier, err := redistier.New(client, name, u.load, redistier.WithTiming(tm.ttl, tm.refresh),
		redistier.WithMaxSkew(time.Millisecond), redistier.WithLogger(quiet))
	if err != nil {
		tb.Fatal(err)
	}
	c, err := cache.New(tier.Loader(), append(append(tier.CacheOptions(), cache.WithLogger(quiet)), copts...)...)
	if err != nil {
		tb.Fatal(err)
	}
	if err := tier.Attach(c); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		_ = c.Close()
		_ = tier.Close()
		_ = client.Close()
	})
	return &tiered{tier: tier, cache: c}
}

func (r *tiered) get(ctx context.Context, key string) (string, error) { return r.cache.Get(ctx, key) }

// alone is a replica of the cache without a tier.
type alone struct{ c *cache.Cache[string, string] }

func (r alone) get(ctx context.Context, key string) (string, error) { return r.c.Get(ctx, key) }

// sturdy is a sturdyc replica with its distributed storage on Redis, in
// its early-refresh mode: a refresh first reads the record in Redis and
// uses it while it is younger than ttl - refresh, the point where the
// replicas start refreshing; the refreshes come due at a random time of
// the refresh window (sturdyc's way to spread the fleet's reloads). It has
// no lease: replicas that miss together load together.
type sturdy struct {
	c     *sturdyc.Client[string]
	load  func(ctx context.Context, key string) (string, error)
	store *sturdyStore
}

func newSturdy(tb testing.TB, srv *redistest.Server, name string, u *upstream, tm timing) *sturdy {
	tb.Helper()
	client := newClient(srv)
	tb.Cleanup(func() { _ = client.Close() })
	store := &sturdyStore{client: client, prefix: "sturdyc:" + name + ":", ttl: tm.ttl}
	c := sturdyc.New[string](1<<20, 8, tm.ttl, 10,
		sturdyc.WithEarlyRefreshes(tm.period(), tm.ttl, tm.ttl, 10*time.Millisecond),
		sturdyc.WithDistributedStorageEarlyRefreshes(store, tm.period()),
		sturdyc.WithNoContinuousEvictions(),
		sturdyc.WithLog(&sturdyc.NoopLogger{}))
	return &sturdy{c: c, load: u.load, store: store}
}

func (r *sturdy) get(ctx context.Context, key string) (string, error) {
	return r.c.GetOrFetch(ctx, key, func(ctx context.Context) (string, error) { return r.load(ctx, key) })
}

// sturdyStore is sturdyc's DistributedStorageWithDeletions on go-redis:
// each record a string key that expires after the TTL (sturdyc leaves the
// storage's expiry to its user).
type sturdyStore struct {
	client *redis.Client
	prefix string
	ttl    time.Duration
}

func (s *sturdyStore) Get(ctx context.Context, key string) ([]byte, bool) {
	b, err := s.client.Get(ctx, s.prefix+key).Bytes()
	return b, err == nil
}

func (s *sturdyStore) Set(ctx context.Context, key string, value []byte) {
	_ = s.client.Set(ctx, s.prefix+key, value, s.ttl).Err()
}

func (s *sturdyStore) GetBatch(ctx context.Context, keys []string) map[string][]byte {
	full := make([]string, len(keys))
	for i, k := range keys {
		full[i] = s.prefix + k
	}
	out := map[string][]byte{}
	vals, err := s.client.MGet(ctx, full...).Result()
	if err != nil {
		return out
	}
	for i, v := range vals {
		if str, ok := v.(string); ok {
			out[keys[i]] = []byte(str)
		}
	}
	return out
}

func (s *sturdyStore) SetBatch(ctx context.Context, records map[string][]byte) {
	_, _ = s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for k, v := range records {
			p.Set(ctx, s.prefix+k, v, s.ttl)
		}
		return nil
	})
}

func (s *sturdyStore) Delete(ctx context.Context, key string) {
	_ = s.client.Del(ctx, s.prefix+key).Err()
}

func (s *sturdyStore) DeleteBatch(ctx context.Context, keys []string) {
	for _, k := range keys {
		s.Delete(ctx, k)
	}
}

// stored waits until key's record is in Redis: sturdyc writes it on a
// goroutine of its own after the load.
func (s *sturdyStore) stored(tb testing.TB, key string) {
	tb.Helper()
	ctx := context.Background()
	for deadline := time.Now().Add(5 * time.Second); ; {
		n, err := s.client.Exists(ctx, s.prefix+key).Result()
		if err == nil && n == 1 {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("fleetbench: sturdyc's record of %s not in Redis within 5s (%v)", key, err)
		}
		time.Sleep(100 * time.Microsecond)
	}
}
