package redistier_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/asyncutils-go/asyncutils/cache"
	"github.com/asyncutils-go/asyncutils/cache/redistier"
)

// fleetOf builds n replicas over one miniredis, each subscribed.
func fleetOf(t *testing.T, n int, u *upstream) []*replica {
	t.Helper()
	mr := newMini(t)
	rs := make([]*replica, n)
	for i := range rs {
		rs[i] = newReplica(t, miniClient(mr), u, nil)
	}
	waitSubscribed(t, rs)
	return rs
}

// waitSubscribed waits until a change from the first replica reaches every
// other: from then on, none can miss one.
func waitSubscribed(t *testing.T, rs []*replica) {
	t.Helper()
	ctx := context.Background()
	eventually(t, "every replica subscribed", func() bool {
		_ = rs[0].tier.Invalidate(ctx, "probe")
		for _, r := range rs[1:] {
			if r.tier.Stats().ChangesRecv == 0 {
				return false
			}
		}
		return true
	})
}

// An Invalidate on one replica reaches every attached cache of the fleet, and
// their next Get loads the source's new value.
func TestInvalidate_ReachesTheFleet(t *testing.T) {
	u := &upstream{}
	rs := fleetOf(t, 3, u)
	ctx := context.Background()
	for _, r := range rs {
		if v, err := r.cache.Get(ctx, "a"); err != nil || v != "a@0" {
			t.Fatalf("Get = %q, %v; want a@0", v, err)
		}
	}
	u.gen.Store(1)
	if err := rs[1].tier.Invalidate(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	for i, r := range rs {
		eventually(t, "the invalidation reaches every replica", func() bool { return !r.cache.Contains("a") })
		if v, err := r.cache.Get(ctx, "a"); err != nil || v != "a@1" {
			t.Errorf("replica %d: Get = %q, %v; want a@1", i, v, err)
		}
	}
	if n := u.callsOf("a"); n != 2 {
		t.Errorf("upstream calls of a = %d, want 2 (one per version for the fleet)", n)
	}
	if s := rs[1].tier.Stats(); s.ChangesSent < 1 {
		t.Errorf("sender's stats = %+v, want ChangesSent >= 1", s)
	}
}

// A Set on one replica replaces the value in every cache that holds the key,
// and in Redis; a cache that does not hold it reads the new value from Redis,
// without an upstream call.
func TestSet_ReachesTheFleet(t *testing.T) {
	u := &upstream{}
	rs := fleetOf(t, 3, u)
	ctx := context.Background()
	if _, err := rs[0].cache.Get(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := rs[1].cache.Get(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if err := rs[0].tier.Set(ctx, "a", "new"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the Set reaches replica 1", func() bool {
		v, err := rs[1].cache.Get(ctx, "a")
		return err == nil && v == "new"
	})
	if rs[2].cache.Contains("a") {
		t.Error("the Set filled a cache that did not hold the key")
	}
	if v, err := rs[2].cache.Get(ctx, "a"); err != nil || v != "new" {
		t.Errorf("replica 2: Get = %q, %v; want new, from Redis", v, err)
	}
	if n := u.total.Load(); n != 1 {
		t.Errorf("upstream calls = %d, want 1", n)
	}
}

// A change that does not decode is counted; one whose key is readable still
// invalidates it.
func TestChanges_Undecodable(t *testing.T) {
	u := &upstream{}
	mr := newMini(t)
	r := newReplica(t, miniClient(mr), u, nil)
	other := newReplica(t, miniClient(mr), u, nil)
	waitSubscribed(t, []*replica{other, r})
	ctx := context.Background()
	if _, err := r.cache.Get(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	before := r.tier.Stats()
	mr.Publish("asyncutils:tier:test:changes", "x")
	// a Set from another origin (8 bytes), key "a", with a broken record
	mr.Publish("asyncutils:tier:test:changes", "s12345678\x01a\x01broken")
	eventually(t, "both messages counted", func() bool { return r.tier.Stats().DecodeErrors == before.DecodeErrors+2 })
	eventually(t, "the broken Set invalidates a", func() bool { return !r.cache.Contains("a") })
}

// Set and Invalidate report a Redis error after applying the change locally;
// a value the codec cannot encode is an error too.
func TestChanges_Errors(t *testing.T) {
	mr := newMini(t)
	u := &upstream{}
	r := newReplica(t, miniClient(mr), u, nil)
	bc := miniClient(mr)
	defer func() { _ = bc.Close() }()
	bad, err := redistier.New(bc, "bad", func(context.Context, string) (chan int, error) { return nil, nil },
		redistier.WithLogger(quiet))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = bad.Close() }()
	ctx := context.Background()
	if _, err := r.cache.Get(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if err := bad.Set(ctx, "a", make(chan int)); err == nil || !strings.HasPrefix(err.Error(), "redistier: Set: ") {
		t.Errorf("Set of an unencodable value = %v, want a redistier error", err)
	}
	mr.Close()
	if err := r.tier.Set(ctx, "a", "local"); err == nil || !strings.HasPrefix(err.Error(), "redistier: Set: the fleet was not told") {
		t.Errorf("Set with Redis down = %v, want a redistier error", err)
	}
	if v, _ := r.cache.Get(ctx, "a"); v != "local" {
		t.Errorf("local cache holds %q after Set, want local", v)
	}
	if err := r.tier.Invalidate(ctx, "a"); err == nil || !strings.HasPrefix(err.Error(), "redistier: Invalidate: the fleet was not told") {
		t.Errorf("Invalidate with Redis down = %v, want a redistier error", err)
	}
	if r.cache.Contains("a") {
		t.Error("Invalidate with Redis down left the local cache")
	}
}

// After Close, Attach, Set and Invalidate fail with ErrClosed, loads go to
// the upstream, and Close again is fine.
func TestClose(t *testing.T) {
	mr := newMini(t)
	u := &upstream{}
	r := newReplica(t, miniClient(mr), u, nil)
	if err := r.tier.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.tier.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	ctx := context.Background()
	c, _ := cache.New[string, string](nil)
	defer func() { _ = c.Close() }()
	for name, err := range map[string]error{
		"Attach":     r.tier.Attach(c),
		"Set":        r.tier.Set(ctx, "a", "v"),
		"Invalidate": r.tier.Invalidate(ctx, "a"),
	} {
		if !errors.Is(err, redistier.ErrClosed) {
			t.Errorf("%s after Close = %v, want ErrClosed", name, err)
		}
	}
	if v, err := r.cache.Get(ctx, "a"); err != nil || v != "a@0" {
		t.Errorf("Get after the tier's Close = %q, %v; want a@0 from the upstream", v, err)
	}
	if s := r.tier.Stats(); s.UpstreamLoads != 1 || s.FromRedis+s.LeaseWins != 0 {
		t.Errorf("stats = %+v, want one direct upstream load", s)
	}
	if err := r.tier.Attach(nil); err == nil {
		t.Error("Attach(nil) = nil")
	}
}
