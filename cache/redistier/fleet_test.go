package redistier_test

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asyncutils-go/asyncutils/cache"
	"github.com/asyncutils-go/asyncutils/cache/redistier"
	"github.com/asyncutils-go/asyncutils/internal/redistest"
	"github.com/redis/go-redis/v9"
)

// The fleet of issue 14: 8 replicas (each its own client, tier and cache) on
// one real redis-server, 1,000 hot keys (fleetKeys; fewer under -race) read by every replica, a TTL of 1s
// with a refresh window of 250ms, so that a key is reloaded about every
// 750ms (one period): 8,000 reloads per period, which the two shared cores
// of CI (under -race too) keep up with.
const (
	fleetReplicas = 8
	fleetTTL      = time.Second
	fleetRefresh  = 250 * time.Millisecond
	fleetPeriod   = fleetTTL - fleetRefresh
)

func fleetKey(i int) string { return "k" + strconv.Itoa(i) }

// testFleet is a running fleet whose readers Get every key in turn, a sweep
// every 100ms, counting what they were served and every
// error.
type testFleet struct {
	u       *upstream
	rs      []*replica // tiers nil without the tier
	served  atomic.Int64
	errs    atomic.Int64
	lastErr atomic.Value
	stop    chan struct{}
	wg      sync.WaitGroup
}

func startFleet(t *testing.T, srv *redistest.Server, tiered bool) *testFleet {
	t.Helper()
	f := &testFleet{u: &upstream{}, stop: make(chan struct{})}
	for range fleetReplicas {
		if tiered {
			f.rs = append(f.rs, newReplica(t, fleetClient(srv), f.u, []redistier.Option{
				redistier.WithTiming(fleetTTL, fleetRefresh), redistier.WithMaxSkew(time.Millisecond),
				// generous bounds: CI's two cores are shared, and a call that
				// times out counts as a fault, whose loads go upstream
				redistier.WithLease(500 * time.Millisecond), redistier.WithTimeout(500 * time.Millisecond),
			}))
			continue
		}
		c, err := cache.New(f.u.load, cache.WithTTL(fleetTTL), cache.WithRefresh(fleetRefresh), cache.WithLogger(quiet))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		f.rs = append(f.rs, &replica{cache: c})
	}
	t.Cleanup(f.halt)
	ctx := context.Background()
	for _, r := range f.rs {
		f.wg.Go(func() {
			// The first sweep spreads the keys over a period, as a service's
			// traffic would, rather than loading all of them in one burst.
			for i := range fleetKeys {
				if _, err := r.cache.Get(ctx, fleetKey(i)); err != nil {
					f.errs.Add(1)
					f.lastErr.Store(err)
				}
				if i%100 == 99 {
					time.Sleep(fleetPeriod / 10)
				}
			}
			for {
				for i := range fleetKeys {
					if _, err := r.cache.Get(ctx, fleetKey(i)); err != nil {
						f.errs.Add(1)
						f.lastErr.Store(err)
					} else {
						f.served.Add(1)
					}
				}
				select {
				case <-f.stop:
					return
				case <-time.After(100 * time.Millisecond):
				}
			}
		})
	}
	return f
}

// fleetClient is a client as a service would configure one: no retries (the
// tier's fallback is the retry), a short dial timeout.
func fleetClient(srv *redistest.Server) *redis.Client {
	return redis.NewClient(&redis.Options{Addr: srv.Addr(), MaxRetries: -1, DialTimeout: time.Second})
}

func (f *testFleet) halt() {
	select {
	case <-f.stop:
	default:
		close(f.stop)
	}
	f.wg.Wait()
}

// rate is what the fleet did in a time: upstream calls per key per period,
// counted two ways. perPeriod divides by the periods of the wall clock.
// perReload divides by the reloads of a key in one replica (its cache's
// loads and refreshes, averaged over the replicas): a period as the caches
// lived it, which stays right when an overloaded machine (-race, two shared
// cores) reloads less often than every period.
type rate struct{ perPeriod, perReload float64 }

func (f *testFleet) run(d time.Duration) rate {
	calls, reloads := f.u.total.Load(), f.reloads()
	time.Sleep(d)
	calls, reloads = f.u.total.Load()-calls, f.reloads()-reloads
	return rate{
		perPeriod: float64(calls) / fleetKeys / (float64(d) / float64(fleetPeriod)),
		perReload: float64(calls) / (float64(reloads) / float64(len(f.rs))),
	}
}

func (f *testFleet) reloads() uint64 {
	var n uint64
	for _, r := range f.rs {
		s := r.cache.Stats()
		n += s.Loads + s.Refreshes
	}
	return n
}

func (r rate) String() string {
	return fmt.Sprintf("%.2f per wall-clock period, %.2f per reload of one replica", r.perPeriod, r.perReload)
}

func (f *testFleet) checkNoErrors(t *testing.T) {
	t.Helper()
	if n := f.errs.Load(); n != 0 {
		t.Errorf("caller errors = %d (last: %v), want 0", n, f.lastErr.Load())
	}
}

// With the tier, the whole fleet calls the upstream about once per key per
// period; without it, every replica does.
func TestFleet_OneUpstreamLoadPerKeyPerPeriod(t *testing.T) {
	srv := startRedis(t)
	const window = 10 * fleetPeriod
	tiered, plain := startFleet(t, srv, true), startFleet(t, srv, false)
	time.Sleep(2 * fleetPeriod) // the first sweep, and the first reloads
	var with, without rate
	var wg sync.WaitGroup // the same window for both fleets
	wg.Go(func() { with = tiered.run(window) })
	wg.Go(func() { without = plain.run(window) })
	wg.Wait()
	tiered.halt()
	plain.halt()
	tiered.checkNoErrors(t)
	plain.checkNoErrors(t)
	var s redistier.Stats
	for _, r := range tiered.rs {
		rs := r.tier.Stats()
		s.FromRedis += rs.FromRedis
		s.LeaseWins += rs.LeaseWins
		s.LeaseWaits += rs.LeaseWaits
		s.LeaseTimeouts += rs.LeaseTimeouts
		s.RedisErrors += rs.RedisErrors
		s.Bypassed += rs.Bypassed
	}
	t.Logf("replica 0's cache with the tier: %+v; without: %+v", tiered.rs[0].cache.Stats(), plain.rs[0].cache.Stats())
	t.Logf("tier stats, fleet total: %d values from Redis, %d lease wins, %d waits, %d wait timeouts, %d Redis errors, %d loads bypassing Redis",
		s.FromRedis, s.LeaseWins, s.LeaseWaits, s.LeaseTimeouts, s.RedisErrors, s.Bypassed)
	t.Logf("upstream calls per key per period (%d replicas, %d keys, %d periods of %v): with the tier %v; without %v",
		fleetReplicas, fleetKeys, int(window/fleetPeriod), fleetPeriod, with, without)
	if with.perReload > 1.5 || with.perPeriod > 1.5 {
		t.Errorf("with the tier: %v, want about 1", with)
	}
	if without.perReload < fleetReplicas-0.5 {
		t.Errorf("without the tier: %v, want about %d", without, fleetReplicas)
	}
}

// An Invalidate on one replica reaches every replica of the fleet within
// milliseconds: with a TTL of a minute nothing else could bring the new value.
func TestFleet_InvalidationReachesEveryReplica(t *testing.T) {
	srv := startRedis(t)
	u := &upstream{}
	rs := make([]*replica, fleetReplicas)
	for i := range rs {
		rs[i] = newReplica(t, fleetClient(srv), u, []redistier.Option{redistier.WithTiming(time.Minute, 15*time.Second)})
	}
	waitSubscribed(t, rs)
	ctx := context.Background()
	const keys = 100
	for _, r := range rs {
		for i := range keys {
			if _, err := r.cache.Get(ctx, fleetKey(i)); err != nil {
				t.Fatal(err)
			}
		}
	}
	u.gen.Store(1)
	var worst time.Duration
	for i := range keys {
		k := fleetKey(i)
		start := time.Now()
		if err := rs[i%fleetReplicas].tier.Invalidate(ctx, k); err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			eventually(t, "the invalidation reaches every replica", func() bool { return !r.cache.Contains(k) })
		}
		worst = max(worst, time.Since(start))
		for j, r := range rs {
			if v, err := r.cache.Get(ctx, k); err != nil || v != k+"@1" {
				t.Errorf("replica %d: Get(%s) = %q, %v; want the new value", j, k, v, err)
			}
		}
	}
	if n := u.total.Load(); n != 2*keys {
		t.Errorf("upstream calls = %d, want %d (one per key and version, for the fleet)", n, 2*keys)
	}
	t.Logf("fleet-wide invalidation of %d keys over %d replicas: slowest until every replica dropped the key: %v", keys, fleetReplicas, worst)
}

// redis-server killed for 5s while the fleet reads: no caller error, every
// Get served, the upstream takes the load as if there were no tier, and the
// tier recovers by itself once the server is back.
func TestFleet_RedisOutage(t *testing.T) {
	srv := startRedis(t)
	f := startFleet(t, srv, true)
	time.Sleep(fleetPeriod + fleetPeriod/2)
	before := f.run(2 * fleetPeriod)

	srv.Kill()
	servedBefore, callsBefore := f.served.Load(), f.u.total.Load()
	const outage = 5 * time.Second
	reloadsBefore := f.reloads()
	time.Sleep(outage)
	served, calls := f.served.Load()-servedBefore, f.u.total.Load()-callsBefore
	during := rate{
		perPeriod: float64(calls) / fleetKeys / (float64(outage) / float64(fleetPeriod)),
		perReload: float64(calls) / (float64(f.reloads()-reloadsBefore) / fleetReplicas),
	}

	restarted := time.Now()
	srv.Restart()
	recovery := waitRecovered(t, f.rs)
	recoveredIn := recovery.Sub(restarted)
	time.Sleep(2 * fleetPeriod) // the values loaded alone during the outage are reloaded through Redis
	after := f.run(3 * fleetPeriod)
	f.halt()
	f.checkNoErrors(t)

	var redisErrors uint64
	for i, r := range f.rs {
		s := r.tier.Stats()
		redisErrors += s.RedisErrors
		if s.Resubscribes == 0 {
			t.Errorf("replica %d: the subscriber did not subscribe again after the restart", i)
		}
	}
	t.Logf("redis-server killed for %v: caller errors %d, Gets served during the outage %d; upstream calls per key per period: before: %v; during: %v; after: %v; recovery (restart until a change reaches all %d replicas) %v; Redis errors counted %d",
		outage, f.errs.Load(), served, before, during, after, fleetReplicas, recoveredIn.Round(time.Millisecond), redisErrors)
	if served == 0 {
		t.Error("no Get was served during the outage")
	}
	if redisErrors == 0 {
		t.Error("no Redis error was counted during the outage")
	}
	if after.perReload > 2 || during.perReload < fleetReplicas-1 {
		t.Errorf("upstream calls per key per period during the outage: %v, after: %v; want about %d (every replica alone), then about 1 again",
			during, after, fleetReplicas)
	}
}

// waitRecovered publishes a change from the first replica every 10ms until
// every other replica has received one, and returns when.
func waitRecovered(t *testing.T, rs []*replica) time.Time {
	t.Helper()
	base := make([]uint64, len(rs))
	for i, r := range rs {
		base[i] = r.tier.Stats().ChangesRecv
	}
	ctx := context.Background()
	deadline := time.Now().Add(10 * time.Second)
	for n := 0; ; n++ {
		_ = rs[0].tier.Invalidate(ctx, fmt.Sprint("probe", n))
		all := true
		for i, r := range rs[1:] {
			if r.tier.Stats().ChangesRecv == base[i+1] {
				all = false
			}
		}
		if all {
			return time.Now()
		}
		if time.Now().After(deadline) {
			t.Fatal("the fleet did not recover within 10s of the restart")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A hung redis-server (SIGSTOP: connections open, no answer) is a slow Redis:
// every Get is still served, each Redis call given up after the tier's
// timeout; when it resumes, changes reach the fleet again.
func TestFleet_RedisHangs(t *testing.T) {
	srv := startRedis(t)
	u := &upstream{}
	opts := []redistier.Option{redistier.WithTiming(400*time.Millisecond, 100*time.Millisecond),
		redistier.WithMaxSkew(time.Millisecond), redistier.WithTimeout(50 * time.Millisecond)}
	rs := []*replica{newReplica(t, fleetClient(srv), u, opts), newReplica(t, fleetClient(srv), u, opts)}
	waitSubscribed(t, rs)
	ctx := context.Background()
	read := func(d time.Duration) (served int) {
		for end := time.Now().Add(d); time.Now().Before(end); {
			for _, r := range rs {
				for i := range 50 {
					if _, err := r.cache.Get(ctx, fleetKey(i)); err != nil {
						t.Fatalf("Get with Redis hung: %v", err)
					}
					served++
				}
			}
			time.Sleep(10 * time.Millisecond)
		}
		return served
	}
	read(200 * time.Millisecond)
	srv.Stop()
	stopped := true
	defer func() {
		if stopped {
			srv.Continue()
		}
	}()
	callsBefore := u.total.Load()
	served := read(2500 * time.Millisecond) // past the subscriber's ping and its deadline
	srv.Continue()
	stopped = false
	if s := rs[0].tier.Stats(); s.RedisErrors == 0 {
		t.Errorf("stats = %+v, want Redis errors (timeouts)", s)
	}
	if u.total.Load() == callsBefore {
		t.Error("no upstream call while Redis hung: the values were not reloaded")
	}
	resumed := time.Now()
	recovered := waitRecovered(t, rs)
	t.Logf("redis-server hung 2.5s: %d Gets served, no error; changes reach the fleet %v after it resumed",
		served, recovered.Sub(resumed).Round(time.Millisecond))
}
