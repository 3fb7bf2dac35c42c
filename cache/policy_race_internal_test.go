//go:build race

package cache

// raceEnabled shrinks the policy's trace replays under the race detector,
// which slows single-threaded code tenfold and finds nothing in it: CI runs
// every test with -race, and the full replays run without it.
const raceEnabled = true
