package cache_test

import (
	"context"
	"errors"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/asyncutils-go/asyncutils/cache"
)

// Doc (doc.go): "A loader that would wait for a load that waits for it,
// directly or through any chain of other loads ..., gets ErrReentrant at
// once instead of a deadlock." A loader that detaches its ctx from
// cancellation with context.WithoutCancel keeps the ctx's values, so the
// chain is known; but a Get whose ctx has no Done channel runs its load
// inline, and that path records no wait edge.
func TestLoaderCycle_ThroughWithoutCancel(t *testing.T) {
	var c *cache.Cache[string, string]
	var err error
	c, err = cache.New(func(ctx context.Context, k string) (string, error) {
		switch k {
		case "a":
			v, err := c.Get(context.WithoutCancel(ctx), "b")
			return "a:" + v, err
		case "b":
			v, err := c.Get(ctx, "a")
			return "b:" + v, err
		}
		return k, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	v, err := c.Get(ctx, "a")
	t.Logf("Get(a) = %q, %v", v, err)
	if errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a cycle a -> b -> a deadlocked instead of ErrReentrant")
	}
}

// Doc (load.go Load): "Load loads key now and stores the value, whether or
// not key holds one; it joins a load of key already in flight". Set: "A load
// of key in flight is superseded". After Set, a Load joins the superseded
// flight, returns nil, and stores nothing.
func TestLoad_AfterSetDuringLoad(t *testing.T) {
	var n atomic.Int32
	started := make(chan struct{}, 4)
	gate := make(chan struct{})
	c, err := cache.New(func(ctx context.Context, k string) (string, error) {
		i := n.Add(1)
		if i == 1 {
			return "v1", nil
		}
		started <- struct{}{}
		<-gate
		return "loaded", nil
	}, cache.WithTTL(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Get(context.Background(), "k"); err != nil {
		t.Fatal(err)
	}
	done1 := make(chan error, 1)
	go func() { done1 <- c.Load(context.Background(), "k") }()
	<-started
	c.Set("k", "set") // supersedes the first Load's flight
	done2 := make(chan error, 1)
	go func() { done2 <- c.Load(context.Background(), "k") }() // "loads key now and stores the value"
	time.Sleep(50 * time.Millisecond)
	close(gate)
	err1, err2 := <-done1, <-done2
	v, _ := c.Peek("k")
	t.Logf("Load#1 = %v, Load#2 (after Set) = %v; loader calls = %d; Peek = %q", err1, err2, n.Load(), v)
	if err2 == nil && v != "loaded" {
		t.Errorf("Load after Set returned nil but stored nothing (it joined the superseded flight); value %q", v)
	}
}

// Doc (load.go Refresh): "A failure keeps the value, is reported once to the
// error handler with batched false ... whether Refresh started the reload
// or joined one (a refresh-loop reload or a Load)." In a bulk cache.
func TestBulk_RefreshJoiningLoopBatchReportsSingle(t *testing.T) {
	mock := clock.NewMock()
	var calls atomic.Int32
	inReload := make(chan struct{}, 1)
	gate := make(chan struct{})
	h := &handlerLog{}
	c, err := cache.NewBulk(func(ctx context.Context, keys []string) (map[string]string, error) {
		if calls.Add(1) == 1 {
			return map[string]string{keys[0]: "v1"}, nil
		}
		inReload <- struct{}{}
		<-gate
		return nil, errBoom
	}, cache.WithClock(mock), cache.WithTTL(10*time.Second), cache.WithRefresh(4*time.Second),
		cache.WithBatch(1, 0), cache.WithErrorHandler(h.handle), cache.WithBackoff(time.Hour, time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// the first miss's batch waits on a mock timer of 0: move the clock by 0
	go func() {
		for range 50 {
			time.Sleep(2 * time.Millisecond)
			mock.Add(0)
		}
	}()
	if _, err := c.Get(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(ctx, "k"); err != nil { // a read: the loop reloads it
		t.Fatal(err)
	}
	time.Sleep(150 * time.Millisecond)
	mock.Add(7 * time.Second) // due at 6s
	for i := 0; ; i++ {
		mock.Add(0)
		select {
		case <-inReload:
		case <-time.After(10 * time.Millisecond):
			if i < 200 {
				continue
			}
			t.Fatal("the loop did not reload")
		}
		break
	}
	rerr := make(chan error, 1)
	go func() { rerr <- c.Refresh(ctx, "k") }()
	time.Sleep(50 * time.Millisecond) // Refresh joins the loop's flight
	close(gate)
	err = <-rerr
	time.Sleep(50 * time.Millisecond)
	batched, errs := h.snapshot()
	t.Logf("Refresh = %v; bulk calls %d (1 load + 1 loop reload that Refresh joined); handler calls: batched=%v errs=%v", err, calls.Load(), batched, errs)
	if len(batched) != 1 || batched[0] {
		t.Errorf("want one report with batched=false, got %v", batched)
	}
}

// Doc (doc.go): "A Get never returns a value whose age, at the time of the
// call, is over the TTL ..., with any clock ... Durations saturate: ... no
// sum of times overflows."
func TestClock_HugeStepAfterSetAge(t *testing.T) {
	if !inChild(t) {
		return
	}
	mock := clock.NewMock()
	var n atomic.Int32
	gate := make(chan struct{})
	c, err := cache.New(func(ctx context.Context, k string) (string, error) {
		if n.Add(1) == 1 {
			cache.SetAge(ctx, 90*time.Minute) // produced 90 minutes ago (in the window)
			return "v1", nil
		}
		<-gate // the background reload hangs, keeping the entry off the loop's heap
		return "v2", nil
	}, cache.WithClock(mock), cache.WithTTL(2*time.Hour), cache.WithRefresh(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	defer close(gate)
	if v, err := c.Get(context.Background(), "k"); err != nil || v != "v1" {
		t.Fatal(v, err)
	}
	if v, err := c.Get(context.Background(), "k"); err != nil || v != "v1" { // starts the reload
		t.Fatal(v, err)
	}
	time.Sleep(20 * time.Millisecond)
	mock.Add(time.Duration(math.MaxInt64)) // 292 years later
	age, _ := c.Age("k")
	// Not served: the Get waits for the reload in flight, which hangs.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	v, err := c.Get(ctx, "k")
	t.Logf("292 years later: Age = %v, Get = %q, %v, Contains = %v, Expired = %v", age, v, err, c.Contains("k"), c.Expired("k"))
	if err == nil && v == "v1" {
		t.Errorf("a value far past its 2h TTL was served (its age overflowed)")
	}
}

// Same without SetAge: the clock goes back an hour before the load, then
// forward by the largest step twice.
func TestClock_BackThenHugeForward(t *testing.T) {
	if !inChild(t) {
		return
	}
	mock := clock.NewMock()
	var n atomic.Int32
	gate := make(chan struct{})
	c, err := cache.New(func(ctx context.Context, k string) (string, error) {
		if n.Add(1) == 1 {
			return "v1", nil
		}
		<-gate
		return "v2", nil
	}, cache.WithClock(mock), cache.WithTTL(2*time.Hour), cache.WithRefresh(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	defer close(gate)
	mock.Add(-time.Hour)
	if v, err := c.Get(context.Background(), "k"); err != nil || v != "v1" {
		t.Fatal(v, err)
	}
	if v, err := c.Get(context.Background(), "k"); err != nil || v != "v1" { // refresh=ttl: starts the reload
		t.Fatal(v, err)
	}
	time.Sleep(20 * time.Millisecond)
	mock.Add(time.Duration(math.MaxInt64))
	mock.Add(time.Duration(math.MaxInt64))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	v, err := c.Get(ctx, "k")
	t.Logf("584 years later: Get = %q, %v", v, err)
	if err == nil && v == "v1" {
		t.Errorf("a value far past its TTL was served")
	}
}

// Doc (cache.go Get): "After Close, Get returns ErrClosed." (docs table: "hits too")
func TestClock_GetAfterCloseWithClockBack(t *testing.T) {
	mock := clock.NewMock()
	c, err := cache.New(func(ctx context.Context, k string) (string, error) { return "v", nil },
		cache.WithClock(mock), cache.WithTTL(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(context.Background(), "k"); err != nil {
		t.Fatal(err)
	}
	mock.Add(-time.Second) // the clock steps back a second (NTP, a VM restore)
	_ = c.Close()
	v, err := c.Get(context.Background(), "k")
	t.Logf("Get after Close = %q, %v", v, err)
	if !errors.Is(err, cache.ErrClosed) {
		t.Errorf("Get after Close returned %q, %v; want ErrClosed", v, err)
	}
}

// Doc (cache.go Set / doc.go): "A Set ... during a load wins: the load's
// result is returned to its waiters but not stored." A load that ends with
// ErrNotFound removes the key with an unconditional Swap, which can remove
// a Set that replaced the value lock-free after settleLocked read it.
func TestSet_DuringNotFoundLoadWins(t *testing.T) {
	const rounds = 3000
	lost := 0
	for r := range rounds {
		started := make(chan struct{})
		c, err := cache.New(func(ctx context.Context, k string) (string, error) {
			if k == "init" {
				return "v", nil
			}
			close(started)
			return "", cache.ErrNotFound
		}, cache.WithTTL(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		c.Set("k", "old")
		var wg sync.WaitGroup
		wg.Go(func() { _ = c.Load(context.Background(), "k") })
		<-started
		c.Set("k", "new") // issued while the load runs: must win
		wg.Wait()
		if v, ok := c.Peek("k"); !ok || v != "new" {
			lost++
			if lost == 1 {
				t.Logf("round %d: Peek = %q, %v after Set(new) during the load", r, v, ok)
			}
		}
		_ = c.Close()
	}
	t.Logf("Set lost in %d of %d rounds", lost, rounds)
	if lost > 0 {
		t.Errorf("a Set during a load that returned ErrNotFound was removed by the load")
	}
}
