package redistier_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asyncutils-go/asyncutils/cache/redistier"
	"github.com/redis/go-redis/v9"
)

// changes.go: "Invalidate removes key from every attached cache of this
// replica at once, from Redis, and from every attached cache of the fleet
// ... A load in flight anywhere does not bring the old value back."
// A Get of the (hot) key on the invalidating replica itself, between its
// local invalidation and the DEL in Redis (one round trip).
func TestFault_InvalidateRacesOwnGet(t *testing.T) {
	mr := newMini(t)
	u := &upstream{}
	opts := []redistier.Option{redistier.WithTiming(time.Minute, 15*time.Second)}
	clientA := miniClient(mr)
	var a *replica
	var armed atomic.Bool
	clientA.AddHook(&cmdHook{before: func(ctx context.Context, cmd redis.Cmder) {
		if cmdName(cmd) == "del" && armed.CompareAndSwap(true, false) {
			// a reader of the hot key on A, during the DEL's round trip
			if _, err := a.cache.Get(context.Background(), "k"); err != nil {
				t.Error(err)
			}
		}
	}})
	a = newReplica(t, clientA, u, opts)
	b := newReplica(t, miniClient(mr), u, opts)
	waitSubscribed(t, []*replica{a, b})
	ctx := context.Background()
	for _, r := range []*replica{a, b} {
		if _, err := r.cache.Get(ctx, "k"); err != nil {
			t.Fatal(err)
		}
	}
	u.gen.Store(1) // the source changed: "k@1" now
	armed.Store(true)
	if err := a.tier.Invalidate(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	va, _ := a.cache.Get(ctx, "k")
	vb, _ := b.cache.Get(ctx, "k")
	t.Logf("after A.Invalidate and a source change: A serves %q, B serves %q; A stats %+v", va, vb, a.tier.Stats())
	if va != "k@1" {
		t.Errorf("A, the replica that invalidated, serves the old value %q (until its next reload)", va)
	}
}

// The same without a hook: a reader loops on the hot key on A while A
// invalidates it after each change of the source; real redis-server.
func TestFault_InvalidateRacesOwnGetNoHook(t *testing.T) {
	srv := startRedis(t)
	u := &upstream{}
	opts := []redistier.Option{redistier.WithTiming(time.Minute, 15*time.Second)}
	a := newReplica(t, redis.NewClient(&redis.Options{Addr: srv.Addr()}), u, opts)
	ctx := context.Background()
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
				_, _ = a.cache.Get(ctx, "hot")
			}
		}
	}()
	stale := 0
	const rounds = 50
	for i := range rounds {
		u.gen.Store(int64(i + 1))
		if err := a.tier.Invalidate(ctx, "hot"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
		if v, _ := a.cache.Peek("hot"); v != "hot@"+itoa(i+1) {
			stale++
		}
	}
	close(stop)
	<-done
	t.Logf("%d of %d Invalidates left A serving a value from before them", stale, rounds)
	if stale > 0 {
		t.Errorf("%d of %d Invalidates did not take on the invalidating replica", stale, rounds)
	}
}

func itoa(i int) string { return fmt.Sprint(i) }
