// Package defaults holds the tunable defaults of the asyncutils modules: the
// cache's TTL (builtin 60s) and refresh window (builtin 15s), and gather's
// concurrency limit (builtin 8).
//
// It is the Go form of the Python decimal-style context of asyncutils
// (getcontext, setcontext, localcontext): [Current] and [Set] are the
// process-wide values, [NewContext] scopes an override to a context.Context
// and [FromContext] reads the override, falling back to [Current].
//
// # Concurrency
//
// All functions are safe for concurrent use. Reading ([Current],
// [FromContext]) is lock-free: one atomic pointer load, plus a context lookup
// for FromContext. [Set] validates first and then swaps the whole Values
// atomically, so a reader sees either the old values or the new ones, never a
// mix.
//
// # Bad input
//
// Invalid values are never corrected silently: [Set] and [NewContext] return
// an error wrapping [ErrInvalid] that names every offending field, and change
// nothing.
//
// # Who reads what
//
// The cache reads [Current] when it is constructed (a cache outlives any one
// request, so a request's context does not configure it); gather reads
// [FromContext] of the call's ctx when the limit passed is 0. Changing the
// defaults never changes a cache that already exists.
//
// The package uses only the standard library and reads no time.
package defaults
