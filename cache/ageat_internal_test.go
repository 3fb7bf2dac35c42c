package cache

import (
	"math"
	"testing"
)

// TestAgeAt_NoWrap: ageAt is never negative (a clock that went back makes a
// value new) and never wraps, in its inlined case too (a first version
// subtracted before comparing, which wrapped for a now far below a
// non-negative loadedAt).
func TestAgeAt_NoWrap(t *testing.T) {
	it := &item[int]{loadedAt: 3600e9} // loaded an hour after the epoch
	now := int64(math.MinInt64)        // the clock set >292 years back: Since saturates
	if got, want := it.ageAt(now), ageOf(now, it.loadedAt); got != want {
		t.Errorf("ageAt(%d) = %d, ageOf = %d", now, got, want)
	}
}
