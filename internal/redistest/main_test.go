package redistest_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that no test leaves a goroutine behind; that every
// redis-server is gone at the end is TestStart_KilledAtCleanup's to check.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
