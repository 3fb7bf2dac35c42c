package redistier_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/asyncutils-go/asyncutils/cache/redistier"
	"github.com/redis/go-redis/v9"
)

// docs/cache-fleet.md: "A Set stores its record and publishes the change in
// one script, so two Sets of a key close together reach every replica in the
// order Redis stored them." Two replicas Set one key at the same moment,
// round after round, on a real redis-server; once every change has arrived,
// the two writers and two replicas that only listen must all hold the value
// Redis stored last. A writer that skipped its own change message but
// applied the other's, which Redis stored before its own, would keep the
// other's value until its next reload.
func TestFault_ConcurrentSetsConverge(t *testing.T) {
	t.Run("set-set", func(t *testing.T) { concurrentChanges(t, false) })
	// The second writer invalidates instead: every replica then either
	// holds the value Redis holds or holds none, so that its next Get
	// returns what every other replica's does.
	t.Run("set-invalidate", func(t *testing.T) { concurrentChanges(t, true) })
}

func concurrentChanges(t *testing.T, invalidate bool) {
	srv := startRedis(t)
	u := &upstream{}
	opts := []redistier.Option{redistier.WithTiming(time.Minute, 15*time.Second)}
	rs := make([]*replica, 4) // 0 and 1 write; 2 and 3 listen
	for i := range rs {
		rs[i] = newReplica(t, redis.NewClient(&redis.Options{Addr: srv.Addr()}), u, opts)
	}
	waitSubscribed(t, rs)
	ctx := context.Background()
	for _, r := range rs {
		if _, err := r.cache.Get(ctx, "k"); err != nil {
			t.Fatal(err)
		}
	}
	recv := func() []uint64 {
		n := make([]uint64, len(rs))
		for i, r := range rs {
			n[i] = r.tier.Stats().ChangesRecv
		}
		return n
	}
	const rounds = 100
	diverged := 0
	for round := range rounds {
		before := recv()
		start := make(chan struct{})
		var wg sync.WaitGroup
		for w := range 2 {
			wg.Go(func() {
				<-start
				var err error
				if w == 1 && invalidate {
					err = rs[w].tier.Invalidate(ctx, "k")
				} else {
					err = rs[w].tier.Set(ctx, "k", fmt.Sprintf("w%d-%d", w, round))
				}
				if err != nil {
					t.Error(err)
				}
			})
		}
		close(start)
		wg.Wait()
		// Each writer receives the other's change; each listener both.
		eventually(t, "every change of the round arrives", func() bool {
			now := recv()
			return now[0] >= before[0]+1 && now[1] >= before[1]+1 && now[2] >= before[2]+2 && now[3] >= before[3]+2
		})
		var vals [4]string
		for i, r := range rs {
			v, ok := r.cache.Peek("k")
			switch {
			case !ok && !invalidate:
				t.Fatalf("round %d: replica %d does not hold k", round, i)
			case !ok: // it reads Redis (or, when Redis holds none, loads it for the fleet)
				var err error
				if v, err = r.cache.Get(ctx, "k"); err != nil {
					t.Fatal(err)
				}
			}
			vals[i] = v
		}
		if vals[0] != vals[2] || vals[1] != vals[2] || vals[3] != vals[2] {
			diverged++
			if diverged <= 3 {
				t.Errorf("round %d: the replicas hold %q (writers, then listeners): not one value", round, vals)
			}
		}
	}
	if diverged > 0 {
		t.Errorf("%d of %d rounds of two concurrent changes left the fleet holding different values", diverged, rounds)
	}
}
