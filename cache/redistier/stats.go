package redistier

import (
	"sync/atomic"

	"github.com/asyncutils-go/asyncutils/cache"
)

// Stats are the tier's counters since New. Each is read atomically, but the
// set is not one snapshot.
type Stats struct {
	FromRedis     uint64 // loads answered by a fresh value from Redis, without the upstream
	UpstreamLoads uint64 // calls of the upstream loader, for any reason
	LeaseWins     uint64 // loads that took a key's lease and called the upstream for the fleet
	LeaseWaits    uint64 // loads that found the lease taken and waited for its holder's value
	LeaseTimeouts uint64 // waits that ended without a fresh value, so the replica loaded alone
	RedisErrors   uint64 // failed or timed-out Redis calls, the subscriber's included
	Bypassed      uint64 // loads that skipped Redis because it had just failed
	DecodeErrors  uint64 // records and messages that did not decode, including skewed load times
	EncodeErrors  uint64 // values the codec could not encode (served, not shared)
	ChangesSent   uint64 // Set and Invalidate calls published to the fleet
	ChangesRecv   uint64 // changes received from other replicas and applied to attached caches, or skipped as older than one of this replica's on its way back
	Resubscribes  uint64 // times the subscriber subscribed again after losing its connection
}

type counters struct {
	fromRedis, upstream, leaseWins, leaseWaits, leaseTimeouts atomic.Uint64
	redisErrors, bypassed, decodeErrors, encodeErrors         atomic.Uint64
	changesSent, changesRecv, resubscribes                    atomic.Uint64
}

// Stats returns the tier's counters.
func (t *Tier[K, V]) Stats() Stats {
	c := &t.stats
	return Stats{
		FromRedis: c.fromRedis.Load(), UpstreamLoads: c.upstream.Load(),
		LeaseWins: c.leaseWins.Load(), LeaseWaits: c.leaseWaits.Load(), LeaseTimeouts: c.leaseTimeouts.Load(),
		RedisErrors: c.redisErrors.Load(), Bypassed: c.bypassed.Load(),
		DecodeErrors: c.decodeErrors.Load(), EncodeErrors: c.encodeErrors.Load(),
		ChangesSent: c.changesSent.Load(), ChangesRecv: c.changesRecv.Load(), Resubscribes: c.resubscribes.Load(),
	}
}

// Metrics returns every counter of [Tier.Stats] as a [cache.Metric], named
// cache.tier.*, for exporters: the tier satisfies otelcache.Source, so
// otelcache.Register exports its figures next to the cache's. It allocates
// the returned slice, nothing else.
func (t *Tier[K, V]) Metrics() []cache.Metric {
	s := t.Stats()
	counter := func(name, unit, desc string, v uint64) cache.Metric {
		return cache.Metric{Name: "cache.tier." + name, Unit: unit, Description: desc, Value: int64(min(v, 1<<63-1))}
	}
	return []cache.Metric{
		counter("redis.hits", "{load}", "Loads answered by a fresh value from Redis, without the upstream.", s.FromRedis),
		counter("upstream.loads", "{load}", "Calls of the upstream loader, for any reason.", s.UpstreamLoads),
		counter("lease.wins", "{load}", "Loads that took a key's lease and called the upstream for the fleet.", s.LeaseWins),
		counter("lease.waits", "{load}", "Loads that found the lease taken and waited for its holder's value.", s.LeaseWaits),
		counter("lease.timeouts", "{load}", "Waits that ended without a fresh value, so the replica loaded alone.", s.LeaseTimeouts),
		counter("redis.errors", "{error}", "Failed or timed-out Redis calls, the subscriber's included.", s.RedisErrors),
		counter("redis.bypassed", "{load}", "Loads that skipped Redis because it had just failed.", s.Bypassed),
		counter("decode.errors", "{error}", "Records and messages that did not decode.", s.DecodeErrors),
		counter("encode.errors", "{error}", "Values the codec could not encode (served, not shared).", s.EncodeErrors),
		counter("changes.sent", "{change}", "Set and Invalidate calls published to the fleet.", s.ChangesSent),
		counter("changes.received", "{change}", "Changes received from other replicas and applied.", s.ChangesRecv),
		counter("resubscribes", "{event}", "Times the subscriber subscribed again after losing its connection.", s.Resubscribes),
	}
}
