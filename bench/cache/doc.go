// Package cachebench compares the asyncutils cache module with its peers,
// same run, same binary: otter v2 (ExpiryWriting TTL, RefreshWriting
// refresh-after-write, a Loader), sturdyc (early refreshes), ttlcache v3
// (a suppressed loader), patrickmn/go-cache (load on miss under a mutex) and a
// map under a sync.RWMutex. Every cache uses string keys, a TTL of an hour and
// a refresh window of 15 minutes where it has one.
//
// Scenarios: BenchmarkFreshHit and BenchmarkFreshHitParallel (16k keys read
// sequentially), BenchmarkHitDuringReload (allocations, goroutines and
// reloads started while a reload is in flight), BenchmarkMissStampede (loader
// calls for 10,000 concurrent gets of one missing key), and
// BenchmarkBytesPerEntry (live heap per entry at 1,000,000 entries);
// writes and misses: BenchmarkSet and BenchmarkSetParallel (random present
// keys among 128k), BenchmarkMiss (a key never seen, against otter and the
// mutex map); bounded caches against otter with MaximumSize:
// BenchmarkBoundedHitParallel, BenchmarkBoundedSetParallel,
// BenchmarkBoundedZipfMixed (9 Gets for 1 Set over a Zipf key space),
// BenchmarkBoundedBytesPerEntry, and BenchmarkHitRatio (the hit-ratio
// simulator: Zipf, a scan mix, the LIRS traces gli and loop, replayed through
// ours, otter, an LRU and ARC at the same capacities; metric hit%); bulk
// loading: BenchmarkGetMany (1,000 missing keys, against otter's BulkGet)
// and BenchmarkBulkRefresh (10,000 due entries with a bulk loader in
// batches of 100 against the single-key loader; metric calls/refresh).
// Under -short the sizes shrink so that the smoke run is quick.
//
// The cost of one wake-up of the refresh loop has no public hook, so it is
// measured white-box in the cache package itself: BenchmarkRefreshWake in
// cache/wake_internal_test.go. cmd/report runs it from this module too (the
// cache package is a dependency here), next to impl=fullscan, the cost of one
// pass over every entry: what a loop that scans, as the Python original's
// does, would pay at each wake-up. Peers have no comparable loop to measure.
package cachebench
