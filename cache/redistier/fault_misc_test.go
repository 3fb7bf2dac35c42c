package redistier_test

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/asyncutils-go/asyncutils/cache/redistier"
	"github.com/redis/go-redis/v9"
)

// WithTiming allows any TTL > 0 with 0 <= refresh <= TTL (and WithMaxSkew(0)
// "trusts the clocks"): a TTL under a millisecond.
func TestFault_SubMillisecondTTL(t *testing.T) {
	mr := newMini(t)
	u := &upstream{}
	r := newReplica(t, miniClient(mr), u, []redistier.Option{redistier.WithTiming(900*time.Microsecond, 0), redistier.WithMaxSkew(0)})
	ctx := context.Background()
	if _, err := r.cache.Get(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	err := r.tier.Set(ctx, "k", "v")
	t.Logf("Set: %v; stats %+v", err, r.tier.Stats())
	if err != nil || r.tier.Stats().RedisErrors != 0 {
		t.Errorf("a valid TTL of 900µs makes every write to Redis fail: %v", err)
	}
}

// A lease holder that stalls past the lease: its waiter takes over. The
// fault table of docs/cache-fleet.md: "its waiters wait at most the lease
// value, a change reaches it).
func TestFault_OddKeys(t *testing.T) {
	srv := startRedis(t)
	u := &upstream{}
	opts := []redistier.Option{redistier.WithTiming(time.Minute, 15*time.Second)}
	a := newReplica(t, redis.NewClient(&redis.Options{Addr: srv.Addr()}), u, opts)
	b := newReplica(t, redis.NewClient(&redis.Options{Addr: srv.Addr()}), u, opts)
	waitSubscribed(t, []*replica{a, b})
	ctx := context.Background()
	keys := []string{"", "}", "{", "}{", "a}:v", "{=x}", "\x00\xff\n\r", "é€", strings.Repeat("k", 100_000), "x\r\n*1\r\n$4\r\nPING"}
	for _, k := range keys {
		if _, err := a.cache.Get(ctx, k); err != nil {
			t.Fatalf("%q: %v", k[:min(len(k), 20)], err)
		}
		from := b.tier.Stats().FromRedis
		if _, err := b.cache.Get(ctx, k); err != nil {
			t.Fatal(err)
		}
		if b.tier.Stats().FromRedis != from+1 {
			t.Errorf("%q: B did not read A's value from Redis", k[:min(len(k), 20)])
		}
		if err := a.tier.Set(ctx, k, "set:"+strconv.Quote(k[:min(len(k), 5)])); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(2 * time.Second)
		for {
			v, ok := b.cache.Peek(k)
			if v == "set:"+strconv.Quote(k[:min(len(k), 5)]) {
				break
			}
			if time.Now().After(deadline) {
				t.Errorf("%q: B holds %q (%v) 2s after A's Set; B stats %+v", k[:min(len(k), 20)], v, ok, b.tier.Stats())
				break
			}
			time.Sleep(time.Millisecond)
		}
	}
	if n := u.total.Load(); n != int64(len(keys)) {
		t.Errorf("upstream calls = %d, want %d (one per key)", n, len(keys))
	}
}

// WaitSubscribed after Close: "or until Close (ErrClosed)".
func TestFault_WaitSubscribedAfterClose(t *testing.T) {
	mr := newMini(t)
	tier, err := redistier.New(miniClient(mr), "probe", (&upstream{}).load, redistier.WithLogger(quiet))
	if err != nil {
		t.Fatal(err)
	}
	if err := tier.WaitSubscribed(context.Background()); err != nil {
		t.Fatal(err)
	}
	_ = tier.Close()
	nilCount := 0
	for range 100 {
		if err := tier.WaitSubscribed(context.Background()); err == nil {
			nilCount++
		} else if !errors.Is(err, redistier.ErrClosed) {
			t.Fatal(err)
		}
	}
	t.Logf("WaitSubscribed after Close: nil %d times in 100, ErrClosed %d", nilCount, 100-nilCount)
	if nilCount > 0 {
		t.Errorf("a closed tier reports itself subscribed")
	}
}

// New with a nil *redis.Client (a typed nil in the UniversalClient):
// "ErrInvalidConfig ... client is nil" is the documented answer.
func TestFault_TypedNilClient(t *testing.T) {
	runChild(t, "TestFault_TypedNilClientChild", "REDISTIER_TEST_CHILD=1")
}

func TestFault_TypedNilClientChild(t *testing.T) {
	if os.Getenv("REDISTIER_TEST_CHILD") == "" {
		t.Skip("run by TestFault_TypedNilClient")
	}
	var client *redis.Client
	tier, err := redistier.New(client, "probe", (&upstream{}).load)
	t.Logf("New = %v", err)
	if err == nil {
		time.Sleep(50 * time.Millisecond) // the subscriber starts
		_ = tier.Close()
		t.Errorf("New accepted a nil *redis.Client")
	}
}
