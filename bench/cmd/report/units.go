package main

import (
	"slices"
	"strings"
)

// standardUnits are the units go test -benchmem writes; they come first in
// a table, in this order, and custom units (b.ReportMetric) follow in order
// of appearance.
var standardUnits = []string{"ns/op", "B/op", "allocs/op"}

// higherIsBetter reports whether a higher value of unit is better. A Unit
// line of the output (Unit hit% better=higher) decides when there is one;
// otherwise a unit ending in % (hit%) or /s (MB/s, ops/s) is a rate or a
// ratio where higher is better, and every other unit (times, bytes,
// allocations, counts such as calls/key) is a cost where lower is better.
func (rep *report) higherIsBetter(unit string) bool {
	if rep.units != nil && rep.units.Get(unit, "better") != nil {
		return rep.units.GetBetter(unit) > 0
	}
	return strings.HasSuffix(unit, "%") || strings.HasSuffix(unit, "/s")
}

// isHeadline reports whether unit says what its scenario is about better
// than its time does, so that the scenario's ratios compare it instead of
// ns/op: a percentage (hit%), or a quantity per something other than an
// operation or a second that is not a time (B/entry, calls/key, and with
// more than one denominator calls/key/period). A time per something
// (ns/task, ns/callback) follows ns/op, and a count per operation
// (loads/op, calls/key/op), a rate (MB/s) or a plain count
// (goroutines-started, max-age-ms) is a side observation: those are shown,
// not compared.
func isHeadline(unit string) bool {
	if strings.HasSuffix(unit, "%") {
		return true
	}
	num, den, ok := strings.Cut(unit, "/")
	if !ok {
		return false
	}
	for _, d := range strings.Split(den, "/") {
		if d == "" || d == "op" || d == "s" {
			return false
		}
	}
	switch num {
	case "ns", "us", "µs", "ms", "s", "sec":
		return false
	}
	return !slices.Contains(standardUnits, unit)
}
