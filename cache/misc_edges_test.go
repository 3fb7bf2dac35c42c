package cache_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/asyncutils-go/asyncutils/cache"
)

// Doc (cache.go New): "An invalid configuration returns an error wrapping
// ErrInvalidConfig that names each problem".
func TestNew_NamesEveryProblemBulk(t *testing.T) {
	_, err1 := cache.New(newCounting().load, cache.WithBatch(10, 0), cache.WithTTL(-time.Second))
	_, err2 := cache.NewBulk((&bulkUpstream{}).load, cache.WithBatch(0, 0), cache.WithTTL(-time.Second))
	_, err3 := cache.NewBulk[string, string](nil, cache.WithTTL(-time.Second))
	for i, err := range []error{err1, err2, err3} {
		t.Logf("case %d: %v", i+1, err)
		if !errors.Is(err, cache.ErrInvalidConfig) || !strings.Contains(err.Error(), "TTL") {
			t.Errorf("case %d: the TTL problem is not named: %v", i+1, err)
		}
	}
}

// Doc (load.go Refresh): "A key that holds no value is not loaded: Refresh
// returns nil (use Load)". WithNegativeTTL: "a cached answer is never
// refreshed, and Peek, Contains and All do not see it".
func TestRefresh_NegativeAnswerNotReloaded(t *testing.T) {
	var calls atomic.Int32
	c, err := cache.New(func(ctx context.Context, k string) (string, error) {
		calls.Add(1)
		return "", cache.ErrNotFound
	}, cache.WithNegativeTTL(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Get(context.Background(), "k"); !errors.Is(err, cache.ErrNotFound) {
		t.Fatal(err)
	}
	err = c.Refresh(context.Background(), "k")
	t.Logf("Contains=%v; Refresh = %v; loader calls = %d", c.Contains("k"), err, calls.Load())
	if calls.Load() != 1 {
		t.Errorf("Refresh loaded a key that holds no value (only a cached not-found)")
	}
}

// Doc (cache.go Get): "a caller whose ctx has already ended starts no load";
// GetMany: "present keys as Get serves them, the missing ones loaded".
func TestGetMany_EndedCtxStartsNoLoad(t *testing.T) {
	var calls atomic.Int32
	c, err := cache.New(func(ctx context.Context, k string) (string, error) {
		calls.Add(1)
		return k, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, gerr := c.Get(ctx, "x")
	m, err := c.GetMany(ctx, []string{"a", "b", "c"})
	time.Sleep(50 * time.Millisecond)
	t.Logf("Get(ended ctx) = %v; GetMany(ended ctx) = %v, %v; loader calls = %d; Len = %d", gerr, m, err, calls.Load(), c.Len())
	if calls.Load() != 0 {
		t.Errorf("GetMany with an ended ctx started %d loads for nobody", calls.Load())
	}
}

// Doc (bulk.go GetMany): "ctx ending stops the waiting and returns what was
// found with ctx's error".
func TestGetMany_ReturnsCtxErr(t *testing.T) {
	gate := make(chan struct{})
	c, err := cache.New(func(ctx context.Context, k string) (string, error) {
		<-gate
		return k, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	defer close(gate)
	cause := errors.New("my cause")
	ctx, cancel := context.WithCancelCause(context.Background())
	go func() { time.Sleep(20 * time.Millisecond); cancel(cause) }()
	_, err = c.GetMany(ctx, []string{"a"})
	t.Logf("GetMany = %v; ctx.Err() = %v", err, ctx.Err())
	if !errors.Is(err, context.Canceled) {
		t.Errorf("GetMany returned %v, not ctx's error %v", err, ctx.Err())
	}
}

// Doc (bulk table): "a key is left out of the map | ErrNotFound | ... | not a
// failure"; Stats: "LoadErrors ... synchronous loader calls that failed".
func TestStats_NotFoundIsNoLoadError(t *testing.T) {
	c, err := cache.NewBulk((&bulkUpstream{}).load, cache.WithBatch(1, 0))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.Get(context.Background(), "missing1")
	st := c.Stats()
	t.Logf("Get(missing1) = %v; Loads=%d LoadErrors=%d", err, st.Loads, st.LoadErrors)
	if st.LoadErrors != 0 {
		t.Errorf("a not-found answer, 'not a failure', counts as a LoadError")
	}
}

// An extreme backward clock: the cache's "now" saturates at math.MinInt64,
// which is also the mark of a cached "not found".
func TestClock_FarBackIsNoNotFound(t *testing.T) {
	mock := clock.NewMock()
	c, err := cache.New(func(ctx context.Context, k string) (string, error) { return "v", nil },
		cache.WithClock(mock), cache.WithTTL(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	mock.Add(-time.Duration(math.MaxInt64))
	mock.Add(-time.Duration(math.MaxInt64))
	v1, err1 := c.Get(context.Background(), "k")
	v2, err2 := c.Get(context.Background(), "k")
	t.Logf("Get = %q, %v; again = %q, %v; Contains=%v Len=%d", v1, err1, v2, err2, c.Contains("k"), c.Len())
	if err2 != nil {
		t.Errorf("a value loaded a moment ago answers %v", err2)
	}
}
