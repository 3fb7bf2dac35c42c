package fsmbench_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that no benchmark leaves a goroutine behind, ours or a
// peer's: every cache, pool and machine is closed by the benchmark that
// made it.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
