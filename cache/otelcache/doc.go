// Package otelcache exports the statistics of a cache (package
// github.com/asyncutils-go/asyncutils/cache) as OpenTelemetry metrics, so
// that its hit ratio, load and refresh failures, expirations and size reach
// a dashboard without glue code.
//
//	reg, err := otelcache.Register(provider.Meter(otelcache.ScopeName), "users", users)
//	...
//	defer reg.Unregister()
//
// [Register] turns every figure the cache reports ([cache.Cache.Metrics])
// into an asynchronous instrument read on each collection: the counts since
// the cache was made as counters, the entries held as an up-down counter
// (a gauge to Prometheus), every data point with the attribute cache.name.
// Any [Source] works the same way, such as a fleet tier's statistics.
//
// # Names
//
// The figures are named by the cache module after the OpenTelemetry
// semantic conventions for metrics: the cache. namespace, plural names with
// a unit in braces for counts, a singular .count name for a level, one
// instrument with an attribute for the parts of one whole:
//
//	cache.requests        counter  {request}     cache.request.result=hit|miss
//	cache.loads           counter  {load}
//	cache.load.errors     counter  {error}
//	cache.refreshes       counter  {refresh}
//	cache.refresh.errors  counter  {error}
//	cache.expirations     counter  {expiration}
//	cache.evictions       counter  {eviction}
//	cache.evicted.weight  counter  {weight}
//	cache.negative.hits   counter  {request}     (a part of the hits)
//	cache.stale.hits      counter  {request}     (a part of the hits)
//	cache.entry.count     up-down  {entry}
//
// The OpenTelemetry Prometheus exporter writes them as cache_requests_total,
// cache_loads_total, ..., cache_entry_count, with labels cache_name and
// cache_request_result. The hit ratio over five minutes is
//
//	sum by (cache_name) (rate(cache_requests_total{cache_request_result="hit"}[5m]))
//	  / sum by (cache_name) (rate(cache_requests_total[5m]))
//
// # Concurrency and cost
//
// Register and Unregister are safe to call from any goroutine. The callback
// runs on the goroutine that collects (a periodic reader's, a Prometheus
// scrape's); it calls the source's Metrics once (for a cache: one pass over
// its shards, one allocation) and observes each figure with attributes
// computed at Register. Nothing is added to the cache's hot path: its
// counters exist whether or not they are exported. The package starts no
// goroutine.
//
// This module depends on go.opentelemetry.io/otel/metric (the API) only; the
// SDK and exporters are the program's choice. The cache module does not
// depend on OpenTelemetry: a program that uses only the cache does not build
// or vendor any of it.
package otelcache
