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
// context. The load runs on a goroutine of the cache, under the values of the
// context of the caller that started it but not its cancellation; Close
// cancels it.
//
// A refresh loop, started by [New] and stopped by [Cache.Close], sleeps until
// the earliest entry comes due (a min-heap ordered by due time: a wake-up
// costs O(d log n) for d due entries among n, never a scan), reloads due
// entries with at most [WithMaxConcurrentRefreshes] reloads at once, spreads
// reloads that fall due together by a jitter of up to an eighth of the
// refresh window, and removes expired entries that could not be refreshed.
// With [WithIdleTimeout], entries nobody has read for a while are not
// reloaded and expire instead.
//
// A failed synchronous load returns the loader's error and caches nothing. A
// failed background reload keeps the value, goes to the error handler
// ([WithErrorHandler], with batched true for loop reloads and false for
// single-key ones) or, without one, to the logger at warning level, and is
// retried by the loop with capped, jittered exponential backoff
// ([WithBackoff]) until the entry expires; Gets in between do not retry it.
// A [Cache.Set], [Cache.Invalidate] or [Cache.Clear] during a load wins: the
// load's result is returned to its waiters but not stored.
//
// Panics in loaders are returned as [*PanicError]; a loader that calls
// runtime.Goexit fails its load with an error wrapping [ErrGoexit]. A
// panicking error handler is recovered and logged.
//
// # Defaults
//
// TTL and refresh window come from defaults.Current() (60s and 15s builtin)
// when not given. Refresh 0 makes a plain TTL cache. Invalid values are an
// error wrapping [ErrInvalidConfig], never corrected.
//
// # Time
//
// Every time is read from the injected clock ([WithClock], default the real
// clock): the cache works inside testing/synctest bubbles (create it inside
// the bubble) and with clock.Mock. A hit reads the clock once, precisely;
// there is no coarse clock and no ticker, so an idle cache costs nothing.
//
// # Cost
//
// A fresh hit takes no lock and allocates nothing: a hash of the key, a walk
// of a sharded hash table through atomic pointers, one clock read and one
// atomic counter increment on the key's shard. A hit on an entry whose reload
// runs allocates nothing and starts nothing. A load costs one goroutine and a
// few small allocations. Each entry costs about 100 bytes beyond its key and
// value.
package cache
