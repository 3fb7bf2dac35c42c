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
// Why here, in the internal module, rather than an exported package of
// cache/redistier that bench/fleet would import: neither puts a new module
// in anyone's graph (cache/redistier and bench had internal in theirs; their
// require of it only turns direct), but here Go's internal-package rule keeps
// a test helper out of users' reach, where in cache/redistier it would be
// part of the tier's public API. And the package uses the standard library
// alone (a PING of its own in the Redis protocol rather than a Redis client,
// the few methods of testing.TB it calls through [TB]), so the internal
// module's requires stay as they are, and neither the modules in go.work,
// which all require internal, nor their consumers ever get a Redis client in
// their module graph. Like the rest of internal, it changes only additively.
package redistest
