package gatherbench_test

import (
	"sync"
	"time"
)

// spinTarget is the CPU time one Spin task burns.
const spinTarget = 10 * time.Microsecond

var spinIterations = sync.OnceValue(func() int {
	// Calibrate: time a fixed number of iterations, a few times, and keep
	// the fastest, so a noisy neighbour does not shorten every task.
	const probe = 200_000
	best := time.Duration(1 << 62)
	for range 5 {
		start := time.Now()
		sink = spin(1, probe)
		if d := time.Since(start); d < best {
			best = d
		}
	}
	return max(1, int(float64(probe)*float64(spinTarget)/float64(best)))
})

// sink keeps the calibration's result alive.
var sink int

// spin is a busy loop of iters xorshift steps seeded with seed.
func spin(seed, iters int) int {
	x := uint64(seed) | 1
	for range iters {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return int(x & 0xffff)
}
