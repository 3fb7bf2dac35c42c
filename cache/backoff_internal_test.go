package cache

import (
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	tests := []struct {
		name             string
		minDelay, maxDel time.Duration
	}{
		{"typical", 100 * time.Millisecond, 30 * time.Second},
		{"min equals max", time.Second, time.Second},
		{"huge min: the shift would overflow", 3 << 40, 1 << 62},
		{"one nanosecond up to the largest duration", 1, 1<<63 - 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			minD, maxD := int64(tt.minDelay), int64(tt.maxDel)
			if got := backoff(minD, maxD, 1); got != minD {
				t.Fatalf("first retry after %v, want the minimum %v", time.Duration(got), tt.minDelay)
			}
			prev := int64(0)
			for n := uint32(1); n <= 200; n++ {
				d := backoff(minD, maxD, n)
				if d < prev || d < minD || d > maxD {
					t.Fatalf("n=%d: delay %v after %v, want non-decreasing within [%v, %v]",
						n, time.Duration(d), time.Duration(prev), tt.minDelay, tt.maxDel)
				}
				if prev > 0 && prev <= maxD/2 && d != 2*prev {
					t.Fatalf("n=%d: delay %v after %v, want it doubled", n, time.Duration(d), time.Duration(prev))
				}
				prev = d
			}
			if prev != maxD {
				t.Fatalf("after 200 failures the delay is %v, want the cap %v", time.Duration(prev), tt.maxDel)
			}
		})
	}
}
