package cache_test

import (
	"context"
	"math"
	"sync/atomic"
	"testing"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/asyncutils-go/asyncutils/cache"
)

// TestClock_FarBackAfterLoadKeepsValue: a value loaded an hour after the
// epoch, then the clock stepped far back: the value is new (ageAt's doc) and
// served, not reloaded as if its age had wrapped to a huge one.
func TestClock_FarBackAfterLoadKeepsValue(t *testing.T) {
	mock := clock.NewMock()
	var calls atomic.Int32
	c, err := cache.New(func(ctx context.Context, k string) (string, error) { calls.Add(1); return "v", nil },
		cache.WithClock(mock), cache.WithTTL(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	mock.Add(30 * time.Minute)
	if _, err := c.Get(context.Background(), "k"); err != nil {
		t.Fatal(err)
	}
	mock.Add(-time.Duration(math.MaxInt64))
	mock.Add(-time.Duration(math.MaxInt64))
	_, _ = c.Get(context.Background(), "k")
	age, _ := c.Age("k")
	t.Logf("loader calls %d, Age %v", calls.Load(), age)
	if calls.Load() != 1 {
		t.Errorf("the clock went back and the value was reloaded (%d calls): its age wrapped", calls.Load())
	}
}
