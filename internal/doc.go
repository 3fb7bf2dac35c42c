// Package internal holds what the asyncutils modules share: the [PanicError]
// type that every module re-exports, and [Guard], which runs user code so that
// a panic or a runtime.Goexit becomes an error instead of a crash or a hang.
//
// The clock defaulting lives in the subpackage timing, so that modules which
// never read time do not pull the clock module into their consumers' builds.
// The subpackage redistest starts a real redis-server for the tests of the
// modules that talk to Redis; only their tests import it.
//
// This module changes only additively: a breaking change needs internal/v2.
// It is importable only by the asyncutils modules themselves.
package internal
