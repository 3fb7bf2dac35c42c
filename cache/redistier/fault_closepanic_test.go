package redistier_test

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asyncutils-go/asyncutils/cache"
	"github.com/asyncutils-go/asyncutils/cache/redistier"
	"github.com/redis/go-redis/v9"
)

// gateHandler is a slog handler that, on the first record whose message
// contains match, reports it on hit and holds the logging goroutine until
// release is closed (a slow log sink).
type gateHandler struct {
	match   string
	once    sync.Once
	hit     chan struct{}
	release chan struct{}
}

func (h *gateHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *gateHandler) Handle(_ context.Context, r slog.Record) error {
	if strings.Contains(r.Message, h.match) {
		h.once.Do(func() {
			close(h.hit)
			<-h.release
		})
	}
	return nil
}
func (h *gateHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *gateHandler) WithGroup(string) slog.Handler      { return h }

// runChild runs the test named name in a child process of the test binary,
// with env, and fails t with the child's output when the child fails (a
// crash included): the probes whose failure is a crash run there, so that
// the redis-server of the parent is still killed at its end.
func runChild(t *testing.T, name string, env ...string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+name+"$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("child %s: %v\n%s", name, err, out)
	} else {
		t.Logf("child %s passed:\n%s", name, out)
	}
}

// Close while the subscriber replaces a connection that did not answer its
// ping: the subscriber must stop cleanly ("Close stops the subscriber and
// waits for it"; "Close is idempotent and returns nil").
func TestFault_CloseDuringSubscriberReconnect(t *testing.T) {
	srv := startRedis(t)
	runChild(t, "TestFault_CloseDuringSubscriberReconnectChild", "REDISTIER_TEST_REDIS="+srv.Addr())
}

func TestFault_CloseDuringSubscriberReconnectChild(t *testing.T) {
	addr := os.Getenv("REDISTIER_TEST_REDIS")
	if addr == "" {
		t.Skip("run by TestFault_CloseDuringSubscriberReconnect")
	}
	link := newSlowLink(t, addr) // a hung Redis: requests get through, no answer
	client := redis.NewClient(&redis.Options{Addr: link.Addr(), MaxRetries: -1})
	defer client.Close()
	h := &gateHandler{match: "Redis call failed", hit: make(chan struct{}), release: make(chan struct{})}
	u := &upstream{}
	tier, err := redistier.New(client, "probe", u.load, redistier.WithLogger(slog.New(h)))
	if err != nil {
		t.Fatal(err)
	}
	c, err := cache.New(tier.Loader(), tier.CacheOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := tier.WaitSubscribed(context.Background()); err != nil {
		t.Fatal(err)
	}
	link.paused.Store(true) // hung: the subscriber pings after 1s idle, gets no pong by 2s
	select {
	case <-h.hit: // the subscriber logs the failure, then replaces its connection
	case <-time.After(5 * time.Second):
		t.Fatal("the subscriber did not report the missing pong")
	}
	closed := make(chan error, 1)
	go func() { closed <- tier.Close() }()
	for !errors.Is(tier.Attach(c), redistier.ErrClosed) {
		time.Sleep(time.Millisecond)
	}
	close(h.release)
	select {
	case err := <-closed:
		t.Logf("Close returned %v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return")
	}
}
