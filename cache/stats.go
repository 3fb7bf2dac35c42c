package cache

import "sync/atomic"

// Stats are the cache's counters since New. Each counter is read atomically,
// but the set is not one snapshot: counters that change while Stats runs may
// be read before or after the change.
type Stats struct {
	Hits          uint64 // Get calls answered from the cache, fresh or in the refresh window
	Misses        uint64 // Get calls that found no usable value and waited for a load
	Loads         uint64 // synchronous loader calls (a missing or expired key, or Load)
	LoadErrors    uint64 // synchronous loader calls that failed (ErrNotFound is an answer, not a failure)
	Refreshes     uint64 // background reloads (the refresh loop, a Get in the window, Refresh)
	RefreshErrors uint64 // background reloads that failed (ErrNotFound excepted, as for LoadErrors)
	Expirations   uint64 // values (and cached "not found" answers) dropped or replaced because they were older than their TTL
	Evictions     uint64 // entries the eviction policy removed to keep WithMaxSize or WithMaxWeight, cached "not found" answers included
	EvictedWeight uint64 // their total weight: the weigher's weight of the values evicted, as WithOnRemoval is given them (1 each with WithMaxSize, and for an answer); it saturates at math.MaxUint64
	NegativeHits  uint64 // Get calls answered ErrNotFound from a cached "not found" (WithNegativeTTL)
	StaleHits     uint64 // Get calls answered with a value past its TTL because its reloads failed (WithStaleIfError)
}

// hitStripe counts the hits of an unbounded cache by the goroutines whose
// stacks pick it (stripeHint), in a cache line of its own: hits on
// different cores then rarely write one line, as they did when every hit
// counted in its key's shard (parallel hits of random keys moved the
// shards' counter lines between the cores).
type hitStripe struct {
	n atomic.Uint64
	_ [56]byte
}

// counters are the cache-wide counters of rare events. Misses and loads
// are counted per shard, hits per goroutine stripe (hitStripe; a bounded
// cache's in its read stripes), so that the cores do not all write one
// cache line.
type counters struct {
	loadErrors    atomic.Uint64
	refreshes     atomic.Uint64
	refreshErrors atomic.Uint64
	expirations   atomic.Uint64
	negativeHits  atomic.Uint64
	staleHits     atomic.Uint64
}

// Stats returns the counters. It costs one pass over the shards (and the
// read stripes of a bounded cache). Each counter is read on its own, so
// counters read while calls run may be a moment apart.
func (c *Cache[K, V]) Stats() Stats {
	var hits, misses, loads, evictions, evictedWeight uint64
	if c.bound != nil {
		evictions, evictedWeight = c.bound.evictions.Load(), c.bound.evictedWeight.Load()
		hits = c.bound.hits()
	}
	for i := range c.hitStripes {
		hits += c.hitStripes[i].n.Load()
	}
	for i := range c.shards {
		s := &c.shards[i]
		misses += s.misses.Load()
		loads += s.loads.Load()
	}
	return Stats{
		Hits:          hits,
		Misses:        misses,
		Loads:         loads,
		LoadErrors:    c.counters.loadErrors.Load(),
		Refreshes:     c.counters.refreshes.Load(),
		RefreshErrors: c.counters.refreshErrors.Load(),
		Expirations:   c.counters.expirations.Load(),
		Evictions:     evictions,
		EvictedWeight: evictedWeight,
		NegativeHits:  c.counters.negativeHits.Load(),
		StaleHits:     c.counters.staleHits.Load(),
	}
}
