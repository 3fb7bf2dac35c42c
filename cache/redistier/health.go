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
	probing   time.Time // down, past the backoff, and one call is probing Redis until then
}

// probeFor bounds a probe: a probe whose call never reported back (its
// load ended before it reached Redis) lets another through after it.
const probeFor = 2 * maxBackoff

// usable reports whether a load should try Redis now. While Redis is down,
// the first call after the backoff is its probe; the others skip Redis until
// the probe answers (ok) or fails (fail), so that an outage costs one
// timeout per backoff, not one per load that starts meanwhile.
func (h *health) usable(now time.Time) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.failures == 0 {
		return true
	}
	if now.Before(h.downUntil) || now.Before(h.probing) {
		return false
	}
	h.probing = now.Add(probeFor)
	return true
}

// fail records a failed call; it reports whether Redis was up before it.
func (h *health) fail(now time.Time) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.failures++
	h.probing = time.Time{}
	h.downUntil = now.Add(min(minBackoff<<min(h.failures-1, 16), maxBackoff))
	return h.failures == 1
}

// ok records a successful call; it reports whether Redis was down before it.
func (h *health) ok() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	was := h.failures > 0
	h.failures = 0
	h.probing = time.Time{}
	h.downUntil = time.Time{}
	return was
}
