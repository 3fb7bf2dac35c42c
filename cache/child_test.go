package cache_test

import (
	"context"
	"math"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/asyncutils-go/asyncutils/cache"
)

// inChild runs the calling test in a child process (killed after 10s), so
// that a hang or a spinning goroutine stays out of this process; it returns
// true in the child, where the test body runs.
func inChild(t *testing.T) bool {
	if os.Getenv("CACHE_TEST_CHILD") == t.Name() {
		return true
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^"+t.Name()+"$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), "CACHE_TEST_CHILD="+t.Name())
	out, err := cmd.CombinedOutput()
	lines := strings.Split(string(out), "\n")
	for _, l := range lines {
		if strings.Contains(l, "_test.go") || strings.Contains(l, "CHILD") {
			t.Log("child: " + strings.TrimSpace(l))
		}
	}
	if ctx.Err() != nil {
		t.Errorf("child hung: killed after 10s")
	} else if err != nil {
		t.Errorf("child failed: %v", err)
	}
	return false
}

// Doc (doc.go): "Durations saturate: math.MaxInt64 means forever ... and no
// sum of times overflows" and "Close ... waits for every goroutine of the
// cache to return". Once the clock has moved 292 years past the cache's
// epoch (its "now" saturates at math.MaxInt64), a value loaded then is
// scheduled at a saturated time <= now forever.
func TestClock_SaturatedNowDoesNotSpin(t *testing.T) {
	if !inChild(t) {
		return
	}
	mock := clock.NewMock()
	var n atomic.Int32
	c, err := cache.New(func(ctx context.Context, k string) (string, error) {
		n.Add(1)
		return "v", nil
	}, cache.WithClock(mock), cache.WithTTL(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	mock.Add(time.Duration(math.MaxInt64))
	if _, err := c.Get(context.Background(), "k"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	t.Logf("CHILD: loader calls %d; calling Close", n.Load())
	done := make(chan struct{})
	go func() { _ = c.Close(); close(done) }()
	select {
	case <-done:
		t.Logf("CHILD: Close returned")
	case <-time.After(2 * time.Second):
		t.Logf("CHILD: Close has not returned after 2s (the refresh loop spins)")
		os.Exit(3)
	}
}
