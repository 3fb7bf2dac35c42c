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
// reloads that fall due together by reloading each entry at a random point
// up to an eighth of the refresh window before it comes due, and removes
// expired entries that could not be refreshed.
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
// for its own load gets [ErrReentrant].
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
// the bubble) and with clock.Mock. There is no ticker: an idle cache costs
// nothing.
//
// With the default clock, a hit does not read the clock at all. The refresh
// loop sleeps until the earliest time any entry needs attention (its refresh,
// retry or expiry time); while it sleeps before that time, every entry that
// is not loading, backing off or idle is fresh, and the loop says so with one
// flag that hits read. The flag is cleared under the scheduler's lock before
// anything can come due earlier (a new entry, Configure, Close), and by the
// loop itself 1ms before the earliest time, after which hits read the clock.
// A hit is therefore wrong only when the loop is scheduled more than 1ms
// late (an overloaded machine): then an entry may be served as fresh past its
// due or expiry time for as long as the loop is late beyond that. Inside a
// synctest bubble it is never wrong. With an injected clock (clock.Mock, or
// any WithClock), every hit reads the clock and compares precisely, so that
// stepping a mock is reflected at once.
//
// # Idle entries
//
// [WithIdleTimeout] measures idleness without writing a time on the hit
// path: a hit sets a read flag on the entry (once per load), and a value
// records when its entry was last known to be read: when a caller loaded or
// Set it, or when a reload replaced a value read since the previous one. When
// the loop finds an entry due for refresh with no read flag and a last read
// older than the timeout, it does not reload it and lets it expire at its
// TTL; a Get in its refresh window still reloads it.
//
// # Cost
//
// A fresh hit takes no lock and allocates nothing: a hash of the key, a walk
// of a sharded hash table through atomic pointers, three atomic loads and one
// atomic increment of the key's shard's hit counter. A hit on an entry whose
// reload runs allocates nothing and starts nothing. A load costs one
// goroutine and a few small allocations. Each entry costs about 65 bytes
// beyond its key and value (98 bytes in all for a string key and value, 90
// for an int key and value). A wake-up of the refresh loop costs O(d log n)
// for d due entries among n.
package cache
