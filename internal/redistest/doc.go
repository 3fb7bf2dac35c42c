// Package redistest starts a real redis-server for the tests and benchmarks
// of the asyncutils modules that talk to Redis (the integration tests of
// cache/redistier, the fleet benchmarks in bench/fleet).
//
// [Start] runs redis-server from PATH on a free loopback port, with its
// files in a temporary folder and no persistence (no RDB snapshots, no
// append-only file), waits until it answers a PING, and kills it when the
// test or benchmark ends. Without redis-server on PATH it skips the test
// with the caller's message, or fails it when REDISTIER_REQUIRE=1
// ([RequireEnv]), as CI sets, so that the Redis tests cannot silently not
// run. A [Server] can be killed and started again on the same port, empty,
// as after a crash ([Server.Kill], [Server.Restart]), and frozen and resumed
// as a hung host ([Server.Stop], [Server.Continue]).
//
// Its methods report problems through the test's Fatalf, so they are called
// from the goroutine running the test, as testing's Fatal requires.
//
// Why here, in the internal module: it is the one place both users can
// import without any go.mod gaining a require. cache/redistier and bench
// require internal already, Go's internal-package rule keeps the package out
// of every user's reach (a test helper is no part of the tier's API, which
// an exported package of cache/redistier would have been), and it uses the
// standard library alone, checking readiness with a PING of its own instead
// of a Redis client, and the few methods of testing.TB it calls through the
// small [TB] interface. So the internal module's requires stay as they are,
// and neither the modules in go.work, which all require internal, nor their
// consumers ever see a Redis client in their module graph. Like the rest of
// internal, it changes only additively.
package redistest
