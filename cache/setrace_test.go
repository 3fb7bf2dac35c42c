package cache_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asyncutils-go/asyncutils/cache"
)

// TestSet_RacesLoadStart: the lock-free Set checks flagLoading, then
// allocates and compares and swaps; a load that starts in between (its base
// the old value) is superseded by the Set, and a Load after the Set must not
// join it (it would return nil and store nothing). Racy by nature: it counts
// the rounds that hit the window; before the fix 2 in 15,000 did.
func TestSet_RacesLoadStart(t *testing.T) {
	var gate atomic.Pointer[chan struct{}]
	c, err := cache.New(func(ctx context.Context, k string) (string, error) {
		if g := gate.Load(); g != nil {
			<-*g
		}
		return "loaded", nil
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	bad := 0
	const rounds = 3000
	for range rounds {
		gate.Store(nil)
		c.Set("k", "v0")
		g := make(chan struct{})
		gate.Store(&g)
		var wg sync.WaitGroup
		wg.Go(func() { _ = c.Load(context.Background(), "k") })
		var l2 error
		setDone := make(chan struct{})
		go func() { c.Set("k", "set"); close(setDone) }()
		<-setDone
		wg.Go(func() { l2 = c.Load(context.Background(), "k") }) // after the Set
		time.Sleep(20 * time.Microsecond)
		close(g)
		wg.Wait()
		if v, _ := c.Peek("k"); l2 == nil && v != "loaded" {
			bad++
		}
	}
	t.Logf("%d of %d rounds: a Load after the Set returned nil and stored nothing", bad, rounds)
	if bad > 0 {
		t.Errorf("a Load after Set joined the superseded flight %d times", bad)
	}
}
