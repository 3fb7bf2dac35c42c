package fleetbench_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"

	"github.com/asyncutils-go/asyncutils/internal/redistest"
)

// TestMain checks that no benchmark leaves a goroutine behind: every
// replica's cache, tier and client are closed, and every redis-server is
// killed, by the benchmark that started it. sturdyc runs without its
// eviction goroutine (WithNoContinuousEvictions), which could not be
// stopped; the writes to its distributed storage that it starts on
// goroutines of its own end with their Redis call.
//
// go-redis's own log (a refused dial while a server starts, a connection
// closed at the end) is dropped: the tiers count and log their Redis errors
// themselves.
//
// go test prints nothing for a benchmark that skips, so a run of the
// benchmarks without redis-server says here, once, that they skip (and
// each fails under REDISTIER_REQUIRE=1).
func TestMain(m *testing.M) {
	redis.SetLogger(discard{})
	flag.Parse()
	if f := flag.Lookup("test.bench"); f != nil && f.Value.String() != "" {
		if !redistest.Installed() {
			fmt.Fprintln(os.Stderr, missingRedis)
		}
	}
	goleak.VerifyTestMain(m)
}

type discard struct{}

func (discard) Printf(context.Context, string, ...any) {}
