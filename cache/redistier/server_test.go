package redistier_test

import (
	"testing"

	"github.com/asyncutils-go/asyncutils/internal/redistest"
)

// startRedis starts a real redis-server on a free loopback port for one test
// or benchmark, killed when it ends (internal/redistest), or skips it when
// there is none: fails it under REDISTIER_REQUIRE=1, which CI sets so that
// the integration tests cannot silently not run.
func startRedis(tb testing.TB) *redistest.Server {
	tb.Helper()
	return redistest.Start(tb, "redis-server not found: run bash scripts/test.sh cache/redistier as root (it installs the Debian package redis-server), or install it")
}
