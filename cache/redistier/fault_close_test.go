package redistier_test

import (
	"context"
	"testing"
	"time"

	"github.com/asyncutils-go/asyncutils/cache/redistier"
	"github.com/redis/go-redis/v9"
)

// Close while Redis is hung: "Close stops the subscriber and waits for it".
// How long does it wait?
func TestFault_CloseWithRedisHung(t *testing.T) {
	for _, cte := range []bool{true} { // without ContextTimeoutEnabled the client's ReadTimeout bounds Close (documented)
		t.Run(map[bool]string{false: "default-client", true: "ContextTimeoutEnabled"}[cte], func(t *testing.T) { closeWithRedisHung(t, cte) })
	}
}

func closeWithRedisHung(t *testing.T, cte bool) {
	srv := startRedis(t)
	client := redis.NewClient(&redis.Options{Addr: srv.Addr(), MaxRetries: -1, ContextTimeoutEnabled: cte})
	defer client.Close()
	tier, err := redistier.New(client, "probe", (&upstream{}).load, redistier.WithLogger(quiet))
	if err != nil {
		t.Fatal(err)
	}
	if err := tier.WaitSubscribed(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	defer srv.Continue()
	time.Sleep(2300 * time.Millisecond) // ping at 1s, no pong by 2s: a new connection
	start := time.Now()
	_ = tier.Close()
	took := time.Since(start)
	t.Logf("Close with Redis hung took %v", took)
	if took > time.Second {
		t.Errorf("Close blocked %v on a hung Redis", took)
	}
}

// Loads waiting for another replica's lease when their tier closes: "loads in
// flight through the tier stop waiting for other replicas and load from the
// upstream".
func TestFault_CloseEndsWaits(t *testing.T) {
	mr := newMini(t)
	release := make(chan struct{})
	ua := &upstream{hook: func(context.Context, string) error { <-release; return nil }}
	ub := &upstream{}
	a, err := redistier.New(miniClient(mr), "probe", ua.load, redistier.WithLogger(quiet), redistier.WithLease(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := redistier.New(miniClient(mr), "probe", ub.load, redistier.WithLogger(quiet), redistier.WithLease(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	go func() { _, _ = a.Loader()(context.Background(), "k") }()
	defer close(release)
	eventually(t, "A holds the lease", func() bool { return a.Stats().LeaseWins == 1 })
	done := make(chan time.Duration, 4)
	for range 4 {
		go func() {
			_, _ = b.Loader()(context.Background(), "k")
			done <- 0
		}()
	}
	eventually(t, "B waits", func() bool { return b.Stats().LeaseWaits == 4 })
	start := time.Now()
	_ = b.Close()
	for range 4 {
		select {
		case <-done:
		case <-time.After(2 * time.Second):
			t.Fatal("a waiting load did not end after Close")
		}
	}
	t.Logf("4 waiting loads ended %v after Close; B stats %+v", time.Since(start), b.Stats())
}
