package redistest_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// conn is a connection to a redis-server speaking just enough of the Redis
// protocol (RESP) for the tests, so that they check the server itself with
// no client of their own in between.
type conn struct {
	c net.Conn
	r *bufio.Reader
}

func dial(t *testing.T, addr string) *conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return &conn{c: c, r: bufio.NewReader(c)}
}

// send writes one command.
func (c *conn) send(args ...string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if err := c.c.SetWriteDeadline(time.Now().Add(time.Second)); err != nil {
		return err
	}
	_, err := io.WriteString(c.c, b.String())
	return err
}

// reply reads one reply within d: a simple string, error, integer or bulk
// string as itself ("(nil)" for a nil bulk string), an array as its elements
// joined by spaces.
func (c *conn) reply(d time.Duration) (string, error) {
	if err := c.c.SetReadDeadline(time.Now().Add(d)); err != nil {
		return "", err
	}
	return c.read()
}

func (c *conn) read() (string, error) {
	line, err := c.r.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimSuffix(line, "\r\n")
	if line == "" {
		return "", errors.New("empty reply line")
	}
	switch line[0] {
	case '+', '-', ':':
		return line, nil
	case '$', '*':
		n, err := strconv.Atoi(line[1:])
		if err != nil {
			return "", fmt.Errorf("reply %q: %w", line, err)
		}
		if n < 0 {
			return "(nil)", nil
		}
		if line[0] == '*' {
			elems := make([]string, n)
			for i := range elems {
				if elems[i], err = c.read(); err != nil {
					return "", err
				}
			}
			return strings.Join(elems, " "), nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(c.r, buf); err != nil {
			return "", err
		}
		return string(buf[:n]), nil
	}
	return "", fmt.Errorf("unknown reply %q", line)
}

// do sends one command and returns its reply, failing the test on an error.
func (c *conn) do(t *testing.T, args ...string) string {
	t.Helper()
	if err := c.send(args...); err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	r, err := c.reply(5 * time.Second)
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return r
}
