package cache

import (
	"errors"

	"github.com/asyncutils-go/asyncutils/internal"
)

var (
	// ErrClosed is returned by Get, GetWith, Load and Refresh once Close has
	// been called, and by a waiter whose load Close cancelled.
	ErrClosed = errors.New("cache: closed")

	// ErrNoLoader is wrapped by the error of a load for a key that has no
	// per-key loader when the cache has no default loader.
	ErrNoLoader = errors.New("cache: no loader")

	// ErrInvalidConfig is wrapped by the error New and Configure return for a
	// configuration that breaks a rule; the message names each problem.
	ErrInvalidConfig = errors.New("cache: invalid configuration")

	// ErrReentrant is returned to a loader that gets, loads or refreshes the
	// key it is loading (directly, or through the loader of another key):
	// waiting for its own load would never end.
	ErrReentrant = errors.New("cache: a loader waits for its own load")

	// ErrNotFound is what a loader returns (wrapped or not) for a key that
	// does not exist upstream, and what Get returns for it: a bulk loader
	// that leaves a key out of its map says the same. With WithNegativeTTL
	// the answer is cached; Get then returns ErrNotFound itself.
	ErrNotFound = errors.New("cache: not found")

	// ErrTooOld is wrapped by the error of a load whose loader reported, with
	// SetAge, a value older than the TTL: such a value is never stored or
	// returned.
	ErrTooOld = errors.New("cache: loaded value older than the TTL")

	// ErrGoexit is wrapped by the error of a load whose loader called
	// runtime.Goexit (for example through t.FailNow) instead of returning.
	ErrGoexit = internal.ErrGoexit
)

// PanicError is the error of a load whose loader panicked: the recovered
// value and the stack. It is the type every asyncutils module shares, so
// errors.As matches it whichever module reported it.
type PanicError = internal.PanicError
