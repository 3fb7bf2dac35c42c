package cache_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/asyncutils-go/asyncutils/cache"
)

// fetchUser stands for a call to a slow service.
func fetchUser(_ context.Context, id int) (string, error) {
	return fmt.Sprintf("user-%d", id), nil
}

func ExampleNew() {
	c, err := cache.New(fetchUser, cache.WithTTL(time.Minute), cache.WithRefresh(15*time.Second))
	if err != nil {
		panic(err)
	}
	defer c.Close()

	ctx := context.Background()
	name, _ := c.Get(ctx, 42) // missing: loaded now
	fmt.Println(name)
	name, _ = c.Get(ctx, 42) // fresh: from the cache
	fmt.Println(name)
	st := c.Stats()
	fmt.Printf("hits %d, misses %d, loads %d\n", st.Hits, st.Misses, st.Loads)
	// Output:
	// user-42
	// user-42
	// hits 1, misses 1, loads 1
}

func ExampleNew_invalidConfig() {
	_, err := cache.New(fetchUser, cache.WithTTL(10*time.Second), cache.WithRefresh(time.Minute))
	fmt.Println(errors.Is(err, cache.ErrInvalidConfig))
	fmt.Println(err)
	// Output:
	// true
	// cache: invalid configuration: refresh is 1m0s, must be <= TTL (10s)
}

// A Get in the refresh window returns the current value at once while the
// key reloads in the background; a clock.Mock moves time by hand, and the
// loader waits for a signal so that the example shows the reload in flight.
func ExampleCache_Get_refreshAhead() {
	mock := clock.NewMock()
	release := make(chan struct{})
	version := 0
	c, _ := cache.New(func(context.Context, string) (string, error) {
		if version > 0 {
			<-release // the reload is slow
		}
		version++
		return fmt.Sprintf("config v%d", version), nil
	}, cache.WithTTL(time.Minute), cache.WithRefresh(20*time.Second), cache.WithClock(mock))
	defer c.Close()
	ctx := context.Background()

	v, _ := c.Get(ctx, "app")
	fmt.Println("loaded:", v)
	mock.Add(45 * time.Second) // past TTL - refresh: due for refresh
	v, _ = c.Get(ctx, "app")
	fmt.Println("in the window, at once:", v)
	close(release)
	for v == "config v1" { // the reload ends in the background
		v, _ = c.Get(ctx, "app")
	}
	fmt.Println("after the reload:", v)
	// Output:
	// loaded: config v1
	// in the window, at once: config v1
	// after the reload: config v2
}

func ExampleCache_GetWith() {
	c, _ := cache.New[string, string](nil) // no default loader: per-key loaders only
	defer c.Close()
	ctx := context.Background()

	v, _ := c.GetWith(ctx, "greeting", func(context.Context, string) (string, error) {
		return "hello", nil
	})
	fmt.Println(v)
	_, err := c.Get(ctx, "other")
	fmt.Println(errors.Is(err, cache.ErrNoLoader))
	// Output:
	// hello
	// true
}

func ExampleCache_Set() {
	c, _ := cache.New(fetchUser)
	defer c.Close()
	c.Set(1, "admin")
	v, _ := c.Get(context.Background(), 1)
	fmt.Println(v)
	old, ok := c.Invalidate(1)
	fmt.Println(old, ok, c.Contains(1))
	// Output:
	// admin
	// admin true false
}

func ExampleCache_All() {
	c, _ := cache.New(fetchUser)
	defer c.Close()
	for id := range 3 {
		_, _ = c.Get(context.Background(), id)
	}
	all := maps.Collect(c.All())
	for _, id := range slices.Sorted(maps.Keys(all)) {
		fmt.Println(id, all[id])
	}
	fmt.Println("len", c.Len())
	// Output:
	// 0 user-0
	// 1 user-1
	// 2 user-2
	// len 3
}

// The error handler receives background reload errors; batched tells a
// reload of the refresh loop (true) from a single-key one (false).
func ExampleWithErrorHandler() {
	reports := make(chan string, 1)
	fail := false
	c, _ := cache.New(func(_ context.Context, k string) (string, error) {
		if fail {
			return "", errors.New("upstream down")
		}
		return strings.ToUpper(k), nil
	}, cache.WithErrorHandler(func(err error, batched bool) {
		reports <- fmt.Sprintf("reload failed (batched=%v): %v", batched, err)
	}))
	defer c.Close()
	ctx := context.Background()

	_, _ = c.Get(ctx, "k")
	fail = true
	err := c.Refresh(ctx, "k") // a single-key reload
	fmt.Println("Refresh:", err)
	fmt.Println(<-reports)
	v, _ := c.Get(ctx, "k") // the value is kept
	fmt.Println("kept:", v)
	// Output:
	// Refresh: upstream down
	// reload failed (batched=false): upstream down
	// kept: K
}

func ExampleCache_Stats() {
	c, _ := cache.New(func(_ context.Context, k string) (int, error) {
		if k == "bad" {
			return 0, errors.New("no such key")
		}
		return len(k), nil
	})
	defer c.Close()
	ctx := context.Background()
	_, _ = c.Get(ctx, "abc")
	_, _ = c.Get(ctx, "abc")
	_, _ = c.Get(ctx, "bad")
	st := c.Stats()
	fmt.Printf("hits=%d misses=%d loads=%d load errors=%d\n", st.Hits, st.Misses, st.Loads, st.LoadErrors)
	// Output:
	// hits=1 misses=2 loads=2 load errors=1
}

func ExampleCache_Configure() {
	c, _ := cache.New(fetchUser)
	defer c.Close()
	fmt.Println(c.Configure(cache.WithRefresh(2 * time.Minute))) // more than the 60s TTL
	fmt.Println(c.Configure(cache.WithTTL(10 * time.Minute)))    // the refresh window follows: 2m30s
	fmt.Println(c.Configure(cache.WithClock(clock.NewMock())))
	// Output:
	// cache: invalid configuration: refresh is 2m0s, must be <= TTL (1m0s)
	// <nil>
	// cache: invalid configuration: WithClock cannot change on a running cache
}

func ExampleCache_Close() {
	c, _ := cache.New(fetchUser)
	_ = c.Close()
	_, err := c.Get(context.Background(), 1)
	fmt.Println(err)
	// Output:
	// cache: closed
}

func ExampleCache_RegisterLoader() {
	c, _ := cache.New(fetchUser)
	defer c.Close()
	c.RegisterLoader(0, func(context.Context, int) (string, error) { return "root", nil })
	ctx := context.Background()
	for _, id := range []int{0, 7} {
		v, _ := c.Get(ctx, id)
		fmt.Println(id, v)
	}
	// Output:
	// 0 root
	// 7 user-7
}

// Age, ShouldRefresh and Expired tell where a key is in its life.
func ExampleCache_Age() {
	mock := clock.NewMock()
	c, _ := cache.New(fetchUser, cache.WithTTL(time.Minute), cache.WithRefresh(20*time.Second),
		cache.WithClock(mock)) // never read: the loop does not reload it
	defer c.Close()
	_ = c.Load(context.Background(), 1)
	for _, step := range []time.Duration{0, 30 * time.Second, 15 * time.Second} {
		mock.Add(step)
		age, _ := c.Age(1)
		fmt.Printf("age %v: due for refresh %v, expired %v\n", age, c.ShouldRefresh(1), c.Expired(1))
	}
	mock.Add(20 * time.Second)
	fmt.Printf("after the TTL: contains %v\n", c.Contains(1))
	// Output:
	// age 0s: due for refresh false, expired false
	// age 30s: due for refresh false, expired false
	// age 45s: due for refresh true, expired false
	// after the TTL: contains false
}

// Refresh reloads a present entry now, whatever its age; a Get afterwards
// sees the new value.
func ExampleCache_Refresh() {
	version := 0
	c, _ := cache.New(func(context.Context, string) (string, error) {
		version++
		return fmt.Sprintf("config v%d", version), nil
	})
	defer c.Close()
	ctx := context.Background()
	v, _ := c.Get(ctx, "app")
	fmt.Println(v)
	if err := c.Refresh(ctx, "app"); err != nil {
		fmt.Println(err)
	}
	v, _ = c.Get(ctx, "app")
	fmt.Println(v)
	// Output:
	// config v1
	// config v2
}

// Load loads a key now and stores it, so that the first Get is a hit: a
// warm-up before traffic arrives.
func ExampleCache_Load() {
	c, _ := cache.New(fetchUser)
	defer c.Close()
	ctx := context.Background()
	for id := range 3 {
		if err := c.Load(ctx, id); err != nil {
			fmt.Println(err)
		}
	}
	v, _ := c.Get(ctx, 2)
	st := c.Stats()
	fmt.Println(v, c.Len(), "hits", st.Hits, "misses", st.Misses)
	// Output: user-2 3 hits 1 misses 0
}

// An Invalidate during a load wins: the waiters get the loaded value, but
// the stale load does not bring the key back.
func ExampleCache_Invalidate() {
	started, release := make(chan struct{}), make(chan struct{})
	c, _ := cache.New(func(context.Context, string) (string, error) {
		close(started)
		<-release // a slow upstream
		return "stale price", nil
	})
	defer c.Close()

	got := make(chan string)
	go func() {
		v, _ := c.Get(context.Background(), "price")
		got <- v
	}()
	<-started
	c.Invalidate("price") // the price changed while it was being read
	close(release)
	fmt.Println(<-got)
	fmt.Println(c.Contains("price"))
	// Output:
	// stale price
	// false
}

func ExampleCache_Clear() {
	c, _ := cache.New(fetchUser)
	defer c.Close()
	for id := range 3 {
		c.Set(id, fmt.Sprint("user-", id))
	}
	c.Clear()
	fmt.Println(c.Len(), c.Contains(0))
	// Output: 0 false
}
