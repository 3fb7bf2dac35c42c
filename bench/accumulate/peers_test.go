package accumulatebench_test

// Placeholder: pins the module in go.mod until the benchmarks land.
import (
	_ "github.com/asyncutils-go/asyncutils/accumulate"
)
