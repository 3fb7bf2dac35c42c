package redistier_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asyncutils-go/asyncutils/cache"
	"github.com/asyncutils-go/asyncutils/cache/redistier"
	"github.com/redis/go-redis/v9"
)

// One upstream load per key across the fleet: 4 replicas, each with 4
// concurrent Gets of the same 20 new keys.
func TestFault_FleetStampede(t *testing.T) {
	srv := startRedis(t)
	u := &upstream{delay: 20 * time.Millisecond}
	var rs []*replica
	for range 4 {
		rs = append(rs, newReplica(t, redis.NewClient(&redis.Options{Addr: srv.Addr()}), u, nil))
	}
	var wg sync.WaitGroup
	for _, r := range rs {
		for range 4 {
			wg.Go(func() {
				for k := range 20 {
					if _, err := r.cache.Get(context.Background(), fmt.Sprint("s", k)); err != nil {
						t.Error(err)
					}
				}
			})
		}
	}
	wg.Wait()
	t.Logf("upstream calls %d for 20 keys", u.total.Load())
	if u.total.Load() != 20 {
		t.Errorf("upstream calls = %d, want 20", u.total.Load())
	}
}

// A large value (8 MiB string): shared through Redis within the default
// 100ms timeout?
func TestFault_LargeValue(t *testing.T) {
	srv := startRedis(t)
	big := strings.Repeat("x", 8<<20)
	calls := 0
	var mu sync.Mutex
	load := func(ctx context.Context, k string) (string, error) { mu.Lock(); calls++; mu.Unlock(); return big, nil }
	mk := func() (*redistier.Tier[string, string], *cache.Cache[string, string]) {
		client := redis.NewClient(&redis.Options{Addr: srv.Addr()})
		t.Cleanup(func() { _ = client.Close() })
		tier, err := redistier.New(client, "probe", load, redistier.WithLogger(quiet))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = tier.Close() })
		c, err := cache.New(tier.Loader(), tier.CacheOptions()...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		return tier, c
	}
	ta, ca := mk()
	tb, cb := mk()
	if _, err := ca.Get(context.Background(), "big"); err != nil {
		t.Fatal(err)
	}
	v, err := cb.Get(context.Background(), "big")
	if err != nil || len(v) != len(big) {
		t.Fatalf("B: %d bytes, %v", len(v), err)
	}
	t.Logf("8 MiB value: upstream calls %d; A %+v; B %+v", calls, ta.Stats(), tb.Stats())
}
