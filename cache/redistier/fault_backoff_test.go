package redistier_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asyncutils-go/asyncutils/cache/redistier"
	"github.com/redis/go-redis/v9"
)

// doc.go: "After a failure, loads skip Redis for a backoff (10ms, doubled to
// 500ms) and the first load after it probes Redis again, so an outage costs no
// timeout per load". With concurrent loads during a hung Redis, count the
// loads that paid the Redis timeout.
func TestFault_BackoffOneProbe(t *testing.T) {
	srv := startRedis(t)
	client := redis.NewClient(&redis.Options{Addr: srv.Addr(), ContextTimeoutEnabled: true, MaxRetries: -1})
	defer client.Close()
	u := &upstream{}
	tier, err := redistier.New(client, "probe", u.load, redistier.WithLogger(quiet),
		redistier.WithTiming(time.Second, 250*time.Millisecond), redistier.WithTimeout(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer tier.Close()
	load := tier.Loader()
	srv.Stop()
	defer srv.Continue()
	var total, slow atomic.Int64
	var wg sync.WaitGroup
	end := time.Now().Add(2 * time.Second)
	for g := range 16 {
		wg.Go(func() {
			for i := 0; time.Now().Before(end); i++ {
				start := time.Now()
				if _, err := load(context.Background(), fmt.Sprintf("g%d-%d", g, i)); err != nil {
					t.Error(err)
				}
				total.Add(1)
				if time.Since(start) >= 90*time.Millisecond {
					slow.Add(1)
				}
				time.Sleep(5 * time.Millisecond)
			}
		})
	}
	wg.Wait()
	s := tier.Stats()
	t.Logf("loads %d, of which paid the 100ms timeout: %d; RedisErrors %d, Bypassed %d", total.Load(), slow.Load(), s.RedisErrors, s.Bypassed)
	if slow.Load() > 30 { // one per backoff (10 ms doubling to 500 ms) and the subscriber's; 64 before the probe gate
		t.Errorf("%d loads paid the timeout in 2s of outage: not one probe per backoff", slow.Load())
	}
}
