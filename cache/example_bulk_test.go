package cache_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/asyncutils-go/asyncutils/cache"
)

// A bulk cache coalesces misses of different keys that arrive together into
// one call of its bulk loader: one SELECT ... WHERE id IN (...) instead of
// one query per key. A key the loader leaves out is not found.
func ExampleNewBulk() {
	var mu sync.Mutex
	var calls []string
	users := map[int]string{1: "ada", 2: "grace", 3: "alan"}
	c, _ := cache.NewBulk(func(_ context.Context, ids []int) (map[int]string, error) {
		mu.Lock()
		defer mu.Unlock()
		sorted := slices.Sorted(slices.Values(ids))
		calls = append(calls, fmt.Sprint(sorted))
		out := map[int]string{}
		for _, id := range ids {
			if name, ok := users[id]; ok {
				out[id] = name
			}
		}
		return out, nil
	}, cache.WithBatch(3, 200*time.Millisecond)) // three keys fill a batch
	defer c.Close()

	var wg sync.WaitGroup
	for _, id := range []int{1, 2, 3} {
		wg.Go(func() { _, _ = c.Get(context.Background(), id) })
	}
	wg.Wait()
	_, err := c.Get(context.Background(), 4)
	fmt.Println("bulk calls:", strings.Join(calls, " "))
	fmt.Println("user 4:", errors.Is(err, cache.ErrNotFound))
	// Output:
	// bulk calls: [1 2 3] [4]
	// user 4: true
}

// GetMany serves the present keys and loads the missing ones in as few
// calls as the loader allows; keys not found are absent from the map.
func ExampleCache_GetMany() {
	c, _ := cache.NewBulk(func(_ context.Context, ids []string) (map[string]string, error) {
		fmt.Println("load", ids)
		out := map[string]string{}
		for _, id := range ids {
			if id != "nobody" {
				out[id] = strings.ToUpper(id)
			}
		}
		return out, nil
	})
	defer c.Close()
	_, _ = c.Get(context.Background(), "a")
	m, err := c.GetMany(context.Background(), []string{"a", "b", "c", "nobody"})
	fmt.Println(m, err)
	// Output:
	// load [a]
	// load [b c nobody]
	// map[a:A b:B c:C] <nil>
}

// WithNegativeTTL caches "not found" answers, so that repeated Gets of a key
// that does not exist do not reach the upstream.
func ExampleWithNegativeTTL() {
	calls := 0
	c, _ := cache.New(func(_ context.Context, id string) (string, error) {
		calls++
		return "", fmt.Errorf("user %s: %w", id, cache.ErrNotFound)
	}, cache.WithNegativeTTL(time.Minute))
	defer c.Close()
	for range 3 {
		_, err := c.Get(context.Background(), "ghost")
		fmt.Println(errors.Is(err, cache.ErrNotFound))
	}
	fmt.Println("loader calls:", calls, "negative hits:", c.Stats().NegativeHits)
	// Output:
	// true
	// true
	// true
	// loader calls: 1 negative hits: 2
}
