package fleetbench_test

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asyncutils-go/asyncutils/cache"
)

// replicas is the size of every fleet, as in issue 14's fleet test.
const replicas = 8

// slowUpstream is the latency of the upstream of the refresh, stampede and
// miss scenarios: a database query.
const slowUpstream = time.Millisecond

// refreshTiming is the refresh scenario's: a key reloaded every 300ms, so
// that a benchmark of a second or two sees several periods.
var refreshTiming = timing{ttl: 400 * time.Millisecond, refresh: 100 * time.Millisecond}

// longTiming is the other scenarios': nothing expires or refreshes while
// they run.
var longTiming = timing{ttl: time.Minute, refresh: 15 * time.Second}

func fleetKey(i int) string { return "k" + strconv.Itoa(i) }

// BenchmarkRefreshLoad: 8 replicas read the same hot keys (100; 20 under
// -short), each sweeping over every key, the sweeps 10ms apart; an op is
// one reload period (ttl - refresh, 300ms) of the fleet, after a warm-up of
// two. calls/key/period is what the upstream sees: its calls per key per
// period (the elapsed time over the period). max-age-ms is the age of the
// oldest value any replica served, from when the upstream produced it (the
// TTL is 400ms).
func BenchmarkRefreshLoad(b *testing.B) {
	srv := startRedis(b)
	keys := 100
	if testing.Short() {
		keys = 20
	}
	tm := refreshTiming
	for _, im := range impls() {
		b.Run("replicas="+strconv.Itoa(replicas)+"/impl="+im.name, func(b *testing.B) {
			u := &upstream{delay: slowUpstream}
			f := &sweeper{rs: im.fleet(b, srv, "refresh-"+im.name, u, tm, replicas), keys: keys}
			ctx := context.Background()
			// The first sweep spreads the keys' first loads over a period, as
			// a service's traffic would, so that their reloads are spread too.
			f.sweep(ctx, b, tm.period()/10)
			f.period(ctx, b, tm.period())
			f.maxAge.Store(0)
			calls, start := u.total.Load(), time.Now()
			for b.Loop() {
				f.period(ctx, b, tm.period())
			}
			elapsed := time.Since(start)
			calls = u.total.Load() - calls
			b.ReportMetric(float64(calls)/float64(keys)/(float64(elapsed)/float64(tm.period())), "calls/key/period")
			b.ReportMetric(float64(f.maxAge.Load())/float64(time.Millisecond), "max-age-ms")
		})
	}
}

// sweeper reads every key on every replica at once, one goroutine per
// replica, and keeps the age of the oldest value served.
type sweeper struct {
	rs     []replica
	keys   int
	maxAge atomic.Int64 // nanoseconds
}

// period sweeps every 10ms for d.
func (f *sweeper) period(ctx context.Context, b *testing.B, d time.Duration) {
	for end := time.Now().Add(d); time.Now().Before(end); {
		f.sweep(ctx, b, 0)
		time.Sleep(10 * time.Millisecond)
	}
}

// sweep Gets every key on every replica, pausing pause after each tenth of
// the keys.
func (f *sweeper) sweep(ctx context.Context, b *testing.B, pause time.Duration) {
	var wg sync.WaitGroup
	for _, r := range f.rs {
		wg.Go(func() {
			oldest := time.Duration(0)
			for i := range f.keys {
				v, err := r.get(ctx, fleetKey(i))
				if err != nil {
					b.Error(err)
					return
				}
				at, err := produced(v)
				if err != nil {
					b.Error(err)
					return
				}
				oldest = max(oldest, time.Since(at))
				if pause > 0 && i%(max(f.keys/10, 1)) == 0 {
					time.Sleep(pause)
				}
			}
			for {
				cur := f.maxAge.Load()
				if int64(oldest) <= cur || f.maxAge.CompareAndSwap(cur, int64(oldest)) {
					break
				}
			}
		})
	}
	wg.Wait()
}

// BenchmarkMissStampede: every op, the 8 replicas Get one new key at the
// same moment, as when a key turns hot across the fleet or after a deploy;
// the upstream takes 1ms. calls/key is the upstream's calls per key; ns/op
// is until every replica has the value.
func BenchmarkMissStampede(b *testing.B) {
	srv := startRedis(b)
	for _, im := range impls() {
		b.Run("replicas="+strconv.Itoa(replicas)+"/impl="+im.name, func(b *testing.B) {
			u := &upstream{delay: slowUpstream}
			rs := im.fleet(b, srv, "stampede-"+im.name, u, longTiming, replicas)
			ctx := context.Background()
			n := 0
			for b.Loop() {
				key := fleetKey(n)
				n++
				start := make(chan struct{})
				var wg sync.WaitGroup
				for _, r := range rs {
					wg.Go(func() {
						<-start
						if _, err := r.get(ctx, key); err != nil {
							b.Error(err)
						}
					})
				}
				close(start)
				wg.Wait()
			}
			b.ReportMetric(float64(u.total.Load())/float64(n), "calls/key")
		})
	}
}

// BenchmarkMissFromRedis: a local miss of a key that another replica has
// loaded (its value is in Redis) against the same miss without a tier,
// which goes to the upstream (1ms). ns/op is the Get of the second replica;
// the other replica's load is not timed (its upstream answers at once, so
// that the benchmark stays short).
func BenchmarkMissFromRedis(b *testing.B) {
	srv := startRedis(b)
	for _, im := range impls() {
		b.Run("upstream=1ms/impl="+im.name, func(b *testing.B) {
			name := "shared-" + im.name
			var producer replica
			if im.name != "cache-alone" { // without a tier, another replica's load does nothing for this one
				producer = im.fleet(b, srv, name, &upstream{}, longTiming, 1)[0]
			}
			r := im.fleet(b, srv, name, &upstream{delay: slowUpstream}, longTiming, 1)[0]
			ctx := context.Background()
			const batch = 64 // keys the producer loads at a time, 8 at once
			for n := 0; b.Loop(); n++ {
				key := fleetKey(n)
				if producer != nil && n%batch == 0 {
					b.StopTimer()
					produce(ctx, b, producer, n, batch)
					b.StartTimer()
				}
				if _, err := r.get(ctx, key); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// produce loads the keys from..from+n on r, 8 at a time, and waits until
// their values are in Redis.
func produce(ctx context.Context, b *testing.B, r replica, from, n int) {
	next := atomic.Int64{}
	next.Store(int64(from))
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < from+n; i = int(next.Add(1) - 1) {
				key := fleetKey(i)
				if _, err := r.get(ctx, key); err != nil {
					b.Error(err)
					return
				}
				if s, ok := r.(*sturdy); ok {
					s.store.stored(b, key)
				}
			}
		})
	}
	wg.Wait()
}

// BenchmarkMissLoadsForFleet: a local miss of a key no replica has, on the
// replica that loads it for the fleet (with the tier: a read, the lease, the
// upstream, the leased write), against the same miss without a tier (the
// upstream alone, 1ms): what the tier adds to the slowest Get.
func BenchmarkMissLoadsForFleet(b *testing.B) {
	srv := startRedis(b)
	for _, im := range impls() {
		b.Run("upstream=1ms/impl="+im.name, func(b *testing.B) {
			u := &upstream{delay: slowUpstream}
			r := im.fleet(b, srv, "first-"+im.name, u, longTiming, 1)[0]
			ctx := context.Background()
			for n := 0; b.Loop(); n++ {
				if _, err := r.get(ctx, fleetKey(n)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkChange: a fleet-wide change made on one replica of 8, until
// every replica's cache has applied it: op=invalidate drops the key
// everywhere, op=set replaces its value everywhere. Only the tier has
// fleet-wide changes: without it, and in sturdyc, the other replicas keep
// the old value until their refresh. ns/op is the propagation latency.
func BenchmarkChange(b *testing.B) {
	srv := startRedis(b)
	for _, op := range []string{"invalidate", "set"} {
		b.Run("op="+op+"/replicas="+strconv.Itoa(replicas)+"/impl=asyncutils", func(b *testing.B) {
			want := cache.CauseInvalidated
			if op == "set" {
				want = cache.CauseReplaced
			}
			w := &applied{want: want}
			u := &upstream{}
			rs := make([]*tiered, replicas)
			for i := range rs {
				rs[i] = newTiered(b, srv, "change-"+op, u, longTiming, cache.WithOnRemoval(w.removed))
			}
			ctx := context.Background()
			for _, r := range rs {
				if err := r.tier.WaitSubscribed(ctx); err != nil {
					b.Fatal(err)
				}
			}
			const key = "changed"
			fill := func() {
				var wg sync.WaitGroup
				for _, r := range rs {
					wg.Go(func() {
						if _, err := r.cache.Get(ctx, key); err != nil {
							b.Error(err)
						}
					})
				}
				wg.Wait()
			}
			fill()
			for n := 0; b.Loop(); n++ {
				done := w.expect(len(rs))
				var err error
				if op == "set" {
					err = rs[n%len(rs)].tier.Set(ctx, key, "v"+strconv.Itoa(n))
				} else {
					err = rs[n%len(rs)].tier.Invalidate(ctx, key)
				}
				if err != nil {
					b.Fatal(err)
				}
				select {
				case <-done:
				case <-time.After(5 * time.Second):
					b.Fatalf("the %s reached %d of %d replicas in 5s", op, w.seen.Load(), len(rs))
				}
				if op == "invalidate" {
					b.StopTimer()
					fill()
					b.StartTimer()
				}
			}
			if op == "set" {
				want := "v" + strconv.Itoa(b.N-1)
				for i, r := range rs {
					if v, ok := r.cache.Peek(key); !ok || v != want {
						b.Errorf("replica %d holds %q, %v after the last Set; want %q", i, v, ok, want)
					}
				}
			}
		})
	}
}

// applied counts the replicas whose cache removed the changed key for the
// wanted cause, and closes the channel of expect when all of them have.
type applied struct {
	want cache.RemovalCause
	mu   sync.Mutex
	n    int
	seen atomic.Int64
	done chan struct{}
}

func (a *applied) expect(n int) <-chan struct{} {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.n, a.done = n, make(chan struct{})
	a.seen.Store(0)
	return a.done
}

func (a *applied) removed(_ string, _ string, cause cache.RemovalCause) {
	if cause != a.want {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.done != nil && int(a.seen.Add(1)) == a.n {
		close(a.done)
		a.done = nil
	}
}
