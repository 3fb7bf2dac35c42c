package redistier_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asyncutils-go/asyncutils/cache"
	"github.com/asyncutils-go/asyncutils/cache/redistier"
	"github.com/redis/go-redis/v9"
)

func TestNew_BadInput(t *testing.T) {
	mr := newMini(t)
	client := miniClient(mr)
	defer func() { _ = client.Close() }()
	load := func(context.Context, string) (string, error) { return "", nil }
	tests := []struct {
		name   string
		client redis.UniversalClient
		tier   string
		loader cache.Loader[string, string]
		opts   []redistier.Option
		want   string
	}{
		{"nil client", nil, "t", load, nil, "client is nil"},
		{"empty name", client, "", load, nil, `name "" must be non-empty`},
		{"name with a brace", client, "a{b", load, nil, `name "a{b" must be non-empty, without braces`},
		{"nil loader", client, "t", nil, nil, "loader is nil"},
		{"codec of another type", client, "t", load, []redistier.Option{redistier.WithCodec(redistier.JSON[int]())}, "WithCodec needs a non-nil Codec[string]"},
		{"key of another type", client, "t", load, []redistier.Option{redistier.WithKey(strconv.Itoa, strconv.Atoi)}, "WithKey needs non-nil functions of key type string"},
		{"TTL 0", client, "t", load, []redistier.Option{redistier.WithTiming(0, 0)}, "timing is TTL 0s, refresh 0s"},
		{"refresh over the TTL", client, "t", load, []redistier.Option{redistier.WithTiming(time.Second, 2*time.Second)}, "must be TTL > 0, 0 <= refresh <= TTL"},
		{"negative skew", client, "t", load, []redistier.Option{redistier.WithMaxSkew(-1)}, "max skew is -1ns"},
		{"skew eats the fresh time", client, "t", load, []redistier.Option{redistier.WithTiming(time.Second, 500*time.Millisecond), redistier.WithMaxSkew(time.Second)}, "leaves no time a shared value is fresh"},
		{"lease 0", client, "t", load, []redistier.Option{redistier.WithLease(0)}, "lease is 0s"},
		{"timeout 0", client, "t", load, []redistier.Option{redistier.WithTimeout(0)}, "timeout is 0s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tier, err := redistier.New(tt.client, tt.tier, tt.loader, tt.opts...)
			if err == nil {
				_ = tier.Close()
				t.Fatal("New succeeded")
			}
			if !errors.Is(err, redistier.ErrInvalidConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New = %v, want ErrInvalidConfig naming %q", err, tt.want)
			}
		})
	}
	t.Run("struct key without WithKey", func(t *testing.T) {
		type point struct{ X, Y int }
		_, err := redistier.New(client, "t", func(context.Context, point) (string, error) { return "", nil })
		if !errors.Is(err, redistier.ErrInvalidConfig) || !strings.Contains(err.Error(), "is neither a string nor an integer: give WithKey") {
			t.Errorf("New = %v", err)
		}
	})
}

// label has a String method that the default key form must not use.
type label string

func (l label) String() string { return "label(" + string(l) + ")" }

// Keys of string and integer kinds work without WithKey, in both directions:
// a change made for a key reaches the other replica's cache under that key.
func TestKeys_Defaults(t *testing.T) {
	mr := newMini(t)
	ctx := context.Background()
	t.Run("named string", func(t *testing.T) { roundTrip(ctx, t, mr, label("x")) })
	t.Run("int", func(t *testing.T) { roundTrip(ctx, t, mr, -42) })
	t.Run("uint16", func(t *testing.T) { roundTrip(ctx, t, mr, uint16(65535)) })
	t.Run("WithKey", func(t *testing.T) {
		type point struct{ X, Y int }
		format := func(p point) string { return fmt.Sprintf("%d,%d", p.X, p.Y) }
		parse := func(s string) (point, error) {
			var p point
			_, err := fmt.Sscanf(s, "%d,%d", &p.X, &p.Y)
			return p, err
		}
		roundTrip(ctx, t, mr, point{1, 2}, redistier.WithKey(format, parse))
	})
}

func roundTrip[K comparable](ctx context.Context, t *testing.T, mr interface{ Addr() string }, key K, opts ...redistier.Option) {
	t.Helper()
	var calls sync.Map
	load := func(_ context.Context, k K) (string, error) {
		calls.Store(k, true)
		return fmt.Sprint("v", k), nil
	}
	var caches []*cache.Cache[K, string]
	var tiers []*redistier.Tier[K, string]
	for range 2 {
		client := redis.NewClient(&redis.Options{Addr: mr.Addr()})
		tier, err := redistier.New(client, fmt.Sprintf("keys-%T", key), load, append(opts, redistier.WithLogger(quiet))...)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := cache.New(tier.Loader(), tier.CacheOptions()...)
		if err := tier.Attach(c); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close(); _ = tier.Close(); _ = client.Close() })
		caches, tiers = append(caches, c), append(tiers, tier)
	}
	if _, err := caches[1].Get(ctx, key); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the invalidation reaches the other replica", func() bool {
		_ = tiers[0].Invalidate(ctx, key)
		return !caches[1].Contains(key)
	})
	if s := tiers[1].Stats(); s.DecodeErrors != 0 {
		t.Errorf("receiver's stats = %+v, want no decode errors", s)
	}
}

// With Redis down every Get is served by the upstream, without an error, and
// the errors are counted; loads skip Redis while it keeps failing; once
// Redis is back, values are shared again.
func TestFaults_RedisDownThenBack(t *testing.T) {
	mr := newMini(t)
	u := &upstream{}
	r := newReplica(t, miniClient(mr), u, []redistier.Option{redistier.WithTimeout(50 * time.Millisecond)})
	other := newReplica(t, miniClient(mr), u, nil)
	ctx := context.Background()
	mr.Close()
	for i := range 20 {
		k := strconv.Itoa(i)
		if v, err := r.cache.Get(ctx, k); err != nil || v != k+"@0" {
			t.Fatalf("Get(%s) with Redis down = %q, %v", k, v, err)
		}
	}
	s := r.tier.Stats()
	if s.UpstreamLoads != 20 || s.RedisErrors == 0 || s.Bypassed == 0 {
		t.Errorf("stats with Redis down = %+v, want 20 upstream loads, Redis errors, bypassed loads", s)
	}
	if err := mr.Restart(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a load after the restart goes through Redis again", func() bool {
		r.cache.Invalidate("x")
		_, err := r.cache.Get(ctx, "x")
		return err == nil && r.tier.Stats().LeaseWins > 0
	})
	if v, err := other.cache.Get(ctx, "x"); err != nil || v != "x@0" || other.tier.Stats().FromRedis != 1 {
		t.Errorf("the other replica's Get = %q, %v (stats %+v), want x@0 from Redis", v, err, other.tier.Stats())
	}
}

// Many replicas loading and changing the same keys at once: no caller error,
// no race, every value one the upstream or a Set produced.
func TestTier_ConcurrentSafe(t *testing.T) {
	mr := newMini(t)
	u := &upstream{}
	rs := make([]*replica, 4)
	for i := range rs {
		rs[i] = newReplica(t, miniClient(mr), u, []redistier.Option{redistier.WithLease(200 * time.Millisecond)})
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	for i, r := range rs {
		wg.Go(func() {
			for j := range 200 {
				k := strconv.Itoa(j % 10)
				switch j % 7 {
				case 3:
					if err := r.tier.Invalidate(ctx, k); err != nil {
						t.Error(err)
					}
				case 5:
					if err := r.tier.Set(ctx, k, "set"); err != nil {
						t.Error(err)
					}
				default:
					v, err := r.cache.Get(ctx, k)
					if err != nil || (v != "set" && !strings.HasPrefix(v, k+"@")) {
						t.Errorf("replica %d: Get(%s) = %q, %v", i, k, v, err)
					}
				}
			}
		})
	}
	wg.Wait()
	for _, r := range rs {
		if s := r.tier.Stats(); s.RedisErrors != 0 || s.DecodeErrors != 0 {
			t.Errorf("stats = %+v, want no errors", s)
		}
	}
}

// WaitSubscribed returns once the subscription is confirmed, ctx's error
// when Redis never answers, and ErrClosed after Close.
func TestWaitSubscribed(t *testing.T) {
	mr := newMini(t)
	r := newReplica(t, miniClient(mr), &upstream{}, nil)
	if err := r.tier.WaitSubscribed(context.Background()); err != nil {
		t.Errorf("WaitSubscribed = %v", err)
	}
	down := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1})
	defer func() { _ = down.Close() }()
	tier, err := redistier.New(down, "down", (&upstream{}).load, redistier.WithLogger(quiet))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := tier.WaitSubscribed(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WaitSubscribed with Redis down = %v, want the deadline", err)
	}
	_ = tier.Close()
	if err := tier.WaitSubscribed(context.Background()); !errors.Is(err, redistier.ErrClosed) {
		t.Errorf("WaitSubscribed after Close = %v, want ErrClosed", err)
	}
}
