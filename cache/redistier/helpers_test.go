package redistier_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/asyncutils-go/asyncutils/cache"
	"github.com/asyncutils-go/asyncutils/cache/redistier"
	"github.com/redis/go-redis/v9"
)

// quiet is a logger that drops everything, for tests that provoke warnings.
var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// upstream is a loader that counts its calls per key and returns
// "key@generation"; a test bumps the generation to change the source.
type upstream struct {
	calls sync.Map // string key -> *atomic.Int64
	total atomic.Int64
	gen   atomic.Int64
	delay time.Duration
	hook  func(ctx context.Context, key string) error // optional, before the value
}

func (u *upstream) load(ctx context.Context, key string) (string, error) {
	n, _ := u.calls.LoadOrStore(key, new(atomic.Int64))
	n.(*atomic.Int64).Add(1)
	u.total.Add(1)
	if u.hook != nil {
		if err := u.hook(ctx, key); err != nil {
			return "", err
		}
	}
	if u.delay > 0 {
		time.Sleep(u.delay)
	}
	return fmt.Sprintf("%s@%d", key, u.gen.Load()), nil
}

func (u *upstream) callsOf(key string) int64 {
	n, ok := u.calls.Load(key)
	if !ok {
		return 0
	}
	return n.(*atomic.Int64).Load()
}

// replica is one member of a test fleet: its own client, tier and cache.
type replica struct {
	client redis.UniversalClient
	tier   *redistier.Tier[string, string]
	cache  *cache.Cache[string, string]
}

// newReplica builds a replica over client, closed (cache, tier, client) when
// the test ends.
func newReplica(t testing.TB, client redis.UniversalClient, u *upstream, topts []redistier.Option, copts ...cache.Option) *replica {
	t.Helper()
	topts = append([]redistier.Option{redistier.WithLogger(quiet)}, topts...)
	tier, err := redistier.New(client, "test", u.load, topts...)
	if err != nil {
		t.Fatal(err)
	}
	c, err := cache.New(tier.Loader(), append(append(tier.CacheOptions(), cache.WithLogger(quiet)), copts...)...)
	if err != nil {
		t.Fatal(err)
	}
	if err := tier.Attach(c); err != nil {
		t.Fatal(err)
	}
	r := &replica{client: client, tier: tier, cache: c}
	t.Cleanup(func() {
		_ = c.Close()
		_ = tier.Close()
		_ = client.Close()
	})
	return r
}

// newMini starts a miniredis, closed when the test ends.
func newMini(t testing.TB) *miniredis.Miniredis {
	t.Helper()
	mr := miniredis.RunT(t)
	return mr
}

func miniClient(mr *miniredis.Miniredis) *redis.Client {
	return redis.NewClient(&redis.Options{Addr: mr.Addr(), MaxRetries: -1})
}

// eventually polls cond every millisecond until it holds or 5s pass.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within 5s: %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
