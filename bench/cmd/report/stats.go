package main

import (
	"cmp"
	"math"
	"slices"

	"golang.org/x/perf/benchmath"
)

// confidence is the level of every interval in the report, and
// benchmath.DefaultThresholds' alpha (0.05) the level of every test.
const confidence = 0.95

// scenario is one table: the benchmarks of one module and scenario.
type scenario struct {
	rep     *report
	module  string
	name    string
	benches []*bench // ours first, then the peers in order of appearance
}

// key names the scenario across the report and the documents:
// module/scenario, e.g. cache/FreshHit or cache/RefreshWake/size=10000.
func (s *scenario) key() string { return s.module + "/" + s.name }

// unit is the unit the scenario's ratios compare: its first headline unit
// (see isHeadline) in order of appearance, else ns/op.
func (s *scenario) unit() string {
	for _, b := range s.benches {
		for _, u := range b.units {
			if isHeadline(u) {
				return u
			}
		}
	}
	return "ns/op"
}

func (s *scenario) ours() *bench {
	for _, b := range s.benches {
		if b.impl == ours {
			return b
		}
	}
	return nil
}

// sample returns b's values in unit as a benchmath sample, or nil when b
// has none.
func (rep *report) sample(b *bench, unit string) *benchmath.Sample {
	if b == nil || len(b.samples[unit]) == 0 {
		return nil
	}
	return benchmath.NewSample(b.samples[unit], &benchmath.DefaultThresholds)
}

// summary is b's median in unit with its 95% confidence interval; ok is
// false when b reports no such unit.
func (rep *report) summary(b *bench, unit string) (benchmath.Summary, bool) {
	smp := rep.sample(b, unit)
	if smp == nil {
		return benchmath.Summary{}, false
	}
	return rep.units.GetAssumption(unit).Summary(smp, confidence), true
}

// comparison is one peer against ours in the scenario's unit.
type comparison struct {
	ratio  float64 // how many times better ours is: peer/ours, or ours/peer when higher is better
	lo, hi float64 // the ratio of the intervals' far ends: the range the two intervals allow
	p      float64 // benchstat's test (Mann-Whitney U unless the unit is assume=exact)
	alpha  float64
	ok     bool // both report the unit and the ratio is finite
	exact  bool // the unit is assume=exact: p is 0 when the two differ, else 1
	// warnings are benchmath's, about the test (too few samples to ever
	// reach alpha, for one).
	warnings []error
}

// significant reports whether the peer and ours differ at alpha 0.05,
// with benchstat's rule: p <= alpha.
func (c comparison) significant() bool { return c.ok && c.p <= c.alpha }

// compare compares peer with ours in the scenario's unit.
func (s *scenario) compare(peer *bench) comparison {
	unit, rep := s.unit(), s.rep
	peerSmp, ourSmp := rep.sample(peer, unit), rep.sample(s.ours(), unit)
	if peerSmp == nil || ourSmp == nil {
		return comparison{}
	}
	assume := rep.units.GetAssumption(unit)
	peerSum, ourSum := assume.Summary(peerSmp, confidence), assume.Summary(ourSmp, confidence)
	c := assume.Compare(peerSmp, ourSmp)
	out := comparison{p: c.P, alpha: c.Alpha, warnings: c.Warnings}
	if assume == benchmath.AssumeExact {
		// An exact measure (a simulated hit ratio) needs no test: the
		// two differ or they do not. benchmath says p=0 either way.
		out.exact, out.alpha, out.p = true, benchmath.DefaultThresholds.CompareAlpha, 1
		if peerSum.Center != ourSum.Center {
			out.p = 0
		}
	}
	if rep.higherIsBetter(unit) {
		out.ratio, out.lo, out.hi = ourSum.Center/peerSum.Center, ourSum.Lo/peerSum.Hi, ourSum.Hi/peerSum.Lo
	} else {
		out.ratio, out.lo, out.hi = peerSum.Center/ourSum.Center, peerSum.Lo/ourSum.Hi, peerSum.Hi/ourSum.Lo
	}
	out.ok = finite(out.ratio) && out.ratio > 0
	if !finite(out.lo) || !finite(out.hi) || out.lo <= 0 {
		out.lo, out.hi = math.NaN(), math.NaN()
	}
	return out
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// module is one section of the report.
type module struct {
	name      string
	scenarios []*scenario
}

// moduleOrder is the order of the sections; other modules follow, sorted.
var moduleOrder = []string{"gather", "cache", "fleet", "fsm", "accumulate"}

// group sorts the benchmarks into modules and scenarios, keeping the order
// of first appearance within a module and putting ours first in a scenario.
func (rep *report) group() []*module {
	var mods []*module
	for _, b := range rep.benches {
		i := slices.IndexFunc(mods, func(m *module) bool { return m.name == b.module })
		if i < 0 {
			mods = append(mods, &module{name: b.module})
			i = len(mods) - 1
		}
		m := mods[i]
		j := slices.IndexFunc(m.scenarios, func(s *scenario) bool { return s.name == b.scenario })
		if j < 0 {
			m.scenarios = append(m.scenarios, &scenario{rep: rep, module: m.name, name: b.scenario})
			j = len(m.scenarios) - 1
		}
		m.scenarios[j].benches = append(m.scenarios[j].benches, b)
	}
	for _, m := range mods {
		for _, s := range m.scenarios {
			slices.SortStableFunc(s.benches, func(a, b *bench) int {
				return cmp.Compare(rankImpl(a.impl), rankImpl(b.impl))
			})
		}
	}
	rank := func(name string) int {
		if i := slices.Index(moduleOrder, name); i >= 0 {
			return i
		}
		return len(moduleOrder)
	}
	slices.SortStableFunc(mods, func(a, b *module) int {
		return cmp.Or(cmp.Compare(rank(a.name), rank(b.name)), cmp.Compare(a.name, b.name))
	})
	return mods
}

func rankImpl(impl string) int {
	if impl == ours {
		return 0
	}
	return 1
}

// find returns the scenario named key (module/scenario), or nil.
func find(mods []*module, key string) *scenario {
	for _, m := range mods {
		for _, s := range m.scenarios {
			if s.key() == key {
				return s
			}
		}
	}
	return nil
}
