package cache_test

import (
	"context"
	"testing"
	"time"

	"github.com/asyncutils-go/asyncutils/cache"
)

// TestBulk_ConfigureWakesWaitingBatch: Configure(WithMaxConcurrentRefreshes)
// raising the bound on bulk calls wakes a batch already waiting for a slot,
// which would otherwise wait until a running call released one.
func TestBulk_ConfigureWakesWaitingBatch(t *testing.T) {
	release := make(chan struct{})
	started := make(chan string, 4)
	c, err := cache.NewBulk(func(ctx context.Context, keys []string) (map[string]string, error) {
		started <- keys[0]
		if keys[0] == "a" {
			<-release
		}
		return map[string]string{keys[0]: "v"}, nil
	}, cache.WithBatch(1, 0), cache.WithMaxConcurrentRefreshes(1))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	defer close(release)
	go func() { _, _ = c.Get(context.Background(), "a") }()
	if k := <-started; k != "a" {
		t.Fatal(k)
	}
	go func() { _, _ = c.Get(context.Background(), "b") }()
	time.Sleep(50 * time.Millisecond) // b's batch now waits for the one slot
	if err := c.Configure(cache.WithMaxConcurrentRefreshes(2)); err != nil {
		t.Fatal(err)
	}
	select {
	case k := <-started:
		t.Logf("%s started after Configure", k)
	case <-time.After(2 * time.Second):
		t.Errorf("Configure raised the bound to 2, but b's bulk call still waits for a's slot")
	}
}
