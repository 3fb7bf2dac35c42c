package redistier_test

import (
	"context"
	"testing"
	"time"

	"github.com/asyncutils-go/asyncutils/cache"
	"github.com/asyncutils-go/asyncutils/cache/redistier"
	"github.com/redis/go-redis/v9"
)

// doc.go: "Redis is never on the path of an error to a caller of the cache",
// and on a fault "the load goes to the upstream loader as if there were no
// tier". An upstream that answers in 600ms, with a TTL of 500ms: the cache
// alone (and the tier with Redis down) serves the value; the tier with Redis
// up makes every Get fail.
func TestFault_SlowUpstreamFailsOnlyWithTier(t *testing.T) {
	const ttl, refresh = 500 * time.Millisecond, 100 * time.Millisecond
	u := &upstream{delay: 600 * time.Millisecond}
	ctx := context.Background()

	alone, err := cache.New(u.load, cache.WithTTL(ttl), cache.WithRefresh(refresh))
	if err != nil {
		t.Fatal(err)
	}
	defer alone.Close()
	v, err := alone.Get(ctx, "k")
	t.Logf("cache alone: %q, %v", v, err)

	down := newReplica(t, redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1}), u,
		[]redistier.Option{redistier.WithTiming(ttl, refresh)})
	v, err = down.cache.Get(ctx, "k")
	t.Logf("tier, Redis down: %q, %v", v, err)

	up := newReplica(t, miniClient(newMini(t)), u, []redistier.Option{redistier.WithTiming(ttl, refresh)})
	v, err = up.cache.Get(ctx, "k")
	t.Logf("tier, Redis up: %q, %v", v, err)
	if err != nil {
		t.Errorf("with the tier and Redis up, Get fails where the cache alone serves: %v", err)
	}
}
