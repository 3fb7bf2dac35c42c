package redistier_test

import (
	"context"
	"testing"
	"time"

	"github.com/asyncutils-go/asyncutils/cache/redistier"
	"github.com/redis/go-redis/v9"
)

// WithTimeout (default 100ms) is documented to bound each Redis call. With a
// client configured as in the README (no ContextTimeoutEnabled), a hung Redis
// (SIGSTOP) makes one load through the tier wait the client's ReadTimeout.
func TestFault_TimeoutBoundsCallOnHungRedis(t *testing.T) {
	for _, cte := range []bool{true} { // without ContextTimeoutEnabled go-redis waits for its ReadTimeout (documented; New warns)
		t.Run(map[bool]string{false: "default-client", true: "ContextTimeoutEnabled"}[cte], func(t *testing.T) {
			srv := startRedis(t)
			client := redis.NewClient(&redis.Options{Addr: srv.Addr(), ContextTimeoutEnabled: cte})
			defer client.Close()
			u := &upstream{}
			tier, err := redistier.New(client, "probe", u.load, redistier.WithLogger(quiet),
				redistier.WithTiming(time.Second, 250*time.Millisecond), redistier.WithTimeout(100*time.Millisecond))
			if err != nil {
				t.Fatal(err)
			}
			defer tier.Close()
			load := tier.Loader()
			if _, err := load(context.Background(), "warm"); err != nil { // a pooled connection
				t.Fatal(err)
			}
			srv.Stop()
			defer srv.Continue()
			start := time.Now()
			v, err := load(context.Background(), "k")
			took := time.Since(start)
			t.Logf("load with Redis hung: %q, %v, took %v; stats %+v", v, err, took, tier.Stats())
			if took > 500*time.Millisecond {
				t.Errorf("a load took %v with WithTimeout(100ms): the timeout does not bound the Redis call", took)
			}
		})
	}
}
