// Package fleetbench measures the fleet tier of the cache
// (cache/redistier) against a real redis-server on loopback, which each
// benchmark starts from PATH on a free port and kills at its end (without
// redis-server they skip, saying how to get it; with REDISTIER_REQUIRE=1,
// as in CI and scripts/bench.sh, they fail). A fleet is replicas in one
// process, each with its own Redis client and cache: impl=asyncutils is the
// cache over the tier; impl=cache-alone is the same cache without a tier,
// as each replica runs without one; impl=sturdyc is sturdyc with its
// distributed storage on the same redis-server, in its early-refresh mode
// (a refresh reads the record in Redis first and uses it while it is younger
// than ttl - refresh; the refreshes come due at random in the refresh
// window). The upstream takes 1ms per call, a database query, unless said
// otherwise.
//
// Scenarios:
//
//   - BenchmarkRefreshLoad: 8 replicas read the same 100 hot keys (TTL
//     400ms, refresh window 100ms: a key is reloaded every 300ms, a
//     period) while the benchmark runs; calls/key/period is the upstream's
//     calls per key per period for the whole fleet (the goal of the tier:
//     1, against 8 for the cache alone), and max-age-ms the age of the
//     oldest value any replica served, counted from when the upstream
//     produced it (the TTL bounds it, when the tier keeps a value's age).
//   - BenchmarkMissStampede: the 8 replicas Get one new key at the same
//     moment; calls/key is the upstream's calls for it (one for the fleet
//     with the lease, one per replica without), ns/op until every replica
//     has the value.
//   - BenchmarkMissFromRedis: a local miss of a key another replica has
//     loaded, its value in Redis: one round trip and a decode, against the
//     upstream for the cache alone.
//   - BenchmarkMissLoadsForFleet: a local miss of a key no replica has, on
//     the replica that loads it: what the tier adds to the upstream (a read,
//     the lease, the leased write: three round trips).
//   - BenchmarkChange: Invalidate (op=invalidate) or Set (op=set) on one
//     replica of 8, until every replica's cache has applied it (seen
//     through cache.WithOnRemoval): the propagation latency, ours alone,
//     since neither peer propagates a change to the other replicas' memory.
//
// Under -short the refresh scenario reads 20 keys.
package fleetbench
