//go:build race

package redistier_test

// Under the race detector, go-redis and the caches run several times slower,
// and 8,000 reloads per period through Redis overload two shared cores: the
// fleet tests then run a quarter of the keys. The figures in docs come from a
// run without -race, at full scale.
const fleetKeys = 250
