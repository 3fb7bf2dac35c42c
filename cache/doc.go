// Package cache is a generic, concurrent cache whose entries carry a TTL and
// are reloaded in the background before they expire, so that readers never
// wait for a loader once a key is warm.
//
// # Semantics
//
// An entry is expired when its age (the time since it was loaded) is over
// the TTL, and due for refresh when its age is over TTL - refresh. [Cache.Get]
// returns a fresh value at once; a value due for refresh is returned at once
// too, and one background reload of the key starts (never a second one while
// one runs). A missing or expired key is loaded synchronously; concurrent
// callers of one key share one loader call, and each waiter honours its own
// context. The load runs under the values of the context of the caller
// that started it but not its cancellation; Close cancels it. It runs on a
// goroutine of the cache, except a synchronous load started by a caller
// whose ctx can never end (no Done channel, as context.Background): that
// caller could not leave early anyway, so the loader runs on its goroutine.
//
// A refresh loop, started by [New] and stopped by [Cache.Close], reloads
// entries in the background as they come due, so that readers of hot keys
// never wait for a loader. By default it reloads an entry only if a Get was
// served from it since its last load: hot keys stay warm, keys nobody reads
// expire at their TTL, and the upstream's load follows the reads, not the
// number of keys ever seen. [WithIdleTimeout] widens that to entries read
// within a duration; [WithKeepWarm] reloads every entry until it is removed.
// The loop runs at most [WithMaxConcurrentRefreshes] reloads at once,
// spreads reloads that fall due together (each up to an eighth of the
// refresh window early, at random), and removes expired entries. Its cost
// follows the entries that come due, not the size of the cache.
//
// A failed synchronous load returns the loader's error and caches nothing. A
// failed background reload keeps the value, goes to the error handler
// ([WithErrorHandler], with batched true for loop reloads and false for
// single-key ones) or, without one, to the logger at warning level, and is
// retried by the loop with capped, jittered exponential backoff
// ([WithBackoff]) until the entry expires; Gets in between do not retry it.
// Reloads cancelled by Close are not failures and are reported nowhere. A
// [Cache.Set], [Cache.Invalidate] or [Cache.Clear] during a load wins: the
// load's result is returned to its waiters but not stored.
//
// A panic in a loader fails its load with an error ("cache: loader: panic:
// ...") wrapping the [*PanicError]; a loader that calls runtime.Goexit fails
// its load with an error ("cache: loader: ...") wrapping [ErrGoexit]. A
// panicking error handler is recovered and logged.
//
// No callback runs under a lock of the cache: loaders run on a goroutine of
// the cache, the error handler and the logger on the reload's goroutine after
// its waiters were released, the body of a range over [Cache.All] on the
// caller's goroutine. Each may call any method of the cache but Close, which
// waits for the cache's goroutines and so, called from a loader or handler,
// for itself (start it on a new goroutine instead). A loader that would wait
// for a load that waits for it, directly or through any chain of other loads
// (of this cache or another), gets [ErrReentrant] at once instead of a
// deadlock.
//
// # Defaults
//
// The TTL comes from defaults.Current() (60s builtin) when not given. A
// refresh window not given follows the TTL by the defaults' ratio (15s/60s
// builtin: TTL/4), so WithTTL alone is always valid; one given explicitly is
// kept and checked. Refresh 0 makes a plain TTL cache. Invalid values are an
// error wrapping [ErrInvalidConfig], never corrected.
//
// # Loading at scale
//
// A cache made by [NewBulk] loads through a [BulkLoader]: misses of
// different keys that arrive close together, and the refresh loop's reloads
// of entries that come due together, are coalesced into batches
// ([WithBatch]), one call each; a failed batch is reported once.
// [Cache.GetMany] gets many keys with as few loader calls as the loader
// allows. A loader's [ErrNotFound] (or a key a bulk loader leaves out) is
// returned to the caller and, with [WithNegativeTTL], cached. With
// [WithStaleIfError], a value whose reloads keep failing is served for a
// while past its TTL.
//
// # Bounded memory
//
// By default the cache holds every key read within a TTL. [WithMaxSize] or
// [WithMaxWeight] bound it: when a write passes the bound, an adaptive
// W-TinyLFU policy evicts the entries least likely to be read again (it is
// scan-resistant, and its frequency estimates use a per-cache random hash
// seed and random admission, so a flood of crafted keys cannot flush the hot
// set). Writes reach the policy in batches: a writer drains once 64 writes
// wait, and the cache's own goroutine drains what is left 0.1 ms after a
// write when the cache is quiet, and within 40 ms in any case (on a
// machine that runs it). The bound is passed only until that drain, by at
// most 128 entries (or their weight) plus one per write in progress at that
// moment: a goroutine's Set, or a load storing its value (GetMany with a
// single-key loader runs up to [WithMaxConcurrentRefreshes] loads per call
// on the cache's goroutines, each one such write). So, right after a Set,
// Len may be over the bound by a few entries for a moment. An evicted
// entry's reload is dropped, and [WithOnRemoval] is told why each value left. What a hit tells the
// policy may be lost when hits come faster than the policy takes them in
// (the buffer is lossy, as in Caffeine and otter): the policy then
// undercounts how often the entry is read. But every hit also marks its
// entry, and an entry read since the policy last counted it is not evicted
// when its turn comes: it is counted as read instead (up to 64 such entries
// in one eviction, so that the bound still holds).
//
// # The TTL is a hard bound
//
// A Get never returns a value whose age, at the time of the call, is over
// the TTL (unless [WithStaleIfError] asks for it), with any clock and
// however late the refresh loop runs (a starved
// CPU, a paused process): the age is checked on every Get, not trusted to a
// timer. A value's age counts from when its loader returned it, or from when
// it was produced if the loader says so with [SetAge].
//
// Durations saturate: math.MaxInt64 means forever for the TTL, the refresh
// window and the backoff, and no sum of times overflows.
//
// # Time
//
// Every time is read from the injected clock ([WithClock], default the real
// clock): the cache works inside testing/synctest bubbles (create it inside
// the bubble) and with clock.Mock. There is no ticker: an idle cache costs
// no CPU.
//
// # Cost
//
// A hit takes no lock and allocates nothing: a hash of the key, a walk of a
// sharded hash table through atomic pointers, one read of the clock, a few
// atomic loads, and one atomic increment of the key's shard's hit counter.
// A hit on an entry whose reload runs allocates nothing and starts nothing.
// A Set of a present key takes no lock: one allocation and one
// compare-and-swap. A load costs a few small allocations and one goroutine
// (none when its caller's ctx has no Done channel: it runs on the caller's),
// and takes only the lock of its key's shard. With a bound, a hit counts
// itself in a ring of recent hits instead of its shard (one atomic
// increment and one store) and does no policy work: the cache's own
// goroutine feeds the rings to the policy; a write appends one event to the
// policy's queue and, when the policy is free, applies the queue itself.
package cache
