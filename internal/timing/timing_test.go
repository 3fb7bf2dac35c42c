package timing_test

import (
	"testing"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/asyncutils-go/asyncutils/internal/timing"
)

func TestOr(t *testing.T) {
	mock := clock.NewMock()
	if got := timing.Or(mock); got != mock {
		t.Fatalf("Or(mock) = %v, want the mock itself", got)
	}
	real := timing.Or(nil)
	if real == nil {
		t.Fatal("Or(nil) = nil, want the real clock")
	}
	if d := time.Since(real.Now()); d < -time.Second || d > time.Second {
		t.Fatalf("Or(nil).Now() is %v away from time.Now", d)
	}
}
