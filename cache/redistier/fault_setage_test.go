package redistier_test

import (
	"context"
	"testing"
	"time"

	"github.com/asyncutils-go/asyncutils/cache/redistier"
	"github.com/redis/go-redis/v9"
)

// doc.go: "A value keeps its true age across the tier ... The cache's TTL
// guarantee holds for tiered values." A Set on replica A reaches replica B
// 0.7s late (B's link to Redis is slow for 0.7s; B could as well have been
// paused). B applies it as a brand-new value and serves it for a whole TTL
// from then, although Redis stamped it 0.7s earlier.
func TestFault_ReceivedSetKeepsNoAge(t *testing.T) {
	srv := startRedis(t)
	link := newSlowLink(t, srv.Addr())
	const ttl = time.Second
	opts := []redistier.Option{redistier.WithTiming(ttl, 0)}
	u := &upstream{}
	a := newReplica(t, redis.NewClient(&redis.Options{Addr: srv.Addr(), MaxRetries: -1}), u, opts)
	b := newReplica(t, redis.NewClient(&redis.Options{Addr: link.Addr(), MaxRetries: -1}), u, opts)
	waitSubscribed(t, []*replica{a, b})
	ctx := context.Background()
	if _, err := b.cache.Get(ctx, "k"); err != nil { // B holds the key
		t.Fatal(err)
	}
	link.paused.Store(true)
	setAt := time.Now()
	if err := a.tier.Set(ctx, "k", "new"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(700 * time.Millisecond)
	link.paused.Store(false)
	// Late (over the skew bound): applied as an Invalidate, so the next Get
	// reads the record with its true age.
	eventually(t, "B applies the Set", func() bool { v, ok := b.cache.Peek("k"); return !ok || v == "new" })
	age, _ := b.cache.Age("k")
	t.Logf("B applied the Set %v after it was made; B's cache says the value is %v old", time.Since(setAt).Round(time.Millisecond), age)
	time.Sleep(time.Until(setAt.Add(ttl + 200*time.Millisecond)))
	calls := u.total.Load()
	v, err := b.cache.Get(ctx, "k")
	trueAge := time.Since(setAt)
	t.Logf("Get on B %v after the Set: %q, %v, upstream calls %d", trueAge.Round(time.Millisecond), v, err, u.total.Load()-calls)
	if err == nil && v == "new" && u.total.Load() == calls {
		t.Errorf("B served the Set's value %v after it was set (TTL %v)", trueAge.Round(time.Millisecond), ttl)
	}
}
