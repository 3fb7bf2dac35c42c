package redistier_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/asyncutils-go/asyncutils/cache"
	"github.com/asyncutils-go/asyncutils/cache/redistier"
)

// BenchmarkMiss is the latency of a local miss (a Get of a key the cache
// does not hold, with an upstream that answers at once): the cache alone;
// through the tier on the replica that loads for the fleet (a read, the
// lease with a second read, the upstream, the leased write: three round
// trips); and through the tier on a replica that finds the value in Redis
// (one round trip). The differences are the tier's extra latency on a real
// redis-server on loopback.
func BenchmarkMiss(b *testing.B) {
	srv := startRedis(b)
	ctx := context.Background()
	u := &upstream{}
	opts := []redistier.Option{redistier.WithTiming(time.Minute, 15*time.Second)}
	b.Run("cache alone", func(b *testing.B) {
		c, err := cache.New(u.load, cache.WithTTL(time.Minute))
		if err != nil {
			b.Fatal(err)
		}
		defer func() { _ = c.Close() }()
		for i := 0; b.Loop(); i++ {
			if _, err := c.Get(ctx, "alone"+strconv.Itoa(i)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("tier, loads for the fleet", func(b *testing.B) {
		r := newReplica(b, fleetClient(srv), u, opts)
		for i := 0; b.Loop(); i++ {
			if _, err := r.cache.Get(ctx, "lease"+strconv.Itoa(i)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("tier, value in Redis", func(b *testing.B) {
		producer := newReplica(b, fleetClient(srv), u, opts)
		r := newReplica(b, fleetClient(srv), u, opts)
		n := 0
		for b.Loop() {
			b.StopTimer()
			k := "shared" + strconv.Itoa(n)
			n++
			if _, err := producer.cache.Get(ctx, k); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if _, err := r.cache.Get(ctx, k); err != nil {
				b.Fatal(err)
			}
		}
	})
}
