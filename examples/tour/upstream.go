package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// upstream is the slow, sometimes failing service the tour's sections talk
// to: GET /item/<name> answers "value of <name> #<n>" after a delay, where n
// counts the calls for that item, and fails with 503 at the given rate. An
// item marked with failAlways fails at once, without the delay, as a service
// that knows it is down does.
type upstream struct {
	srv      *httptest.Server
	client   *http.Client
	delay    time.Duration
	failRate float64

	calls    atomic.Int64 // requests served, failed ones included
	failures atomic.Int64 // requests answered with 503
	inFlight atomic.Int64
	peak     atomic.Int64 // the most requests in flight at once

	mu      sync.Mutex
	perItem map[string]int
	failing map[string]bool // items that always fail, whatever the rate
}

func newUpstream(delay time.Duration, failRate float64) *upstream {
	u := &upstream{delay: delay, failRate: failRate, perItem: map[string]int{}, failing: map[string]bool{}}
	u.srv = httptest.NewServer(http.HandlerFunc(u.serve))
	u.client = u.srv.Client()
	return u
}

// Close stops the server and waits for its handlers.
func (u *upstream) Close() { u.srv.Close() }

// failAlways makes every request for name fail from now on (or stop failing).
func (u *upstream) failAlways(name string, fail bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.failing[name] = fail
}

func (u *upstream) serve(w http.ResponseWriter, r *http.Request) {
	n := u.inFlight.Add(1)
	defer u.inFlight.Add(-1)
	for {
		p := u.peak.Load()
		if n <= p || u.peak.CompareAndSwap(p, n) {
			break
		}
	}
	u.calls.Add(1)
	name := strings.TrimPrefix(r.URL.Path, "/item/")
	u.mu.Lock()
	down := u.failing[name]
	u.mu.Unlock()
	if down {
		u.failures.Add(1)
		http.Error(w, "upstream: down for this item", http.StatusServiceUnavailable)
		return
	}
	select {
	case <-time.After(u.delay):
	case <-r.Context().Done():
		return
	}
	u.mu.Lock()
	u.perItem[name]++
	count := u.perItem[name]
	fail := rand.Float64() < u.failRate
	u.mu.Unlock()
	if fail {
		u.failures.Add(1)
		http.Error(w, "upstream: temporarily unavailable", http.StatusServiceUnavailable)
		return
	}
	fmt.Fprintf(w, "value of %s #%d", name, count)
}

// errUnavailable is what fetch returns for a 503.
var errUnavailable = errors.New("upstream unavailable (503)")

// fetch gets one item; it honours ctx.
func (u *upstream) fetch(ctx context.Context, name string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.srv.URL+"/item/"+name, nil)
	if err != nil {
		return "", err
	}
	resp, err := u.client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode == http.StatusServiceUnavailable {
		return "", fmt.Errorf("item %s: %w", name, errUnavailable)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("item %s: status %d", name, resp.StatusCode)
	}
	return string(body), nil
}
