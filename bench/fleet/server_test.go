package fleetbench_test

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// requireEnv makes a missing redis-server a failure instead of a skip; CI
// (.ci/run) and scripts/bench.sh set it, so that the fleet benchmarks
// cannot silently not run.
const requireEnv = "REDISTIER_REQUIRE"

// missingRedis says what a run without redis-server does, and how to run
// the fleet benchmarks.
const missingRedis = "fleetbench: redis-server not found, the fleet benchmarks skip: run bash scripts/bench.sh or bash scripts/test.sh bench as root (they install the Debian package redis-server), or install it"

// redisServer is a real redis-server on a free loopback port, with its
// files in a temporary folder and no persistence, killed when the
// benchmark ends.
type redisServer struct {
	addr string
	cmd  *exec.Cmd
}

// startRedis starts a redis-server from PATH, or skips the benchmark when
// there is none (fails it when REDISTIER_REQUIRE=1).
func startRedis(tb testing.TB) *redisServer {
	tb.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		msg := missingRedis
		if os.Getenv(requireEnv) == "1" {
			tb.Fatalf("%s (%s=1)", msg, requireEnv)
		}
		tb.Skip(msg)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	dir := tb.TempDir()
	s := &redisServer{addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port))}
	s.cmd = exec.Command(bin,
		"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
		"--save", "", "--appendonly", "no", "--daemonize", "no",
		"--loglevel", "warning", "--logfile", filepath.Join(dir, "redis.log"))
	if err := s.cmd.Start(); err != nil {
		tb.Fatalf("fleetbench: starting redis-server: %v", err)
	}
	tb.Cleanup(s.kill)
	c := redis.NewClient(&redis.Options{Addr: s.addr, MaxRetries: -1})
	defer func() { _ = c.Close() }()
	for deadline := time.Now().Add(10 * time.Second); ; {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return s
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "redis.log"))
			tb.Fatalf("fleetbench: redis-server on %s did not answer: %v\n%s", s.addr, err, log)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// client is a client as a service would configure one: no retries (the
// tier's fallback is the retry), a short dial timeout.
func (s *redisServer) client() *redis.Client {
	return redis.NewClient(&redis.Options{Addr: s.addr, MaxRetries: -1, DialTimeout: time.Second})
}

func (s *redisServer) kill() {
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	_ = s.cmd.Wait()
}
