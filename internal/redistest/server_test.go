package redistest_test

import (
	"errors"
	"fmt"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/asyncutils-go/asyncutils/internal/redistest"
)

// missing is the skip message of these tests.
const missing = "redistest: redis-server not found, these tests skip: run bash scripts/test.sh internal as root (it installs the Debian package redis-server), or install it"

// needRedis skips the test, or fails it under REDISTIER_REQUIRE=1, when
// there is no redis-server, as Start does: for the tests that start their
// server in a subtest or through a recorder, which would not skip the test.
func needRedis(t *testing.T) {
	t.Helper()
	if !redistest.Installed() {
		redistest.Start(t, missing)
	}
}

// recorder is a redistest.TB that records what Skip and Fatalf say instead
// of reporting it, and hands the rest to the test.
type recorder struct {
	t       *testing.T
	skipped string
	failed  string
}

func (r *recorder) Helper()          {}
func (r *recorder) Cleanup(f func()) { r.t.Cleanup(f) }
func (r *recorder) TempDir() string  { return r.t.TempDir() }
func (r *recorder) Skip(args ...any) { r.skipped = fmt.Sprint(args...); runtime.Goexit() }
func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// call runs f on a goroutine of its own, as the test's goroutine, so that
// Skip and Fatalf can end it as testing's do, and waits for it to end.
func (r *recorder) call(f func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	<-done
}

// The server answers on loopback at Addr, binds loopback only, and
// persists nothing.
func TestStart_Answers(t *testing.T) {
	srv := redistest.Start(t, missing)
	host, port, err := net.SplitHostPort(srv.Addr())
	if err != nil || host != "127.0.0.1" || port == "0" {
		t.Fatalf("Addr() = %q (%v), want 127.0.0.1 and a port", srv.Addr(), err)
	}
	c := dial(t, srv.Addr())
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"PING"}, "+PONG"},
		{[]string{"CONFIG", "GET", "bind"}, "bind 127.0.0.1"},
		{[]string{"CONFIG", "GET", "port"}, "port " + port},
		{[]string{"CONFIG", "GET", "save"}, "save "},
		{[]string{"CONFIG", "GET", "appendonly"}, "appendonly no"},
	} {
		if got := c.do(t, tc.args...); got != tc.want {
			t.Errorf("%v = %q, want %q", tc.args, got, tc.want)
		}
	}
}

// Two servers at once have ports of their own.
func TestStart_TwoServers(t *testing.T) {
	a, b := redistest.Start(t, missing), redistest.Start(t, missing)
	if a.Addr() == b.Addr() {
		t.Fatalf("both servers are on %s", a.Addr())
	}
	dial(t, a.Addr()).do(t, "SET", "k", "a")
	if got := dial(t, b.Addr()).do(t, "GET", "k"); got != "(nil)" {
		t.Errorf("GET k on the second server = %q, want (nil): the servers share data", got)
	}
}

// The server is killed when the test that started it ends.
func TestStart_KilledAtCleanup(t *testing.T) {
	needRedis(t)
	var addr string
	t.Run("server", func(t *testing.T) {
		addr = redistest.Start(t, missing).Addr()
		dial(t, addr).do(t, "PING")
	})
	if addr == "" {
		t.Fatal("the subtest did not start a server")
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		_ = c.Close()
		t.Fatalf("%s still accepts connections after the test that started it ended", addr)
	}
}

// Kill is a crash: connections break, the port refuses; Restart brings the
// server back on the same address, empty. A second Kill does nothing.
func TestServer_KillRestart(t *testing.T) {
	srv := redistest.Start(t, missing)
	addr := srv.Addr()
	c := dial(t, addr)
	if got := c.do(t, "SET", "k", "v"); got != "+OK" {
		t.Fatalf("SET = %q", got)
	}
	srv.Kill()
	srv.Kill()
	if err := c.send("PING"); err == nil {
		if r, err := c.reply(time.Second); err == nil {
			t.Fatalf("PING on a connection to the killed server = %q, want an error", r)
		}
	}
	if d, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		_ = d.Close()
		t.Fatal("the killed server's port still accepts connections")
	}
	srv.Restart()
	if srv.Addr() != addr {
		t.Fatalf("Addr() after Restart = %s, want %s", srv.Addr(), addr)
	}
	if got := dial(t, addr).do(t, "GET", "k"); got != "(nil)" {
		t.Errorf("GET k after Kill and Restart = %q, want (nil): nothing persists", got)
	}
}

// Stop freezes the server: a command is sent but not answered; Continue
// resumes it and the command is answered. Kill also ends a stopped server.
func TestServer_StopContinue(t *testing.T) {
	srv := redistest.Start(t, missing)
	c := dial(t, srv.Addr())
	c.do(t, "PING")
	srv.Stop()
	if err := c.send("PING"); err != nil {
		t.Fatal(err)
	}
	r, err := c.reply(300 * time.Millisecond)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("PING to a stopped server = %q, %v; want a timeout", r, err)
	}
	srv.Continue()
	if r, err := c.reply(5 * time.Second); err != nil || r != "+PONG" {
		t.Fatalf("the PING sent while stopped, after Continue = %q, %v; want +PONG", r, err)
	}
	srv.Continue() // resuming a running server does nothing
	c.do(t, "PING")

	srv.Stop()
	srv.Kill()
	if d, err := net.DialTimeout("tcp", srv.Addr(), time.Second); err == nil {
		_ = d.Close()
		t.Fatal("a stopped server still accepts connections after Kill")
	}
}

// Without redis-server on PATH, Start skips with the caller's message, or
// fails with it under REDISTIER_REQUIRE=1 (only "1").
func TestStart_MissingRedis(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	if redistest.Installed() {
		t.Fatal("Installed() with an empty PATH = true")
	}
	for _, tc := range []struct {
		env, missing, skip, fail string
	}{
		{"", "no redis: install it", "no redis: install it", ""},
		{"0", "no redis: install it", "no redis: install it", ""},
		{"true", "no redis: install it", "no redis: install it", ""},
		{"1", "no redis: install it", "", "no redis: install it (REDISTIER_REQUIRE=1)"},
		{"", "", "redistest: redis-server not found on PATH", ""},
		{"1", "", "", "redistest: redis-server not found on PATH (REDISTIER_REQUIRE=1)"},
	} {
		t.Run(fmt.Sprintf("env=%q,missing=%q", tc.env, tc.missing), func(t *testing.T) {
			t.Setenv(redistest.RequireEnv, tc.env)
			r := &recorder{t: t}
			var srv *redistest.Server
			r.call(func() { srv = redistest.Start(r, tc.missing) })
			if srv != nil || r.skipped != tc.skip || r.failed != tc.fail {
				t.Errorf("Start = %v, skipped %q, failed %q; want no server, skipped %q, failed %q",
					srv, r.skipped, r.failed, tc.skip, tc.fail)
			}
		})
	}
}

// Restart of a running server, and Stop or Continue of a killed one, fail
// the test with a message naming the package and the mistake.
func TestServer_Misuse(t *testing.T) {
	needRedis(t)
	r := &recorder{t: t}
	var srv *redistest.Server
	r.call(func() { srv = redistest.Start(r, missing) })
	if srv == nil {
		t.Fatalf("Start: skipped %q, failed %q", r.skipped, r.failed)
	}
	for _, tc := range []struct {
		name   string
		call   func()
		killed bool
		want   string
	}{
		{"Restart/running", func() { srv.Restart(); dial(t, srv.Addr()).do(t, "PING") }, false, "redistest: Restart of the redis-server on " + srv.Addr() + ", which is running"},
		{"Stop/killed", srv.Stop, true, "redistest: Stop of the redis-server on " + srv.Addr() + ", which is killed"},
		{"Continue/killed", srv.Continue, true, "redistest: Continue of the redis-server on " + srv.Addr() + ", which is killed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.killed {
				srv.Kill()
			}
			r.failed = ""
			r.call(tc.call)
			if !strings.HasPrefix(r.failed, tc.want) {
				t.Errorf("failed %q, want %q", r.failed, tc.want)
			}
		})
	}
	// the failed calls changed nothing: the killed server starts again
	r.failed = ""
	r.call(srv.Restart)
	if r.failed != "" {
		t.Fatalf("Restart after Kill: %s", r.failed)
	}
	dial(t, srv.Addr()).do(t, "PING")
}
