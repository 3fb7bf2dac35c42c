package main

import (
	"math"
	"slices"
)

// ours is the impl name of the asyncutils implementation.
const ours = "asyncutils"

// median returns the median of xs (the mean of the middle two for an even
// count), or NaN for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	mid := len(s) / 2
	if len(s)%2 == 1 {
		return s[mid]
	}
	return (s[mid-1] + s[mid]) / 2
}

// ratio is how many times slower peer is than ours (peer / ours); above 1
// means ours is faster. NaN when either is missing or ours is 0.
func ratio(peer, oursValue float64) float64 {
	if math.IsNaN(peer) || math.IsNaN(oursValue) || oursValue == 0 {
		return math.NaN()
	}
	return peer / oursValue
}

// scenario is one table: the benchmarks of one module and scenario.
type scenario struct {
	name    string
	benches []*bench // ours first, then the peers in order of appearance
}

// ratioUnits are the custom units that, when a scenario reports one, say
// what the scenario measures better than its time does: its ratios are
// taken on that unit instead of ns/op (BytesPerEntry is about memory; the
// time it reports is only how long filling the cache took).
var ratioUnits = []string{"B/entry"}

// unit is the unit the scenario's ratios compare: the first of ratioUnits
// that any of its benchmarks reports, else ns/op.
func (s scenario) unit() string {
	for _, u := range ratioUnits {
		for _, b := range s.benches {
			if len(b.samples[u]) > 0 {
				return u
			}
		}
	}
	return "ns/op"
}

// oursMedian is the median of our implementation in the scenario's unit,
// or NaN.
func (s scenario) oursMedian() float64 {
	for _, b := range s.benches {
		if b.impl == ours {
			return median(b.samples[s.unit()])
		}
	}
	return math.NaN()
}

// ratioOf is b's ratio to ours in the scenario's unit.
func (s scenario) ratioOf(b *bench) float64 {
	return ratio(median(b.samples[s.unit()]), s.oursMedian())
}

// module is one section of the report.
type module struct {
	name      string
	scenarios []scenario
}

// moduleOrder is the order of the sections; other modules follow, sorted.
var moduleOrder = []string{"gather", "cache", "fsm", "accumulate"}

// group sorts the benchmarks into modules and scenarios, keeping the order
// of first appearance within a module and putting ours first in a scenario.
func group(benches []*bench) []module {
	var mods []module
	find := func(name string) *module {
		for i := range mods {
			if mods[i].name == name {
				return &mods[i]
			}
		}
		mods = append(mods, module{name: name})
		return &mods[len(mods)-1]
	}
	for _, b := range benches {
		m := find(b.module)
		i := slices.IndexFunc(m.scenarios, func(s scenario) bool { return s.name == b.scenario })
		if i < 0 {
			m.scenarios = append(m.scenarios, scenario{name: b.scenario})
			i = len(m.scenarios) - 1
		}
		m.scenarios[i].benches = append(m.scenarios[i].benches, b)
	}
	for _, m := range mods {
		for _, s := range m.scenarios {
			slices.SortStableFunc(s.benches, func(a, b *bench) int {
				switch {
				case a.impl == ours && b.impl != ours:
					return -1
				case b.impl == ours && a.impl != ours:
					return 1
				}
				return 0
			})
		}
	}
	rank := func(name string) int {
		if i := slices.Index(moduleOrder, name); i >= 0 {
			return i
		}
		return len(moduleOrder)
	}
	slices.SortStableFunc(mods, func(a, b module) int {
		if ra, rb := rank(a.name), rank(b.name); ra != rb {
			return ra - rb
		}
		if a.name < b.name {
			return -1
		}
		if a.name > b.name {
			return 1
		}
		return 0
	})
	return mods
}
