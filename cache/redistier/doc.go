// Package redistier is a fleet tier for the cache module over Redis (or
// Valkey), through go-redis: the replicas of a service share one upstream
// load per key per refresh period, and a Set or Invalidate on one replica
// reaches the caches of all of them. It accepts any redis.UniversalClient (a
// single node, Sentinel or Cluster).
//
// A replica makes a [Tier] with [New], gives [Tier.Loader] to cache.New
// with [Tier.CacheOptions], and attaches the cache with [Tier.Attach]:
//
//	tier, err := redistier.New(client, "users", fetchUser)
//	c, err := cache.New(tier.Loader(), tier.CacheOptions()...)
//	err = tier.Attach(c)
//
// # Loading
//
// A load through the tier (a local miss or a refresh) first reads the key's
// record in Redis. A value younger than the point where the caches may
// start reloading it (ttl - refresh - min(refresh/8, ttl-refresh), see
// [WithTiming]) is used without calling the upstream. Otherwise the replica
// tries to take the key's lease (SET NX with the lease time, [WithLease]):
// the holder calls the upstream loader, writes the value with its load time
// to Redis (expiring after the TTL) and releases the lease; the others poll
// for the holder's value for at most the lease time, then load from the
// upstream themselves, without writing. Only a lease holder writes, and only
// while it holds the lease: a Set or Invalidate during its load voids the
// lease, so a load that began before a change never overwrites it.
//
// A value keeps its true age across the tier: a value read from Redis is
// handed to the cache with cache.SetAge, so the local TTL and refresh count
// from when the upstream produced it. The cache's TTL guarantee holds for
// tiered values.
//
// # Clocks
//
// The age of a value read from Redis is the reader's clock ([WithClock])
// minus the producer's load time, plus the skew bound S ([WithMaxSkew],
// default 100ms). If the replicas' clocks differ by at most S, that is at
// least the value's true age, so no value is served past its TTL; the price
// is that values from Redis are refreshed up to 2S early. A producer whose
// clock is behind by more than S makes its values look older: they are
// reloaded sooner, never served longer. A producer ahead by D > S makes them
// look D - S younger than they are, so they may be served up to D - S past
// their TTL; a load time more than S ahead of the reader's clock proves the
// bound broken, and such a value is treated as missing, counted and logged.
//
// # Fleet-wide changes
//
// [Tier.Invalidate] and [Tier.Set] apply to the replica's own attached
// caches at once, then change Redis and publish on the tier's channel; every
// other replica's tier applies the change to its attached caches when it
// receives it (within milliseconds). A received Set replaces the value of a
// cache that holds the key, and invalidates it (dropping any load in flight)
// in one that does not. A replica that misses a message, while its
// connection to Redis is down, keeps its value at most until its next reload
// (ttl - refresh after the load), which reads the changed Redis: never past
// its TTL.
//
// # Faults
//
// Redis is never on the path of an error to a caller of the cache ([Tier.Set]
// and [Tier.Invalidate] return theirs, after the local change). A failed
// or timed-out Redis call ([WithTimeout], default 100ms) is counted and
// logged (once per outage), and the load goes to the upstream loader as if
// there were no tier. After a failure, loads skip Redis for a backoff (10ms,
// doubled to 500ms) and the first load after it probes Redis again, so an
// outage costs no timeout per load and the tier recovers by itself. The
// subscriber reconnects and subscribes again by itself, and replaces a
// connection that stops answering its pings. A record or message that does
// not decode is treated as missing (a received Set as an Invalidate),
// counted and logged.
//
// # Concurrency and lifetime
//
// Every method may be called concurrently. New starts one goroutine, the
// subscriber, which [Tier.Close] stops and waits for. Close does not close the
// client or the caches; loads after Close go to the upstream directly.
//
// # Cost
//
// A load that finds a fresh value in Redis costs one round trip (GET) and
// one decode. The load that refreshes a key for the fleet costs three (GET;
// SET NX with a second GET, pipelined; a script that writes and releases),
// plus the upstream call and one encode. A waiter polls with one pipelined
// round trip after 0.1ms, doubled up to 20ms apart. Set and Invalidate cost
// two round trips (a script or DEL, then PUBLISH), and one message to every
// replica. The subscriber pings after a second without messages.
package redistier
