//go:build !race

package redistier_test

// fleetKeys is the number of hot keys of the fleet tests (see race_test.go).
const fleetKeys = 1000
