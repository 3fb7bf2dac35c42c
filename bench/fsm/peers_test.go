package fsmbench_test

// Placeholder: pins the peers in go.mod until the benchmarks land.
import (
	_ "github.com/asyncutils-go/asyncutils/fsm"
	_ "github.com/looplab/fsm"
	_ "github.com/qmuntal/stateless"
)
