package main

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"golang.org/x/perf/benchmath"
)

// chart is one SVG file to write next to the report.
type chart struct {
	file string
	svg  string
}

// render returns the Markdown report and its charts. command is the go test
// command that produced the results ("" when unknown), raw the name of the
// saved output next to the report ("" when there is none).
func render(rep *report, command, raw string) (string, []chart) {
	var sb strings.Builder
	mods := rep.group()
	w := func(format string, a ...any) { fmt.Fprintf(&sb, format, a...) }
	runs := rep.runs()

	w("# Benchmarks\n\n")
	w("Same-run, same-binary comparisons of each asyncutils module with its peers, written by\n")
	w("`bash scripts/bench.sh` (the command in `bench/cmd/report`, on `golang.org/x/perf`'s\n")
	w("benchfmt and benchmath, the packages benchstat is made of). The benchmarks ran in %d rounds,\n", runs)
	w("each of which runs every benchmark once, so that a burst of load on the shared machine\n")
	w("spreads over all implementations instead of hitting one.\n\n")
	w("| | |\n| --- | --- |\n")
	w("| Machine | %s |\n", rep.machine())
	w("| Go | %s |\n", orUnknown(rep.config["go"]))
	w("| Date | %s |\n", orUnknown(rep.config["date"]))
	w("| Rounds | %d |\n", runs)
	if command != "" {
		w("| Command | `%s`, in `bench/`, once per round |\n", command)
	}
	if raw != "" {
		w("| Raw output | [%s](%s) (benchstat reads it) |\n", raw, raw)
	}
	w("\n")
	w("How to read a table:\n\n")
	w("- Each figure is the **median** of the rounds **± the half-width of its 95%% confidence\n")
	w("  interval** in percent of the median (±∞: too few rounds for an interval); a figure\n")
	w("  without ± did not vary.\n")
	w("- **ratio** is how many times better asyncutils is than the peer: the peer's median over\n")
	w("  ours for a cost (ns/op, B/entry, calls/key), ours over the peer's for a unit where higher\n")
	w("  is better (hit%%). Above 1, asyncutils is ahead; below 1, behind. A scenario compares its\n")
	w("  time (ns/op) unless it reports a headline unit, named in the ratio's header.\n")
	w("- **range** is the ratio of the two intervals' far ends: the ratios the intervals allow.\n")
	w("- **significant** is benchstat's test (Mann-Whitney U) of the peer's rounds against ours:\n")
	w("  *yes* when p ≤ 0.05; *no* means this run cannot tell the two apart, whatever the ratio says.\n")
	w("- Compare ratios within this run, not absolute times across runs or machines.\n\n")
	w("Any other page quotes these figures only in a generated block, which `bash scripts/bench.sh`\n")
	w("rewrites from this run and `bash scripts/figures.sh` (in CI) checks; a measured figure outside\n")
	w("one fails the check. A block names scenarios as `module/scenario` (`cache/FreshHit`): the\n")
	w("tables of those scenarios, or a summary row per line (`module/scenario [unit] | label`):\n\n")
	w("```\n<!-- bench:begin table cache/FreshHit cache/FreshHitParallel -->\n<!-- bench:end -->\n\n")
	w("<!-- bench:begin summary\ncache/FreshHit | cache: fresh hit, one goroutine\n")
	w("gather/Trivial ns/task | gather: 10,000 trivial tasks\n-->\n<!-- bench:end -->\n```\n\n")
	if warns := rep.warnings(mods); len(warns) > 0 {
		w("Warnings of the statistics (benchmath):\n\n")
		for _, s := range warns {
			w("- %s\n", s)
		}
		w("\n")
	}

	var charts []chart
	for _, m := range mods {
		w("## %s\n\n", m.name)
		if note := sectionNotes[m.name]; note != "" {
			w("%s\n\n", note)
		}
		if svg := renderChart(m); svg != "" {
			file := "bench-" + m.name + ".svg"
			charts = append(charts, chart{file: file, svg: svg})
			w("![%s: how many times better asyncutils is than each peer](%s)\n\n", m.name, file)
		}
		for _, s := range m.scenarios {
			w("### %s\n\n", orUnknown(s.name))
			renderTable(&sb, s)
			sb.WriteString("\n")
		}
	}
	return sb.String(), charts
}

// sectionNotes are a few lines under the heading of a section whose
// benchmarks need more than their names to read: what runs and what the
// impls are. The package's doc.go says what each scenario measures.
var sectionNotes = map[string]string{
	"fleet": "The fleet tier of the cache (`cache/redistier`) on a real `redis-server` on loopback, which\n" +
		"each benchmark starts and kills: a fleet is replicas in one process, each with its own Redis\n" +
		"client and cache. `asyncutils` is the cache over the tier, `cache-alone` the same cache without\n" +
		"it (each replica loads alone), `sturdyc` sturdyc's distributed storage on the same server, in\n" +
		"its early-refresh mode. The upstream takes 1 ms a call. `calls/key/period` and `calls/key` are\n" +
		"the upstream's calls for the whole fleet; `max-age-ms` is the oldest value served, from when\n" +
		"the upstream produced it (the TTL is 400 ms). What each scenario does: `bench/fleet/doc.go`.",
}

// warnings lists, once each, what benchmath warned about in the report's
// summaries and comparisons (too few samples, mostly).
func (rep *report) warnings(mods []*module) []string {
	var out []string
	add := func(errs []error) {
		for _, e := range errs {
			if s := e.Error(); !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	for _, m := range mods {
		for _, s := range m.scenarios {
			for _, b := range s.benches {
				for _, u := range b.units {
					if sum, ok := rep.summary(b, u); ok {
						add(sum.Warnings)
					}
				}
				if b.impl != ours {
					add(s.compare(b).warnings)
				}
			}
		}
	}
	return out
}

// renderTable writes the table of scenario s: a row per implementation with
// the median and interval of every unit, and each peer's ratio to ours.
func renderTable(sb *strings.Builder, s *scenario) {
	units := tableUnits(s)
	sb.WriteString("| impl |")
	align := "| --- |"
	for _, u := range units {
		fmt.Fprintf(sb, " %s |", u)
		align += " ---: |"
	}
	// Ratios need ours and a peer; a scenario of ours alone is figures only.
	compared := s.ours() != nil && slices.ContainsFunc(s.benches, func(b *bench) bool { return b.impl != ours })
	if compared {
		fmt.Fprintf(sb, " %s | range | significant |", ratioHeader(s))
		align += " ---: | ---: | --- |"
	}
	sb.WriteString("\n" + align + "\n")
	for _, b := range s.benches {
		name := b.impl
		switch name {
		case "":
			name = "(no impl)"
		case ours:
			name = "**" + ours + "**"
		}
		fmt.Fprintf(sb, "| %s |", name)
		for _, u := range units {
			sum, ok := s.rep.summary(b, u)
			fmt.Fprintf(sb, " %s |", formatSummary(b, u, sum, ok))
		}
		switch {
		case !compared:
			sb.WriteString("\n")
		case b.impl == ours:
			sb.WriteString(" 1.00x | | |\n")
		default:
			c := s.compare(b)
			fmt.Fprintf(sb, " %s | %s | %s |\n", formatRatio(c.ratio, c.ok), formatRange(c), formatSignificance(c))
		}
	}
}

// ratioHeader names the direction and the unit of the scenario's ratios.
func ratioHeader(s *scenario) string {
	u := s.unit()
	if s.rep.higherIsBetter(u) {
		return "ratio (ours/peer, " + u + ")"
	}
	return "ratio (peer/ours, " + u + ")"
}

// tableUnits lists the scenario's units: the standard ones, then the
// custom ones in order of appearance.
func tableUnits(s *scenario) []string {
	var units []string
	for _, u := range standardUnits {
		if slices.ContainsFunc(s.benches, func(b *bench) bool { return len(b.samples[u]) > 0 }) {
			units = append(units, u)
		}
	}
	for _, b := range s.benches {
		for _, u := range b.units {
			if !slices.Contains(units, u) {
				units = append(units, u)
			}
		}
	}
	return units
}

// formatSummary prints b's median in unit and the half-width of its
// interval.
func formatSummary(b *bench, unit string, s benchmath.Summary, ok bool) string {
	if !ok {
		return "—"
	}
	v := formatValue(unit, s.Center)
	if s.Lo == s.Center && s.Hi == s.Center {
		return v
	}
	if vals := b.samples[unit]; slices.Min(vals) == slices.Max(vals) {
		return v // every round gave the same value: an interval says nothing more
	}
	return v + " ±" + s.PctRangeString()
}

// formatValue prints a median of unit with a precision that suits its
// size; bytes and allocations are counts.
func formatValue(unit string, v float64) string {
	switch {
	case math.IsNaN(v):
		return "—"
	case unit == "B/op" || unit == "allocs/op" || math.Abs(v) >= 1000:
		return groupThousands(int64(math.Round(v)))
	case math.Abs(v) >= 100:
		return fmt.Sprintf("%.0f", v)
	case math.Abs(v) >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

func groupThousands(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}

func formatRatio(r float64, ok bool) string {
	switch {
	case !ok:
		return "—"
	case r >= 100:
		return fmt.Sprintf("%.0fx", r)
	case r >= 10:
		return fmt.Sprintf("%.1fx", r)
	}
	return fmt.Sprintf("%.2fx", r)
}

func formatRange(c comparison) string {
	if !c.ok || math.IsNaN(c.lo) {
		return "—"
	}
	return formatRatio(c.lo, true) + " to " + formatRatio(c.hi, true)
}

func formatSignificance(c comparison) string {
	if !c.ok {
		return "—"
	}
	switch {
	case c.exact && c.significant():
		return "yes (exact)"
	case c.exact:
		return "no (exact, equal)"
	case c.significant():
		return fmt.Sprintf("yes (p=%.3f)", c.p)
	}
	return fmt.Sprintf("no (p=%.3f)", c.p)
}
