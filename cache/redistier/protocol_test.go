package redistier_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/asyncutils-go/asyncutils/cache"
	"github.com/asyncutils-go/asyncutils/cache/redistier"
	"github.com/benbjohnson/clock"
)

const (
	valueKeyA = "asyncutils:tier:test:{=a}:v"
	leaseKeyA = "asyncutils:tier:test:{=a}:l"
)

// A value one replica loaded reaches another through Redis without a second
// upstream call, and keeps its true age there: the second cache counts its
// age from when the first loaded it, plus the skew bound.
func TestLoad_SharedValueKeepsItsAge(t *testing.T) {
	mr := newMini(t)
	mock := clock.NewMock()
	u := &upstream{}
	opts := []redistier.Option{redistier.WithClock(mock), redistier.WithMaxSkew(10 * time.Millisecond),
		redistier.WithTiming(time.Minute, 15*time.Second)}
	a := newReplica(t, miniClient(mr), u, opts, cache.WithClock(mock))
	b := newReplica(t, miniClient(mr), u, opts, cache.WithClock(mock))
	ctx := context.Background()

	if v, err := a.cache.Get(ctx, "a"); err != nil || v != "a@0" {
		t.Fatalf("a: Get = %q, %v; want a@0", v, err)
	}
	mock.Add(20 * time.Second)
	if v, err := b.cache.Get(ctx, "a"); err != nil || v != "a@0" {
		t.Fatalf("b: Get = %q, %v; want a@0", v, err)
	}
	if n := u.total.Load(); n != 1 {
		t.Errorf("upstream calls = %d, want 1", n)
	}
	if age, _ := b.cache.Age("a"); age != 20*time.Second+10*time.Millisecond {
		t.Errorf("b's age of a = %v, want 20.01s (20s since the load, plus the skew bound)", age)
	}
	if s := b.tier.Stats(); s.FromRedis != 1 || s.UpstreamLoads != 0 {
		t.Errorf("b's stats = %+v, want FromRedis 1, UpstreamLoads 0", s)
	}
	if s := a.tier.Stats(); s.LeaseWins != 1 || s.UpstreamLoads != 1 {
		t.Errorf("a's stats = %+v, want LeaseWins 1, UpstreamLoads 1", s)
	}
	if ttl := mr.TTL(valueKeyA); ttl != time.Minute {
		t.Errorf("Redis expiry of the value = %v, want the TTL, 1m", ttl)
	}
	if mr.Exists(leaseKeyA) {
		t.Error("the lease was not released")
	}
}

// A value in Redis past the point where the caches reload it is not used: the
// replica loads from the upstream for the fleet. One whose load time lies
// beyond the skew bound in the future, or that does not decode, is treated as
// missing and counted, never an error for the caller.
func TestLoad_UnusableValues(t *testing.T) {
	mock := clock.NewMock()
	mock.Set(time.Unix(1_000_000, 0))
	record := func(loadedAt time.Time, payload string) string {
		b := []byte{1, 0, 0, 0, 0, 0, 0, 0, 0}
		n := uint64(loadedAt.UnixNano())
		for i := 8; i >= 1; i-- {
			b[i] = byte(n)
			n >>= 8
		}
		return string(b) + payload
	}
	tests := []struct {
		name       string
		stored     string
		wantDecode uint64
	}{
		// fresh for: 60s - 15s - 15s/8 = 43.125s; with a 10ms skew bound
		{"older than the fresh bound", record(mock.Now().Add(-43120*time.Millisecond), `"old"`), 0},
		{"beyond the skew in the future", record(mock.Now().Add(11*time.Millisecond), `"future"`), 1},
		{"not a record", "garbage", 1},
		{"a record whose value does not decode", record(mock.Now(), "{not json"), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mr := newMini(t)
			u := &upstream{}
			r := newReplica(t, miniClient(mr), u, []redistier.Option{redistier.WithClock(mock),
				redistier.WithMaxSkew(10 * time.Millisecond), redistier.WithTiming(time.Minute, 15*time.Second)},
				cache.WithClock(mock))
			if err := mr.Set(valueKeyA, tt.stored); err != nil {
				t.Fatal(err)
			}
			v, err := r.cache.Get(context.Background(), "a")
			if err != nil || v != "a@0" {
				t.Fatalf("Get = %q, %v; want the upstream's a@0", v, err)
			}
			s := r.tier.Stats()
			if s.FromRedis != 0 || s.LeaseWins != 1 || s.DecodeErrors != tt.wantDecode {
				t.Errorf("stats = %+v, want FromRedis 0, LeaseWins 1, DecodeErrors %d", s, tt.wantDecode)
			}
			if got, _ := mr.Get(valueKeyA); !strings.HasSuffix(got, `"a@0"`) {
				t.Errorf("Redis holds %q, want the new value", got)
			}
		})
	}
}

// A value whose producer's clock runs ahead, within the skew bound, is used:
// its age by the reader's clock is negative, and the bound added to it makes
// it the most the true age can be.
func TestLoad_ProducerClockAheadWithinBound(t *testing.T) {
	mr := newMini(t)
	ahead, behind := clock.NewMock(), clock.NewMock()
	ahead.Set(behind.Now().Add(8 * time.Millisecond))
	u := &upstream{}
	timing := redistier.WithTiming(time.Minute, 15*time.Second)
	skew := redistier.WithMaxSkew(10 * time.Millisecond)
	a := newReplica(t, miniClient(mr), u, []redistier.Option{redistier.WithClock(ahead), timing, skew}, cache.WithClock(ahead))
	b := newReplica(t, miniClient(mr), u, []redistier.Option{redistier.WithClock(behind), timing, skew}, cache.WithClock(behind))
	ctx := context.Background()
	if _, err := a.cache.Get(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.cache.Get(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if age, _ := b.cache.Age("a"); age != 2*time.Millisecond {
		t.Errorf("b's age = %v, want 2ms (-8ms by its clock, plus the 10ms bound)", age)
	}
	if n := u.total.Load(); n != 1 {
		t.Errorf("upstream calls = %d, want 1", n)
	}
}

// gatedUpstream is an upstream whose first call blocks: started is closed
// when it begins, and it returns (with then's error, if then is not nil) once
// release is closed.
func gatedUpstream(then func() error) (u *upstream, started, release chan struct{}) {
	u, started, release = &upstream{}, make(chan struct{}), make(chan struct{})
	u.hook = func(context.Context, string) error {
		if u.total.Load() != 1 {
			return nil
		}
		close(started)
		<-release
		if then != nil {
			return then()
		}
		return nil
	}
	return u, started, release
}

// pairOf is two replicas over one miniredis, both subscribed: a test that
// changes a key at once must not lose the change to a subscription still on
// its way (TestInvalidate_DuringALoadKeepsRedisClean failed so once in a
// CI run on a loaded machine).
func pairOf(t *testing.T, u *upstream) (mr *miniredis.Miniredis, a, b *replica) {
	t.Helper()
	mr = newMini(t)
	a, b = newReplica(t, miniClient(mr), u, nil), newReplica(t, miniClient(mr), u, nil)
	for _, r := range []*replica{a, b} {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := r.tier.WaitSubscribed(ctx)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
	}
	return mr, a, b
}

// While one replica holds a key's lease, another waits for its value instead
// of calling the upstream.
func TestLease_WaiterGetsTheHoldersValue(t *testing.T) {
	u, started, release := gatedUpstream(nil)
	_, a, b := pairOf(t, u)
	ctx := context.Background()
	var wg sync.WaitGroup
	wg.Go(func() {
		if _, err := a.cache.Get(ctx, "a"); err != nil {
			t.Error(err)
		}
	})
	<-started
	got := make(chan string)
	go func() {
		v, err := b.cache.Get(ctx, "a")
		if err != nil {
			t.Error(err)
		}
		got <- v
	}()
	eventually(t, "b waits for the lease", func() bool { return b.tier.Stats().LeaseWaits == 1 })
	close(release)
	if v := <-got; v != "a@0" {
		t.Errorf("b got %q, want a@0", v)
	}
	wg.Wait()
	if n := u.total.Load(); n != 1 {
		t.Errorf("upstream calls = %d, want 1", n)
	}
	if s := b.tier.Stats(); s.FromRedis != 1 || s.LeaseTimeouts != 0 {
		t.Errorf("b's stats = %+v, want FromRedis 1, LeaseTimeouts 0", s)
	}
}

// A lease whose holder never writes bounds the wait: after the lease time
// the replica loads alone, without an error.
func TestLease_WaitIsBounded(t *testing.T) {
	mr := newMini(t)
	u := &upstream{}
	r := newReplica(t, miniClient(mr), u, []redistier.Option{redistier.WithLease(30 * time.Millisecond)})
	if err := mr.Set(leaseKeyA, "someone else"); err != nil {
		t.Fatal(err)
	}
	v, err := r.cache.Get(context.Background(), "a")
	if err != nil || v != "a@0" {
		t.Fatalf("Get = %q, %v; want a@0", v, err)
	}
	if s := r.tier.Stats(); s.LeaseWaits != 1 || s.LeaseTimeouts != 1 || s.UpstreamLoads != 1 {
		t.Errorf("stats = %+v, want LeaseWaits 1, LeaseTimeouts 1, UpstreamLoads 1", s)
	}
	if got, _ := mr.Get(leaseKeyA); got != "someone else" {
		t.Errorf("the other holder's lease became %q", got)
	}
	if mr.Exists(valueKeyA) {
		t.Error("a replica without the lease wrote the value")
	}
}

// A holder whose upstream call fails or panics releases the lease at once:
// its caller gets the error, and a waiter takes the lease and loads.
func TestLease_ReleasedWhenTheUpstreamFails(t *testing.T) {
	for _, mode := range []string{"error", "panic"} {
		t.Run(mode, func(t *testing.T) {
			boom := errors.New("boom")
			u, started, release := gatedUpstream(func() error {
				if mode == "panic" {
					panic(boom)
				}
				return boom
			})
			_, a, b := pairOf(t, u)
			ctx := context.Background()
			aerr := make(chan error)
			go func() {
				_, err := a.cache.Get(ctx, "a")
				aerr <- err
			}()
			<-started
			got := make(chan string)
			go func() {
				v, err := b.cache.Get(ctx, "a")
				if err != nil {
					t.Error(err)
				}
				got <- v
			}()
			eventually(t, "b waits for the lease", func() bool { return b.tier.Stats().LeaseWaits == 1 })
			close(release)
			if err := <-aerr; !errors.Is(err, boom) {
				t.Errorf("a's Get error = %v, want boom", err)
			}
			if v := <-got; v != "a@0" {
				t.Errorf("b got %q, want a@0", v)
			}
			if s := b.tier.Stats(); s.LeaseWins != 1 || s.LeaseTimeouts != 0 {
				t.Errorf("b's stats = %+v, want LeaseWins 1 (taken after a released it), LeaseTimeouts 0", s)
			}
		})
	}
}

// An invalidation while a replica loads voids its lease: the load, which may
// have read the old source, does not write its value to Redis.
func TestInvalidate_DuringALoadKeepsRedisClean(t *testing.T) {
	u, started, release := gatedUpstream(nil)
	mr, a, b := pairOf(t, u)
	ctx := context.Background()
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, err := a.cache.Get(ctx, "a"); err != nil {
			t.Error(err)
		}
	}()
	<-started
	if err := b.tier.Invalidate(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	close(release)
	<-done
	if mr.Exists(valueKeyA) || mr.Exists(leaseKeyA) {
		t.Error("the load that started before Invalidate wrote to Redis")
	}
	eventually(t, "a's cache drops the load's value", func() bool { return !a.cache.Contains("a") })
}
