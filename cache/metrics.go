package cache

import "math"

// Metric is one figure of a cache's statistics, named and described for
// exporters such as otelcache (github.com/asyncutils-go/asyncutils/cache/otelcache),
// so that an exporter needs no list of its own and follows every figure the
// cache gains.
//
// Names and units follow the OpenTelemetry semantic conventions: names are
// lower case and dot-separated under the cache. namespace; a count of
// discrete things is plural ("cache.loads") with a unit that names the thing
// in braces ("{load}"); a level is singular with a .count suffix
// ("cache.entry.count"). Figures that are parts of one whole share a Name and
// are told apart by Attr: Get calls are "cache.requests", hits with
// cache.request.result=hit and misses with cache.request.result=miss, so that
// their sum is every Get and the hit ratio is one division.
type Metric struct {
	Name        string // instrument name, e.g. "cache.requests"
	Unit        string // UCUM unit, e.g. "{request}"; "" when it has none
	Description string // one sentence for a person reading a dashboard
	// Gauge marks a level that goes up and down (the entries held now); a
	// figure without it is a count since the cache was made, which never
	// goes down.
	Gauge bool
	Attr  Attr  // tells figures of one Name apart; the zero Attr: none
	Value int64 // the figure; counts above math.MaxInt64 saturate
}

// Attr is the attribute of a [Metric] that tells it from the other figures
// of the same name, such as cache.request.result=hit.
type Attr struct {
	Key, Value string
}

// The names, units and attributes of the figures, shared by the cache's
// metrics and its tests.
const (
	resultKey = "cache.request.result"
	// statsMetrics is how many figures Stats.Metrics returns.
	statsMetrics = 11
)

// Metrics returns every field of s as a [Metric], in a fixed order: Hits
// (with NegativeHits and StaleHits, so that hit and miss add up to every
// Get) and Misses as cache.requests (cache.request.result hit and miss), Loads as
// cache.loads, LoadErrors as cache.load.errors, Refreshes as
// cache.refreshes, RefreshErrors as cache.refresh.errors, Expirations as
// cache.expirations, Evictions as cache.evictions, EvictedWeight as
// cache.evicted.weight, NegativeHits as cache.negative.hits, StaleHits as
// cache.stale.hits. It allocates the returned slice, nothing else.
func (s Stats) Metrics() []Metric {
	return s.appendMetrics(make([]Metric, 0, statsMetrics))
}

// appendMetrics appends the figures of s to dst. A field added to Stats must
// be added here too: TestStatsMetrics_EveryField fails until it is.
func (s Stats) appendMetrics(dst []Metric) []Metric {
	const requests = "Get calls, by result: a hit was answered from the cache (a value, fresh, in the refresh window or stale-if-error, or a cached not-found answer); a miss waited for a load."
	// Every Get is a hit or a miss: the hits include the negative and stale
	// ones, which also have instruments of their own.
	hits := count(s.Hits)
	for _, n := range []uint64{s.NegativeHits, s.StaleHits} {
		if hits += count(n); hits < 0 { // both non-negative: a wrapped sum is negative
			hits = math.MaxInt64
		}
	}
	return append(dst,
		Metric{Name: "cache.requests", Unit: "{request}", Description: requests,
			Attr: Attr{resultKey, "hit"}, Value: hits},
		Metric{Name: "cache.requests", Unit: "{request}", Description: requests,
			Attr: Attr{resultKey, "miss"}, Value: count(s.Misses)},
		Metric{Name: "cache.loads", Unit: "{load}", Value: count(s.Loads),
			Description: "Synchronous loader calls: a missing or expired key, or Load."},
		Metric{Name: "cache.load.errors", Unit: "{error}", Value: count(s.LoadErrors),
			Description: "Synchronous loader calls that failed."},
		Metric{Name: "cache.refreshes", Unit: "{refresh}", Value: count(s.Refreshes),
			Description: "Background reloads: by the refresh loop, a Get in the refresh window, or Refresh."},
		Metric{Name: "cache.refresh.errors", Unit: "{error}", Value: count(s.RefreshErrors),
			Description: "Background reloads that failed; the cache kept serving the previous value."},
		Metric{Name: "cache.expirations", Unit: "{expiration}", Value: count(s.Expirations),
			Description: "Values dropped or replaced because they were older than the TTL."},
		Metric{Name: "cache.evictions", Unit: "{eviction}", Value: count(s.Evictions),
			Description: "Entries the eviction policy removed to keep the size or weight bound."},
		Metric{Name: "cache.evicted.weight", Unit: "{weight}", Value: count(s.EvictedWeight),
			Description: "The total weight of the evicted entries (their number with a size bound)."},
		Metric{Name: "cache.negative.hits", Unit: "{request}", Value: count(s.NegativeHits),
			Description: "Get calls answered not found from a cached not-found answer."},
		Metric{Name: "cache.stale.hits", Unit: "{request}", Value: count(s.StaleHits),
			Description: "Get calls answered with a value past its TTL because its reloads kept failing."},
	)
}

// Metrics returns the figures of [Cache.Stats] (see [Stats.Metrics]) followed
// by the number of entries held, [Cache.Len], as the gauge
// cache.entry.count. It is meant for exporters, which call it on every
// collection: it costs what Stats costs (one pass over the shards) and one
// allocation, the returned slice.
func (c *Cache[K, V]) Metrics() []Metric {
	m := c.Stats().appendMetrics(make([]Metric, 0, statsMetrics+1))
	// The size is not a field of Stats; when it becomes one (with a weight),
	// Stats.Metrics reports it and this figure goes.
	return append(m, Metric{Name: "cache.entry.count", Unit: "{entry}", Gauge: true,
		Value:       int64(c.Len()),
		Description: "Entries the cache holds now, expired ones not yet removed included."})
}

// count converts a counter to the int64 exporters take, saturating.
func count(n uint64) int64 {
	if n > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(n)
}
