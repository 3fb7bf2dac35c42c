package main

import (
	"fmt"
	"math"
	"strings"
)

// chart is one SVG file to write next to the report.
type chart struct {
	file string
	svg  string
}

// standardUnits come first in a table, in this order; custom units
// (b.ReportMetric) follow in order of appearance.
var standardUnits = []string{"ns/op", "B/op", "allocs/op"}

// render returns the Markdown report and its charts. command is the go test
// command that produced the results ("" when unknown).
func render(rep *report, command string) (string, []chart) {
	var sb strings.Builder
	mods := group(rep.benches)
	w := func(format string, a ...any) { fmt.Fprintf(&sb, format, a...) }

	w("# Benchmarks\n\n")
	w("Same-run, same-binary comparisons of each asyncutils module with its peers, written by\n")
	w("`bash scripts/bench.sh` (the command in `bench/cmd/report`). Every figure is the median of\n")
	w("%d runs, taken in rounds that each run every benchmark once, so that a burst of load on the\n", runs(rep))
	w("shared machine spreads over all implementations. **ratio** is the peer's median ns/op divided\n")
	w("by ours: above 1, asyncutils is that many times faster; below 1, slower. A scenario about\n")
	w("memory (B/entry) compares that instead, and its ratio header says so. Compare ratios\n")
	w("within one run rather than absolute times across runs.\n\n")
	w("| | |\n| --- | --- |\n")
	w("| Machine | %s |\n", machine(rep))
	w("| Go | %s |\n", orUnknown(rep.config["go"]))
	w("| Date | %s |\n", orUnknown(rep.config["date"]))
	if command != "" {
		w("| Command | `%s` in `bench/`, %d rounds |\n", command, runs(rep))
	}
	w("\n")

	var charts []chart
	for _, m := range mods {
		w("## %s\n\n", m.name)
		if svg := renderChart(m); svg != "" {
			file := "bench-" + m.name + ".svg"
			charts = append(charts, chart{file: file, svg: svg})
			w("![%s: how many times slower each peer is than asyncutils](%s)\n\n", m.name, file)
		}
		for _, s := range m.scenarios {
			renderTable(&sb, s)
		}
	}
	return sb.String(), charts
}

func renderTable(sb *strings.Builder, s scenario) {
	units := tableUnits(s)
	fmt.Fprintf(sb, "### %s\n\n| impl |", orUnknown(s.name))
	align := "| --- |"
	for _, u := range units {
		fmt.Fprintf(sb, " %s |", u)
		align += " ---: |"
	}
	if u := s.unit(); u != "ns/op" {
		fmt.Fprintf(sb, " ratio (peer/ours, %s) |\n", u)
	} else {
		sb.WriteString(" ratio (peer/ours) |\n")
	}
	sb.WriteString(align + " ---: |\n")
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
			fmt.Fprintf(sb, " %s |", formatValue(u, median(b.samples[u])))
		}
		r := s.ratioOf(b)
		if b.impl == ours {
			r = 1
		}
		fmt.Fprintf(sb, " %s |\n", formatRatio(r))
	}
	sb.WriteString("\n")
}

// tableUnits lists the scenario's units: the standard ones, then the
// custom ones in order of appearance.
func tableUnits(s scenario) []string {
	var units []string
	has := func(u string) bool {
		for _, b := range s.benches {
			if _, ok := b.samples[u]; ok {
				return true
			}
		}
		return false
	}
	for _, u := range standardUnits {
		if has(u) {
			units = append(units, u)
		}
	}
	for _, b := range s.benches {
		for _, u := range b.units {
			if !contains(units, u) && !contains(standardUnits, u) {
				units = append(units, u)
			}
		}
	}
	return units
}

func contains(xs []string, x string) bool {
	for _, s := range xs {
		if s == x {
			return true
		}
	}
	return false
}

// runs is the largest number of samples of any benchmark: the -count.
func runs(rep *report) int {
	n := 0
	for _, b := range rep.benches {
		n = max(n, len(b.samples["ns/op"]))
	}
	return n
}

func machine(rep *report) string {
	c := rep.config
	s := orUnknown(c["goos"]) + "/" + orUnknown(c["goarch"]) + ", CPU " + orUnknown(c["cpu"])
	if c["cores"] != "" {
		s += ", " + c["cores"] + " cores"
	}
	if rep.procs > 0 {
		s += fmt.Sprintf(", GOMAXPROCS %d", rep.procs)
	}
	return s
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
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

func formatRatio(r float64) string {
	switch {
	case math.IsNaN(r):
		return "—"
	case r >= 100:
		return fmt.Sprintf("%.0fx", r)
	case r >= 10:
		return fmt.Sprintf("%.1fx", r)
	}
	return fmt.Sprintf("%.2fx", r)
}
