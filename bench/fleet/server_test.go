package fleetbench_test

import (
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/asyncutils-go/asyncutils/internal/redistest"
)

// missingRedis says what a run without redis-server does, and how to run
// the fleet benchmarks.
const missingRedis = "fleetbench: redis-server not found, the fleet benchmarks skip: run bash scripts/bench.sh or bash scripts/test.sh bench as root (they install the Debian package redis-server), or install it"

// startRedis starts a real redis-server on a free loopback port for one
// benchmark, with no persistence, killed when it ends (internal/redistest),
// or skips the benchmark when there is none: fails it under
// REDISTIER_REQUIRE=1, which CI (.ci/run) and scripts/bench.sh set so that
// the fleet benchmarks cannot silently not run.
func startRedis(tb testing.TB) *redistest.Server {
	tb.Helper()
	return redistest.Start(tb, missingRedis)
}

// newClient is a client as a service would configure one: no retries (the
// tier's fallback is the retry), a short dial timeout.
func newClient(srv *redistest.Server) *redis.Client {
	return redis.NewClient(&redis.Options{Addr: srv.Addr(), MaxRetries: -1, DialTimeout: time.Second})
}
