//go:build !race

package cache

// raceEnabled: see policy_race_internal_test.go.
const raceEnabled = false
