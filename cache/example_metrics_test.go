package cache_test

import (
	"context"
	"fmt"

	"github.com/asyncutils-go/asyncutils/cache"
)

func ExampleCache_Metrics() {
	c, _ := cache.New(func(_ context.Context, k string) (int, error) { return len(k), nil })
	defer c.Close()
	ctx := context.Background()
	_, _ = c.Get(ctx, "abc")
	_, _ = c.Get(ctx, "abc")
	for _, m := range c.Metrics() {
		kind := "counter"
		if m.Gauge {
			kind = "gauge"
		}
		attr := ""
		if m.Attr.Key != "" {
			attr = " " + m.Attr.Key + "=" + m.Attr.Value
		}
		fmt.Printf("%s%s %s %d %s\n", m.Name, attr, kind, m.Value, m.Unit)
	}
	// Output:
	// cache.requests cache.request.result=hit counter 1 {request}
	// cache.requests cache.request.result=miss counter 1 {request}
	// cache.loads counter 1 {load}
	// cache.load.errors counter 0 {error}
	// cache.refreshes counter 0 {refresh}
	// cache.refresh.errors counter 0 {error}
	// cache.expirations counter 0 {expiration}
	// cache.evictions counter 0 {eviction}
	// cache.evicted.weight counter 0 {weight}
	// cache.negative.hits counter 0 {request}
	// cache.stale.hits counter 0 {request}
	// cache.entry.count gauge 1 {entry}
}

func ExampleStats_Metrics() {
	st := cache.Stats{Hits: 9, Misses: 1}
	var hits, all int64
	for _, m := range st.Metrics() {
		if m.Name == "cache.requests" {
			all += m.Value
			if m.Attr.Value == "hit" {
				hits += m.Value
			}
		}
	}
	fmt.Printf("hit ratio %.2f\n", float64(hits)/float64(all))
	// Output:
	// hit ratio 0.90
}
