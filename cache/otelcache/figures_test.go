package otelcache_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asyncutils-go/asyncutils/cache"
	"github.com/asyncutils-go/asyncutils/cache/otelcache"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// doc.go: cache.requests is "one instrument with an attribute for the parts
// of one whole"; docs/cache.md: "hits and misses are cache.requests by
// cache.request.result, so that their sum is every Get and the hit ratio is
// one division". A cache with WithNegativeTTL (or WithStaleIfError).
func TestFigures_RequestsSumIsEveryGet(t *testing.T) {
	r := newReader(t)
	c, err := cache.New(func(context.Context, string) (int, error) { return 0, cache.ErrNotFound },
		cache.WithNegativeTTL(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	reg, err := otelcache.Register(r.provider.Meter(otelcache.ScopeName), "neg", c)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = reg.Unregister() }()
	const gets = 10
	for range gets {
		if _, err := c.Get(bg, "missing"); !errors.Is(err, cache.ErrNotFound) {
			t.Fatal(err)
		}
	}
	got := values(r.mustCollect(t))
	hit := got["cache.requests cache.name=neg,cache.request.result=hit"]
	miss := got["cache.requests cache.name=neg,cache.request.result=miss"]
	t.Logf("%d Gets: cache.requests hit=%d miss=%d, cache.negative.hits=%d", gets, hit, miss, got["cache.negative.hits cache.name=neg"])
	if hit+miss != gets {
		t.Errorf("cache.requests sums to %d over %d Gets", hit+miss, gets)
	}
}

// Register's doc: "Bad input (nil meter or source, ...) is an error wrapping
// ErrInvalid". A nil *cache.Cache in the Source interface.
func TestFigures_TypedNilCacheSource(t *testing.T) {
	r := newReader(t)
	var c *cache.Cache[string, int]
	reg, err := otelcache.Register(r.provider.Meter(otelcache.ScopeName), "nilcache", c)
	t.Logf("Register(nil *cache.Cache) = %v, %v", reg, err)
	if !errors.Is(err, otelcache.ErrInvalid) {
		t.Errorf("error does not wrap ErrInvalid")
	}
}

// Two figures of one name whose Attr has a value but no key: the same data
// point twice. ErrInvalid covers "one figure twice".
func TestFigures_AttrValueWithoutKey(t *testing.T) {
	r := newReader(t)
	f := &fixed{}
	f.set(
		cache.Metric{Name: "cache.x", Unit: "{x}", Description: "X.", Attr: cache.Attr{Value: "a"}, Value: 1},
		cache.Metric{Name: "cache.x", Unit: "{x}", Description: "X.", Attr: cache.Attr{Value: "b"}, Value: 2},
	)
	reg, err := otelcache.Register(r.provider.Meter(otelcache.ScopeName), "c", f)
	t.Logf("Register = %v", err)
	if err == nil {
		defer func() { _ = reg.Unregister() }()
		t.Logf("exported %v", values(r.mustCollect(t)))
		t.Errorf("figures with a value and no attribute key are accepted and merged into one point")
	}
}

// A closed cache, and collection from two readers at once.
func TestFigures_ClosedCacheAndConcurrentReaders(t *testing.T) {
	r1, r2 := sdkmetric.NewManualReader(), sdkmetric.NewManualReader()
	p := sdkmetric.NewMeterProvider(sdkmetric.WithReader(r1), sdkmetric.WithReader(r2))
	defer func() { _ = p.Shutdown(bg) }()
	c := newCache(t)
	_, _ = c.Get(bg, "a")
	reg, err := otelcache.Register(p.Meter(otelcache.ScopeName), "c", c)
	if err != nil {
		t.Fatal(err)
	}
	reg2, err := otelcache.Register(p.Meter(otelcache.ScopeName), "c", c) // registered twice: values add up
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for _, rd := range []*sdkmetric.ManualReader{r1, r2, r1, r2} {
		wg.Go(func() {
			for range 50 {
				var rm metricdata.ResourceMetrics
				if err := rd.Collect(bg, &rm); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Go(func() {
		for i := range 500 {
			_, _ = c.Get(bg, strings.Repeat("k", i%7))
		}
	})
	wg.Wait()
	_ = c.Close()
	var rm metricdata.ResourceMetrics
	if err := r1.Collect(bg, &rm); err != nil {
		t.Errorf("collect of a closed cache: %v", err)
	}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name == "cache.loads" {
				dp := m.Data.(metricdata.Sum[int64]).DataPoints
				t.Logf("closed cache registered twice: cache.loads = %d (Stats.Loads %d)", dp[0].Value, c.Stats().Loads)
				if dp[0].Value != 2*int64(c.Stats().Loads) {
					t.Errorf("two registrations under one name do not add up")
				}
			}
		}
	}
	if err := reg.Unregister(); err != nil {
		t.Error(err)
	}
	if err := reg.Unregister(); err != nil {
		t.Errorf("second Unregister: %v", err)
	}
	_ = reg2.Unregister()
	rm = metricdata.ResourceMetrics{}
	_ = r1.Collect(bg, &rm)
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if n := len(m.Data.(metricdata.Sum[int64]).DataPoints); n != 0 {
				t.Errorf("%s still has %d points after Unregister", m.Name, n)
			}
		}
	}
}
