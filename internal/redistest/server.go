package redistest

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// RequireEnv is the environment variable that, set to 1, makes a missing
// redis-server a failure instead of a skip.
const RequireEnv = "REDISTIER_REQUIRE"

// readyTimeout bounds how long Start and Restart wait for the server to
// answer before they fail the test with its log.
const readyTimeout = 10 * time.Second

// TB is the part of testing.TB that Start and a Server use; *testing.T,
// *testing.B and testing.TB satisfy it. Skip and Fatalf must not return (they
// end the test's goroutine, as testing's do).
type TB interface {
	Helper()
	Cleanup(f func())
	TempDir() string
	Skip(args ...any)
	Fatalf(format string, args ...any)
}

// Server is a redis-server started by [Start] for one test or benchmark.
type Server struct {
	tb   TB
	bin  string
	dir  string
	port int
	cmd  *exec.Cmd // nil while killed
}

// Installed reports whether redis-server is on PATH, that is whether [Start]
// would start one rather than skip.
func Installed() bool {
	_, err := exec.LookPath("redis-server")
	return err == nil
}

// Start starts redis-server from PATH on a free loopback port, with its
// files in tb.TempDir() and no persistence, and returns once it answers a
// PING; the server is killed when tb ends (tb.Cleanup), including when Start
// itself fails. Without redis-server on PATH it skips tb with the message
// missing, which should say how to get one, or, with REDISTIER_REQUIRE=1,
// fails tb with it.
func Start(tb TB, missing string) *Server {
	tb.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if missing == "" {
			missing = "redistest: redis-server not found on PATH"
		}
		if os.Getenv(RequireEnv) == "1" {
			tb.Fatalf("%s (%s=1)", missing, RequireEnv)
		}
		tb.Skip(missing)
	}
	port, err := freePort()
	if err != nil {
		tb.Fatalf("redistest: finding a free loopback port: %v", err)
	}
	s := &Server{tb: tb, bin: bin, dir: tb.TempDir(), port: port}
	tb.Cleanup(s.Kill)
	s.run()
	return s
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	return port, l.Close()
}

// Addr is the server's address, "127.0.0.1:port"; it stays the same across
// Kill and Restart.
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

// Restart starts a killed server again on the same port, empty (nothing
// persists), and returns once it answers. It fails the test when the server
// is running.
func (s *Server) Restart() {
	s.tb.Helper()
	if s.cmd != nil {
		s.tb.Fatalf("redistest: Restart of the redis-server on %s, which is running: Kill it first", s.Addr())
	}
	s.run()
}

// Kill kills the server with SIGKILL (a crash, not a shutdown), also when it
// is stopped, and waits until it has exited. Killing a killed server does
// nothing.
func (s *Server) Kill() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.cmd = nil
}

// Stop freezes the server (SIGSTOP): its connections stay open and nothing
// answers, as on a hung host. Continue (SIGCONT) resumes it. Both fail the
// test when the server is killed.
func (s *Server) Stop() {
	s.tb.Helper()
	s.signal("Stop", syscall.SIGSTOP)
}

// Continue resumes a server frozen by Stop; on a running server it does
// nothing.
func (s *Server) Continue() {
	s.tb.Helper()
	s.signal("Continue", syscall.SIGCONT)
}

func (s *Server) signal(method string, sig syscall.Signal) {
	s.tb.Helper()
	if s.cmd == nil {
		s.tb.Fatalf("redistest: %s of the redis-server on %s, which is killed", method, s.Addr())
	}
	if err := s.cmd.Process.Signal(sig); err != nil {
		s.tb.Fatalf("redistest: %s of the redis-server on %s: %v", method, s.Addr(), err)
	}
}

// run starts the process and waits until it answers a PING. s.cmd is set
// before the wait, so that the cleanup kills a server that never answered.
func (s *Server) run() {
	s.tb.Helper()
	logfile := filepath.Join(s.dir, "redis.log")
	cmd := exec.Command(s.bin,
		"--port", strconv.Itoa(s.port), "--bind", "127.0.0.1", "--dir", s.dir,
		"--save", "", "--appendonly", "no", "--daemonize", "no",
		"--loglevel", "warning", "--logfile", logfile)
	if err := cmd.Start(); err != nil {
		s.tb.Fatalf("redistest: starting redis-server: %v", err)
	}
	s.cmd = cmd
	deadline := time.Now().Add(readyTimeout)
	for {
		err := ping(s.Addr())
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logfile)
			s.tb.Fatalf("redistest: redis-server on %s did not answer within %v: %v\n%s", s.Addr(), readyTimeout, err, log)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// ping sends one PING in the Redis protocol (RESP) and checks for PONG. It
// stands in for a client so that the package needs only the standard library.
func ping(addr string) error {
	c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
	if err != nil {
		return err
	}
	defer func() { _ = c.Close() }()
	if err := c.SetDeadline(time.Now().Add(200 * time.Millisecond)); err != nil {
		return err
	}
	if _, err := io.WriteString(c, "*1\r\n$4\r\nPING\r\n"); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if line != "+PONG\r\n" {
		return fmt.Errorf("PING answered %q", line)
	}
	return nil
}
