package cache_test

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/asyncutils-go/asyncutils/cache"
)

// TestBound_WeigherGoexitEndsTheLoad: a weigher that calls runtime.Goexit
// (t.FailNow in a test's weigher, say) ends the load's goroutine inside
// finish; the load is still finished, with ErrGoexit, so no later Get of the
// key waits forever.
func TestBound_WeigherGoexitEndsTheLoad(t *testing.T) {
	c, err := cache.New(func(_ context.Context, k string) (string, error) { return "v", nil },
		cache.WithMaxWeight(100, func(k, _ string) int64 {
			if k == "bad" {
				runtime.Goexit()
			}
			return 1
		}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i := range 2 {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		_, err := c.Get(ctx, "bad")
		cancel()
		t.Logf("Get #%d = %v", i+1, err)
		if errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, cache.ErrGoexit) {
			t.Errorf("Get #%d of the key = %v, want the load to end with ErrGoexit", i+1, err)
		}
	}
}
