package redistier_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asyncutils-go/asyncutils/cache"
	"github.com/asyncutils-go/asyncutils/cache/redistier"
	"github.com/benbjohnson/clock"
	"github.com/redis/go-redis/v9"
)

// doc.go: "A value keeps its true age across the tier ... The cache's TTL
// guarantee holds for tiered values", and with clocks that agree "no value is
// served past its TTL". Path: replica B misses, replica A writes the value
// (and releases its lease) between B's first GET and B's SET NX + GET; B wins
// the lease, sees A's fresh value, calls SetAge, then gives the lease back in
// one more round trip, which here takes 300ms (a slow Redis, within B's 1s
// WithTimeout). One clock for everyone, default skew bound (100ms).
func TestFault_ValueServedPastTTLAfterLeaseRelease(t *testing.T) {
	mr := newMini(t)
	mock := clock.NewMock()
	mock.Set(time.Unix(1_700_000_000, 0))
	const ttl = time.Second
	opts := []redistier.Option{redistier.WithLogger(quiet), redistier.WithClock(mock),
		redistier.WithTiming(ttl, 0), redistier.WithTimeout(time.Second)}

	var produced atomic.Int64 // mock time at which A's upstream produced the value
	ua := &upstream{hook: func(context.Context, string) error { produced.Store(mock.Now().UnixNano()); return nil }}
	clientA := miniClient(mr)
	defer clientA.Close()
	tierA, err := redistier.New(clientA, "probe", ua.load, opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer tierA.Close()

	clientB := miniClient(mr)
	defer clientB.Close()
	var stage atomic.Int32
	clientB.AddHook(&cmdHook{
		after: func(ctx context.Context, cmd redis.Cmder) {
			// B's first GET found nothing: now A loads the key for the fleet.
			if cmdName(cmd) == "get" && stage.CompareAndSwap(0, 1) {
				if _, err := tierA.Loader()(context.Background(), "k"); err != nil {
					t.Error(err)
				}
			}
		},
		before: func(ctx context.Context, cmd redis.Cmder) {
			// B's release of the lease it took: a slow round trip (300ms).
			if n := cmdName(cmd); (n == "evalsha" || n == "eval") && stage.Load() == 1 &&
				strings.HasSuffix(cmd.Args()[3].(string), "}:l") && len(cmd.Args()) == 5 {
				stage.Store(2)
				mock.Add(300 * time.Millisecond)
			}
		},
	})
	ub := &upstream{}
	tierB, err := redistier.New(clientB, "probe", ub.load, opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer tierB.Close()
	c, err := cache.New(tierB.Loader(), append(tierB.CacheOptions(), cache.WithClock(mock), cache.WithLogger(quiet))...)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	v, err := c.Get(context.Background(), "k")
	if err != nil || stage.Load() != 2 {
		t.Fatalf("Get = %q, %v; stage %d (want 2: the path was not taken)", v, err, stage.Load())
	}
	age, _ := c.Age("k")
	trueAge := time.Duration(mock.Now().UnixNano() - produced.Load())
	t.Logf("after B's load: cache age %v, true age %v; B stats %+v", age, trueAge, tierB.Stats())

	mock.Add(ttl - trueAge + 150*time.Millisecond) // true age: TTL + 150ms
	trueAge = time.Duration(mock.Now().UnixNano() - produced.Load())
	before := ub.total.Load() + ua.total.Load()
	v, err = c.Get(context.Background(), "k")
	age, _ = c.Age("k")
	loaded := ub.total.Load() + ua.total.Load() - before
	t.Logf("Get at true age %v: %q, %v (cache age %v, upstream calls %d)", trueAge, v, err, age, loaded)
	if err == nil && loaded == 0 && trueAge > ttl {
		t.Errorf("Get served a value %v old, past the TTL %v", trueAge, ttl)
	}
}
