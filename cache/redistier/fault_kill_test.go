package redistier_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/asyncutils-go/asyncutils/cache/redistier"
	"github.com/redis/go-redis/v9"
)

// Redis killed, then restarted empty, with a client as in the README
// (default retries): every Get served, none slow, and the tier back to
// sharing values after the restart.
func TestFault_KilledAndRestarted(t *testing.T) {
	srv := startRedis(t)
	u := &upstream{}
	opts := []redistier.Option{redistier.WithTiming(time.Second, 250*time.Millisecond)}
	a := newReplica(t, redis.NewClient(&redis.Options{Addr: srv.Addr()}), u, opts)
	b := newReplica(t, redis.NewClient(&redis.Options{Addr: srv.Addr()}), u, opts)
	waitSubscribed(t, []*replica{a, b})
	ctx := context.Background()
	var worst time.Duration
	get := func(r *replica, k string) {
		start := time.Now()
		if _, err := r.cache.Get(ctx, k); err != nil {
			t.Errorf("Get %s: %v", k, err)
		}
		worst = max(worst, time.Since(start))
	}
	srv.Kill()
	for i := range 200 {
		get(a, fmt.Sprint("down", i))
		get(b, fmt.Sprint("down", i))
	}
	t.Logf("Redis down: 400 Gets, slowest %v; A stats %+v", worst, a.tier.Stats())
	if worst > 200*time.Millisecond {
		t.Errorf("a Get took %v with Redis down", worst)
	}
	srv.Restart()
	time.Sleep(600 * time.Millisecond) // past the longest backoff
	before := u.total.Load()
	eventually(t, "sharing again", func() bool {
		k := fmt.Sprint("up", time.Now().UnixNano())
		get(a, k)
		get(b, k)
		return u.total.Load()-before >= 1 && b.tier.Stats().FromRedis > 0
	})
	if err := a.tier.Invalidate(ctx, "up-x"); err != nil {
		t.Errorf("Invalidate after restart: %v", err)
	}
	eventually(t, "B resubscribed", func() bool { return b.tier.Stats().Resubscribes > 0 })
	t.Logf("after restart: A %+v", a.tier.Stats())
}
