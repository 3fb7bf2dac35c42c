package otelcache_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http/httptest"
	"sort"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/attribute"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/asyncutils-go/asyncutils/cache"
	"github.com/asyncutils-go/asyncutils/cache/otelcache"
)

// Register a cache on a meter of the OpenTelemetry SDK whose reader is the
// Prometheus exporter, serve the Prometheus registry over HTTP, and scrape
// it: these are the lines a Prometheus server gets.
func ExampleRegister() {
	registry := prometheus.NewRegistry()
	exporter, err := otelprom.New(otelprom.WithRegisterer(registry),
		otelprom.WithoutScopeInfo(), otelprom.WithoutTargetInfo())
	if err != nil {
		panic(err)
	}
	provider := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter))
	defer func() { _ = provider.Shutdown(context.Background()) }()

	users, err := cache.New(func(_ context.Context, id string) (string, error) {
		if id == "" {
			return "", fmt.Errorf("no user id")
		}
		return "user " + id, nil
	})
	if err != nil {
		panic(err)
	}
	defer users.Close()
	reg, err := otelcache.Register(provider.Meter(otelcache.ScopeName), "users", users)
	if err != nil {
		panic(err)
	}
	defer func() { _ = reg.Unregister() }()

	ctx := context.Background()
	for _, id := range []string{"1", "1", "1", "2", ""} {
		_, _ = users.Get(ctx, id)
	}

	srv := httptest.NewServer(promhttp.HandlerFor(registry, promhttp.HandlerOpts{}))
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var lines []string
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if l := sc.Text(); strings.HasPrefix(l, "cache_") || strings.HasPrefix(l, "# TYPE cache_") || strings.HasPrefix(l, "# HELP cache_") {
			lines = append(lines, l)
		}
	}
	fmt.Println(resp.Status)
	fmt.Println(strings.Join(lines, "\n"))
	// Output:
	// 200 OK
	// # HELP cache_entry_count Entries the cache holds now, expired ones not yet removed included.
	// # TYPE cache_entry_count gauge
	// cache_entry_count{cache_name="users"} 2
	// # HELP cache_evicted_weight_total The total weight of the evicted entries (their number with a size bound).
	// # TYPE cache_evicted_weight_total counter
	// cache_evicted_weight_total{cache_name="users"} 0
	// # HELP cache_evictions_total Entries the eviction policy removed to keep the size or weight bound.
	// # TYPE cache_evictions_total counter
	// cache_evictions_total{cache_name="users"} 0
	// # HELP cache_expirations_total Values dropped or replaced because they were older than the TTL.
	// # TYPE cache_expirations_total counter
	// cache_expirations_total{cache_name="users"} 0
	// # HELP cache_load_errors_total Synchronous loader calls that failed.
	// # TYPE cache_load_errors_total counter
	// cache_load_errors_total{cache_name="users"} 1
	// # HELP cache_loads_total Synchronous loader calls: a missing or expired key, or Load.
	// # TYPE cache_loads_total counter
	// cache_loads_total{cache_name="users"} 3
	// # HELP cache_negative_hits_total Get calls answered not found from a cached not-found answer.
	// # TYPE cache_negative_hits_total counter
	// cache_negative_hits_total{cache_name="users"} 0
	// # HELP cache_refresh_errors_total Background reloads that failed; the cache kept serving the previous value.
	// # TYPE cache_refresh_errors_total counter
	// cache_refresh_errors_total{cache_name="users"} 0
	// # HELP cache_refreshes_total Background reloads: by the refresh loop, a Get in the refresh window, or Refresh.
	// # TYPE cache_refreshes_total counter
	// cache_refreshes_total{cache_name="users"} 0
	// # HELP cache_requests_total Get calls, by result: a hit was answered from the cache (a value, fresh, in the refresh window or stale-if-error, or a cached not-found answer); a miss waited for a load.
	// # TYPE cache_requests_total counter
	// cache_requests_total{cache_name="users",cache_request_result="hit"} 2
	// cache_requests_total{cache_name="users",cache_request_result="miss"} 3
	// # HELP cache_stale_hits_total Get calls answered with a value past its TTL because its reloads kept failing.
	// # TYPE cache_stale_hits_total counter
	// cache_stale_hits_total{cache_name="users"} 0
}

// A manual reader shows what any exporter receives: one instrument per
// name, the cache's attribute on every point, plus those of WithAttributes.
func ExampleWithAttributes() {
	reader := sdkmetric.NewManualReader()
	provider := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer func() { _ = provider.Shutdown(context.Background()) }()
	sessions, _ := cache.New(func(_ context.Context, id int) (int, error) { return id * 10, nil })
	defer sessions.Close()
	reg, err := otelcache.Register(provider.Meter(otelcache.ScopeName), "sessions", sessions,
		otelcache.WithAttributes(attribute.String("cache.tier", "local")))
	if err != nil {
		panic(err)
	}
	defer func() { _ = reg.Unregister() }()
	_, _ = sessions.Get(context.Background(), 7)
	_, _ = sessions.Get(context.Background(), 7)

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		panic(err)
	}
	for _, m := range rm.ScopeMetrics[0].Metrics {
		if m.Name != "cache.requests" && m.Name != "cache.entry.count" {
			continue
		}
		sum := m.Data.(metricdata.Sum[int64])
		var points []string
		for _, dp := range sum.DataPoints {
			points = append(points, fmt.Sprintf("%s=%d", dp.Attributes.Encoded(attribute.DefaultEncoder()), dp.Value))
		}
		sort.Strings(points)
		fmt.Printf("%s (%s, monotonic %v): %s\n", m.Name, m.Unit, sum.IsMonotonic, strings.Join(points, " "))
	}
	// Output:
	// cache.requests ({request}, monotonic true): cache.name=sessions,cache.request.result=hit,cache.tier=local=1 cache.name=sessions,cache.request.result=miss,cache.tier=local=1
	// cache.entry.count ({entry}, monotonic false): cache.name=sessions,cache.tier=local=1
}

// tier is the statistics of a second-level cache: any type whose figures are
// cache.Metric values is a Source.
type tier struct{ remoteErrors, leases int64 }

func (t tier) Metrics() []cache.Metric {
	return []cache.Metric{
		{Name: "cache.remote.errors", Unit: "{error}", Description: "Calls to the remote tier that failed.", Value: t.remoteErrors},
		{Name: "cache.lease.count", Unit: "{lease}", Description: "Load leases held now.", Gauge: true, Value: t.leases},
	}
}

func ExampleSource() {
	reader := sdkmetric.NewManualReader()
	provider := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer func() { _ = provider.Shutdown(context.Background()) }()
	reg, err := otelcache.Register(provider.Meter(otelcache.ScopeName), "fleet", tier{remoteErrors: 3, leases: 1})
	if err != nil {
		panic(err)
	}
	defer func() { _ = reg.Unregister() }()
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		panic(err)
	}
	for _, m := range rm.ScopeMetrics[0].Metrics {
		sum := m.Data.(metricdata.Sum[int64])
		fmt.Printf("%s %d monotonic=%v\n", m.Name, sum.DataPoints[0].Value, sum.IsMonotonic)
	}
	// Output:
	// cache.remote.errors 3 monotonic=true
	// cache.lease.count 1 monotonic=false
}
