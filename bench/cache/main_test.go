package cachebench_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that no benchmark leaves a goroutine behind, ours or a
// peer's: every cache is closed or stopped by the benchmark that made it.
// sturdyc is the exception: its eviction goroutine has no way to stop (the
// client has no Close), so its goroutines are expected to outlive it.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		goleak.IgnoreTopFunction("github.com/viccon/sturdyc.(*Client[...]).performContinuousEvictions.func1"))
}
