package cache_test

import (
	"context"
	"errors"
	"maps"
	"testing"
	"testing/synctest"
	"time"

	"github.com/asyncutils-go/asyncutils/cache"
	"github.com/asyncutils-go/asyncutils/defaults"
)

func TestGet_LoadsOnceThenHits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newCounting()
		c := mustNew(t, l.load, ttlOpts()...)
		mustGet(t, c, "a", "a#1")
		mustGet(t, c, "a", "a#1")
		time.Sleep(5 * time.Second)
		mustGet(t, c, "a", "a#1")
		if n := l.calls.Load(); n != 1 {
			t.Fatalf("loader calls = %d, want 1", n)
		}
		st := c.Stats()
		if st.Hits != 2 || st.Misses != 1 || st.Loads != 1 {
			t.Fatalf("stats = %+v, want 2 hits, 1 miss, 1 load", st)
		}
	})
}

func TestNew_Defaults(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := mustNew(t, newCounting().load)
		mustGet(t, c, "a", "a#1")
		mustGet(t, c, "a", "a#1") // read since its load: the loop keeps it warm
		d := defaults.Current()
		time.Sleep(d.CacheTTL - d.CacheRefresh - time.Second)
		if c.ShouldRefresh("a") {
			t.Fatal("due before TTL - refresh")
		}
		// Past the refresh point: the loop has reloaded it, at most an eighth
		// of the window early.
		time.Sleep(time.Second + time.Millisecond)
		synctest.Wait()
		if age, ok := c.Age("a"); !ok || age > d.CacheRefresh/8+time.Millisecond {
			t.Fatalf("Age = %v, %v after the default refresh point", age, ok)
		}
	})
}

func TestNew_InvalidConfig(t *testing.T) {
	tests := []struct {
		name string
		opts []cache.Option
		want string
	}{
		{"zero ttl", []cache.Option{cache.WithTTL(0)}, "TTL is 0s"},
		{"negative ttl", []cache.Option{cache.WithTTL(-time.Second), cache.WithRefresh(0)}, "TTL is -1s"},
		{"negative refresh", []cache.Option{cache.WithRefresh(-time.Second)}, "refresh is -1s"},
		{"refresh over ttl", []cache.Option{cache.WithTTL(time.Second), cache.WithRefresh(2 * time.Second)}, "must be <= TTL"},
		{"backoff min over max", []cache.Option{cache.WithBackoff(2*time.Second, time.Second)}, "backoff"},
		{"backoff zero", []cache.Option{cache.WithBackoff(0, time.Second)}, "backoff"},
		{"max refreshes zero", []cache.Option{cache.WithMaxConcurrentRefreshes(0)}, "max concurrent refreshes"},
		{"idle negative", []cache.Option{cache.WithIdleTimeout(-1)}, "idle timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := cache.New[string, string](nil, tt.opts...)
			if !errors.Is(err, cache.ErrInvalidConfig) || c != nil {
				t.Fatalf("New = %v, %v; want nil, ErrInvalidConfig", c, err)
			}
			if !contains(err.Error(), tt.want) || !contains(err.Error(), "cache: ") {
				t.Fatalf("error %q does not name %q", err, tt.want)
			}
		})
	}
	t.Run("valid edges", func(t *testing.T) {
		for _, opts := range [][]cache.Option{
			{cache.WithTTL(time.Second), cache.WithRefresh(0)},
			{cache.WithTTL(time.Second), cache.WithRefresh(time.Second)},
		} {
			c, err := cache.New[string, string](nil, opts...)
			if err != nil {
				t.Fatal(err)
			}
			_ = c.Close()
		}
	})
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func TestConfigure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newCounting()
		c := mustNew(t, l.load, ttlOpts()...)
		mustGet(t, c, "a", "a#1")
		if err := c.Configure(cache.WithTTL(time.Second), cache.WithRefresh(2*time.Second)); !errors.Is(err, cache.ErrInvalidConfig) {
			t.Fatalf("Configure(refresh > ttl) = %v", err)
		}
		if err := c.Configure(cache.WithTTL(20*time.Second), cache.WithRefresh(0)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(15 * time.Second)
		synctest.Wait()
		// TTL 20s, no refresh-ahead: still the first value, never reloaded.
		mustGet(t, c, "a", "a#1")
		time.Sleep(6 * time.Second)
		synctest.Wait()
		if c.Contains("a") || c.Len() != 0 {
			t.Fatal("entry outlived the new TTL")
		}
		if n := l.calls.Load(); n != 1 {
			t.Fatalf("loader calls = %d, want 1", n)
		}
	})
}

func TestLoaders(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := mustNew[string](t, nil, ttlOpts()...)
		if _, err := c.Get(bg, "a"); !errors.Is(err, cache.ErrNoLoader) {
			t.Fatalf("Get without loader = %v, want ErrNoLoader", err)
		}
		if _, err := c.Loader("a"); !errors.Is(err, cache.ErrNoLoader) {
			t.Fatalf("Loader = %v", err)
		}
		if c.Contains("a") || c.Len() != 0 {
			t.Fatal("a failed lookup left an entry")
		}
		got, err := c.GetWith(bg, "a", func(_ context.Context, k string) (string, error) { return "per-key " + k, nil })
		if err != nil || got != "per-key a" {
			t.Fatalf("GetWith = %q, %v", got, err)
		}
		if l, err := c.Loader("a"); err != nil || l == nil {
			t.Fatalf("Loader after GetWith = %v, %v", l, err)
		}
		c.RegisterLoader("a", nil)
		if _, err := c.Loader("a"); !errors.Is(err, cache.ErrNoLoader) {
			t.Fatalf("Loader after unregister = %v", err)
		}

		d := mustNew(t, func(_ context.Context, k string) (string, error) { return "default " + k, nil })
		d.RegisterLoader("b", func(_ context.Context, k string) (string, error) { return "special " + k, nil })
		mustGet(t, d, "a", "default a")
		mustGet(t, d, "b", "special b")
	})
}

func TestSetInvalidateClear(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newCounting()
		c := mustNew(t, l.load, ttlOpts()...)
		c.Set("a", "set")
		mustGet(t, c, "a", "set")
		if v, ok := c.Invalidate("a"); !ok || v != "set" {
			t.Fatalf("Invalidate = %q, %v", v, ok)
		}
		if _, ok := c.Invalidate("a"); ok {
			t.Fatal("second Invalidate found a value")
		}
		mustGet(t, c, "a", "a#1")
		c.Set("b", "x")
		if c.Len() != 2 {
			t.Fatalf("Len = %d, want 2", c.Len())
		}
		c.Clear()
		if c.Len() != 0 || c.Contains("a") || c.Contains("b") {
			t.Fatal("Clear left entries")
		}
		mustGet(t, c, "b", "b#1")
	})
}

func TestInspection(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := mustNew(t, newCounting().load, ttlOpts(cache.WithIdleTimeout(time.Second))...)
		if c.Contains("a") || c.Expired("a") || c.ShouldRefresh("a") {
			t.Fatal("absent key: want !Contains, !Expired (it holds no value), !ShouldRefresh")
		}
		if _, ok := c.Age("a"); ok {
			t.Fatal("Age of an absent key")
		}
		mustGet(t, c, "a", "a#1")
		time.Sleep(3 * time.Second)
		if age, ok := c.Age("a"); !ok || age != 3*time.Second {
			t.Fatalf("Age = %v, %v; want 3s", age, ok)
		}
		if !c.Contains("a") || c.Expired("a") || c.ShouldRefresh("a") {
			t.Fatal("fresh key: want Contains, !Expired, !ShouldRefresh")
		}
		time.Sleep(4 * time.Second) // 7s: due; idle, so the loop does not reload it
		if !c.ShouldRefresh("a") || c.Expired("a") {
			t.Fatal("key in the window: want ShouldRefresh, !Expired")
		}
	})
}

func TestAllAndLen(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := mustNew(t, newCounting().load, ttlOpts()...)
		want := map[string]string{}
		for _, k := range []string{"a", "b", "c"} {
			v, err := c.Get(bg, k)
			if err != nil {
				t.Fatal(err)
			}
			want[k] = v
		}
		if got := maps.Collect(c.All()); !maps.Equal(got, want) {
			t.Fatalf("All = %v, want %v", got, want)
		}
		if c.Len() != 3 {
			t.Fatalf("Len = %d", c.Len())
		}
		n := 0
		for range c.All() {
			n++
			break
		}
		if n != 1 {
			t.Fatal("break did not stop All")
		}
	})
}

func TestStats(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newCounting()
		c := mustNew(t, func(ctx context.Context, k string) (string, error) {
			if k == "bad" {
				return "", errBoom
			}
			return l.load(ctx, k)
		}, ttlOpts(cache.WithBackoff(time.Hour, time.Hour), cache.WithErrorHandler(func(error, bool) {}))...)
		mustGet(t, c, "a", "a#1")                                 // miss, load
		mustGet(t, c, "a", "a#1")                                 // hit
		if _, err := c.Get(bg, "bad"); !errors.Is(err, errBoom) { // miss, load error
			t.Fatal(err)
		}
		if err := c.Refresh(bg, "a"); err != nil { // refresh
			t.Fatal(err)
		}
		l.fail.Store(true)
		if err := c.Refresh(bg, "a"); !errors.Is(err, errBoom) { // refresh error; retry only at expiry
			t.Fatal(err)
		}
		time.Sleep(11 * time.Second) // expires: the loop removes it
		synctest.Wait()
		want := cache.Stats{Hits: 1, Misses: 2, Loads: 2, LoadErrors: 1, Refreshes: 2, RefreshErrors: 1, Expirations: 1}
		if got := c.Stats(); got != want {
			t.Fatalf("Stats = %+v\nwant    %+v", got, want)
		}
	})
}

func TestGetWith_SameLoaderAgain(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := mustNew[string](t, nil, ttlOpts()...)
		first := func(context.Context, string) (string, error) { return "first", nil }
		second := func(context.Context, string) (string, error) { return "second", nil }
		for range 3 {
			if v, err := c.GetWith(bg, "k", first); err != nil || v != "first" {
				t.Fatalf("GetWith = %q, %v", v, err)
			}
		}
		c.Invalidate("k")
		if v, _ := c.GetWith(bg, "k", second); v != "second" {
			t.Fatalf("a different loader was not registered: %q", v)
		}
		// Two closures of one function literal are different loaders.
		mk := func(s string) cache.Loader[string, string] {
			return func(context.Context, string) (string, error) { return s, nil }
		}
		c.Invalidate("k")
		_, _ = c.GetWith(bg, "k", mk("x"))
		c.Invalidate("k")
		if v, _ := c.GetWith(bg, "k", mk("y")); v != "y" {
			t.Fatalf("closure with other captures not registered: %q", v)
		}
	})
}
