package redistier

import (
	"sync"
	"time"
)

// Backoff of the tier after a failed Redis call: loads skip Redis for
// minBackoff, doubled after each further failure up to maxBackoff, so that
// an outage costs the loads neither the client's retries nor the timeout
// each time; the first call after the backoff is the probe that ends it.
const (
	minBackoff = 10 * time.Millisecond
	maxBackoff = 500 * time.Millisecond
)

// health is the tier's view of Redis: up, or down until a time.
type health struct {
	mu        sync.Mutex
	failures  int
	downUntil time.Time
}

// usable reports whether a load should try Redis now.
func (h *health) usable(now time.Time) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return !now.Before(h.downUntil)
}

// fail records a failed call; it reports whether Redis was up before it.
func (h *health) fail(now time.Time) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.failures++
	h.downUntil = now.Add(min(minBackoff<<min(h.failures-1, 16), maxBackoff))
	return h.failures == 1
}

// ok records a successful call; it reports whether Redis was down before it.
func (h *health) ok() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	was := h.failures > 0
	h.failures = 0
	h.downUntil = time.Time{}
	return was
}
