package redistier_test

import (
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// slowLink is a loopback TCP proxy to a Redis whose replies (Redis to client)
// can be held back for a while: a slow or congested link, or a receiving
// process that was paused. It stops when the test ends.
type slowLink struct {
	ln     net.Listener
	paused atomic.Bool
	wg     sync.WaitGroup
	mu     sync.Mutex
	conns  []net.Conn
}

func newSlowLink(t *testing.T, target string) *slowLink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := &slowLink{ln: ln}
	l.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			r, err := net.Dial("tcp", target)
			if err != nil {
				_ = c.Close()
				continue
			}
			l.mu.Lock()
			l.conns = append(l.conns, c, r)
			l.mu.Unlock()
			l.wg.Go(func() { _, _ = io.Copy(r, c); _ = r.Close() })
			l.wg.Go(func() {
				buf := make([]byte, 32<<10)
				for {
					n, err := r.Read(buf)
					for l.paused.Load() {
						time.Sleep(time.Millisecond)
					}
					if n > 0 {
						if _, werr := c.Write(buf[:n]); werr != nil {
							break
						}
					}
					if err != nil {
						break
					}
				}
				_ = c.Close()
			})
		}
	})
	t.Cleanup(l.close)
	return l
}

func (l *slowLink) Addr() string { return l.ln.Addr().String() }

func (l *slowLink) close() {
	l.paused.Store(false)
	_ = l.ln.Close()
	l.mu.Lock()
	for _, c := range l.conns {
		_ = c.Close()
	}
	l.mu.Unlock()
	l.wg.Wait()
}
