package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The fixtures in testdata are go test -bench output:
//   - clear.txt: 6 rounds of two packages with clear differences, custom
//     metrics (ns/task, hit%, calls/key), extra sub-benchmark keys, a
//     benchmark without impl= and a log line between a name and its result;
//   - noisy.txt: 6 rounds of one scenario where looplab's ratio to ours is
//     noise (not significant) and quick's is not.
//   - fleet.txt: 6 rounds of fleet scenarios: a unit with two denominators
//     (calls/key/period), a plain count (max-age-ms) and a scenario of ours
//     alone.

func mustRead(t *testing.T, file string) *report {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := read(bytes.NewReader(b), file)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func mustScenario(t *testing.T, rep *report, key string) *scenario {
	t.Helper()
	s := find(rep.group(), key)
	if s == nil {
		t.Fatalf("no scenario %s", key)
	}
	return s
}

func implOf(t *testing.T, s *scenario, impl string) *bench {
	t.Helper()
	for _, b := range s.benches {
		if b.impl == impl {
			return b
		}
	}
	t.Fatalf("%s has no impl=%s", s.key(), impl)
	return nil
}

func TestRead(t *testing.T) {
	rep := mustRead(t, "clear.txt")
	if rep.procs != 2 {
		t.Errorf("procs = %d, want 2", rep.procs)
	}
	for k, want := range map[string]string{"goos": "linux", "goarch": "amd64", "cpu": "AMD EPYC 7B13", "go": "go1.26.0", "cores": "2", "date": "2026-01-02"} {
		if rep.config[k] != want {
			t.Errorf("config[%s] = %q, want %q", k, rep.config[k], want)
		}
	}
	if rep.runs() != 6 {
		t.Errorf("runs = %d, want 6", rep.runs())
	}
	if len(rep.benches) != 9 {
		t.Fatalf("%d benchmarks, want 9", len(rep.benches))
	}
	tests := []struct {
		key, impl, unit string
		want            []float64
	}{
		{"gather/Trivial", "asyncutils", "ns/op", []float64{100000, 103000, 98000, 101000, 99000, 102000}},
		{"gather/Trivial", "asyncutils", "ns/task", []float64{10, 10.3, 9.8, 10.1, 9.9, 10.2}},
		{"gather/Trivial", "errgroup", "allocs/op", []float64{20005, 20005, 20005, 20005, 20005, 20005}},
		{"gather/Solo", "", "ns/op", []float64{1000, 1030, 980, 1010, 990, 1020}},
		{"cache/Get/parallel", "otter", "ns/op", []float64{30, 30.9, 29.4, 30.3, 29.7, 30.6}},
		{"cache/HitRatio/capacity=1000/trace=gli", "otter", "hit%", []float64{50, 50, 50, 50, 50, 50}},
	}
	for _, tt := range tests {
		b := implOf(t, mustScenario(t, rep, tt.key), tt.impl)
		got := b.samples[tt.unit]
		if len(got) != len(tt.want) {
			t.Errorf("%s %s %s: %v, want %v", tt.key, tt.impl, tt.unit, got, tt.want)
			continue
		}
		for i := range got {
			if math.Abs(got[i]-tt.want[i]) > 1e-9 {
				t.Errorf("%s %s %s: %v, want %v", tt.key, tt.impl, tt.unit, got, tt.want)
				break
			}
		}
	}
	b := implOf(t, mustScenario(t, rep, "gather/Trivial"), ours)
	if strings.Join(b.units, ",") != "ns/op,ns/task,B/op,allocs/op" {
		t.Errorf("units = %v, want them as written, in order", b.units)
	}
}

func TestReadSkipsBrokenResultLines(t *testing.T) {
	const out = "pkg: x/bench/fsm\n" +
		"BenchmarkA/impl=asyncutils-2 \t 10 \t 5 ns/op\n" +
		"BenchmarkA/impl=asyncutils-2 \t ten \t 5 ns/op\n"
	rep, err := read(strings.NewReader(out), "out")
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.benches) != 1 || len(rep.benches[0].samples["ns/op"]) != 1 {
		t.Fatalf("benches = %+v, want one sample", rep.benches)
	}
	if len(rep.skipped) != 1 || !strings.Contains(rep.skipped[0], "out:3") {
		t.Fatalf("skipped = %q, want line 3", rep.skipped)
	}
}

func TestSplitName(t *testing.T) {
	tests := []struct {
		name, scenario, impl string
		procs                int
	}{
		{"Trivial/impl=asyncutils-2", "Trivial", "asyncutils", 2},
		{"Get/parallel/impl=otter-8", "Get/parallel", "otter", 8},
		{"Get/impl=otter/size=10", "Get/size=10", "otter", 0},
		{"HitRatio/capacity=1000/trace=gli/impl=otter-2", "HitRatio/capacity=1000/trace=gli", "otter", 2},
		{"Solo", "Solo", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, i, p := splitName([]byte(tt.name))
			if s != tt.scenario || i != tt.impl || p != tt.procs {
				t.Errorf("splitName = %q, %q, %d; want %q, %q, %d", s, i, p, tt.scenario, tt.impl, tt.procs)
			}
		})
	}
}

func TestUnitConventions(t *testing.T) {
	headline := map[string]bool{
		"ns/op": false, "B/op": false, "allocs/op": false,
		"ns/task": false, "ns/callback": false, "loads/op": false, "goroutines-started": false, "MB/s": false,
		"B/entry": true, "calls/key": true, "hit%": true, "miss%": true,
		"calls/key/period": true, "calls/key/op": false, "calls/op/key": false, "B/key/s": false,
		"ns/key/period": false, "calls/": false, "calls//key": false, "max-age-ms": false,
	}
	for u, want := range headline {
		if got := isHeadline(u); got != want {
			t.Errorf("isHeadline(%q) = %v, want %v", u, got, want)
		}
	}
	rep := &report{}
	for u, want := range map[string]bool{"ns/op": false, "calls/key": false, "calls/key/period": false, "max-age-ms": false, "B/entry": false, "hit%": true, "ops/s": true} {
		if got := rep.higherIsBetter(u); got != want {
			t.Errorf("higherIsBetter(%q) = %v, want %v", u, got, want)
		}
	}
	// A Unit line of the output overrides the suffix.
	withUnits, err := read(strings.NewReader("Unit miss% better=lower\nUnit score better=higher\n"), "units")
	if err != nil {
		t.Fatal(err)
	}
	if withUnits.higherIsBetter("miss%") || !withUnits.higherIsBetter("score") {
		t.Error("a Unit line's better= is not followed")
	}
}

func TestCompare(t *testing.T) {
	rep := mustRead(t, "clear.txt")
	tests := []struct {
		key, peer, unit string
		ratio           float64
	}{
		// Medians: ours 100,500 ns/op, errgroup 4,020,000.
		{"gather/Trivial", "errgroup", "ns/op", 40},
		{"cache/Get/parallel", "otter", "ns/op", 2},
		// Higher is better: ours over the peer's, 62.5 / 50.
		{"cache/HitRatio/capacity=1000/trace=gli", "otter", "hit%", 1.25},
		// A headline cost: 3 calls per key against ours 1; the time is not compared.
		{"cache/BulkRefresh", "naive", "calls/key", 3},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			s := mustScenario(t, rep, tt.key)
			if s.unit() != tt.unit {
				t.Fatalf("unit = %q, want %q", s.unit(), tt.unit)
			}
			c := s.compare(implOf(t, s, tt.peer))
			if !c.ok || math.Abs(c.ratio-tt.ratio) > 1e-9 {
				t.Fatalf("ratio = %v (ok %v), want %v", c.ratio, c.ok, tt.ratio)
			}
			if !c.significant() || c.p > 0.05 {
				t.Errorf("p = %v, want a significant difference", c.p)
			}
			if !(c.lo <= c.ratio && c.ratio <= c.hi) {
				t.Errorf("range %v to %v does not hold the ratio %v", c.lo, c.hi, c.ratio)
			}
		})
	}
	if c := mustScenario(t, rep, "gather/Solo").compare(implOf(t, mustScenario(t, rep, "gather/Solo"), "")); c.ok {
		t.Errorf("a scenario without ours compares: %+v", c)
	}
}

// In the noisy fixture looplab's rounds overlap ours: its ratio is printed
// but marked not significant, while quick, twice as fast in every round,
// is significant.
func TestCompareNoisy(t *testing.T) {
	rep := mustRead(t, "noisy.txt")
	s := mustScenario(t, rep, "fsm/Transition")
	noise := s.compare(implOf(t, s, "looplab"))
	if !noise.ok || noise.significant() || noise.p <= 0.05 {
		t.Fatalf("looplab: %+v, want a ratio that is not significant", noise)
	}
	if math.Abs(noise.ratio-106.5/105) > 1e-9 {
		t.Errorf("looplab ratio = %v, want %v (median 106.5 over 105)", noise.ratio, 106.5/105)
	}
	if !(noise.lo < 1 && noise.hi > 1) {
		t.Errorf("looplab range %v to %v does not straddle 1", noise.lo, noise.hi)
	}
	quick := s.compare(implOf(t, s, "quick"))
	if !quick.significant() || quick.ratio >= 1 {
		t.Errorf("quick: %+v, want a significant ratio below 1", quick)
	}
	md, charts := render(rep, "", "")
	for _, want := range []string{
		"| looplab | 106 ±", "| 1.01x | ", "| no (p=",
		"| quick | 50.5 ±", "| 0.48x | ", "| yes (p=0.002) |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	if len(charts) != 1 || !strings.Contains(charts[0].svg, "1.01x (not significant)") || !strings.Contains(charts[0].svg, "#9e9e9e") {
		t.Errorf("the chart does not mark looplab as not significant:\n%s", charts[0].svg)
	}
}

// Two rounds give no interval and can never be significant; benchmath's
// warnings say so in the report.
func TestTooFewRounds(t *testing.T) {
	const out = "pkg: x/bench/fsm\n" +
		"BenchmarkT/impl=asyncutils-2 \t 10 \t 5 ns/op \t 0 allocs/op\nBenchmarkT/impl=peer-2 \t 10 \t 50 ns/op \t 1 allocs/op\n" +
		"BenchmarkT/impl=asyncutils-2 \t 10 \t 6 ns/op \t 0 allocs/op\nBenchmarkT/impl=peer-2 \t 10 \t 60 ns/op \t 1 allocs/op\n"
	rep, err := read(strings.NewReader(out), "out")
	if err != nil {
		t.Fatal(err)
	}
	s := mustScenario(t, rep, "fsm/T")
	if c := s.compare(implOf(t, s, "peer")); c.significant() || !c.ok || !math.IsNaN(c.lo) {
		t.Errorf("comparison = %+v, want a ratio, no range, not significant", c)
	}
	md, _ := render(rep, "", "")
	// A unit that did not vary has no ±, even without an interval.
	for _, want := range []string{"| **asyncutils** | 5.50 ±∞ | 0 | 1.00x |", "| peer | 55.0 ±∞ | 1 | 10.0x | — | no (p=0.333) |", "need >= 6 samples for confidence interval at level 0.95", "need >= 4 samples to detect a difference at alpha level 0.05"} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
}

// A unit declared assume=exact (a simulated hit ratio) needs no test:
// values that differ are significant even in three rounds, equal ones are not.
func TestCompareExact(t *testing.T) {
	out := "Unit hit% better=higher assume=exact\npkg: x/bench/cache\n"
	for range 3 {
		out += "BenchmarkHitRatio/trace=a/impl=asyncutils-2 \t 1 \t 9 ns/op \t 62.5 hit%\n" +
			"BenchmarkHitRatio/trace=a/impl=lru-2 \t 1 \t 7 ns/op \t 50 hit%\n" +
			"BenchmarkHitRatio/trace=a/impl=same-2 \t 1 \t 8 ns/op \t 62.5 hit%\n"
	}
	rep, err := read(strings.NewReader(out), "out")
	if err != nil {
		t.Fatal(err)
	}
	s := mustScenario(t, rep, "cache/HitRatio/trace=a")
	if c := s.compare(implOf(t, s, "lru")); !c.significant() || c.ratio != 1.25 {
		t.Errorf("lru: %+v, want 1.25x, significant", c)
	}
	if c := s.compare(implOf(t, s, "same")); c.significant() || c.ratio != 1 {
		t.Errorf("same: %+v, want 1x, not significant", c)
	}
	md, _ := render(rep, "", "")
	for _, want := range []string{"| lru | 7.00 | 50.0 | 1.25x | 1.25x to 1.25x | yes (exact) |", "| same | 8.00 | 62.5 | 1.00x | 1.00x to 1.00x | no (exact, equal) |"} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
}

func TestRender(t *testing.T) {
	rep := mustRead(t, "clear.txt")
	md, charts := render(rep, rep.config["command"], "benchmarks.txt")
	for _, want := range []string{
		"| Machine | linux/amd64, CPU AMD EPYC 7B13, 2 cores, GOMAXPROCS 2 |",
		"| Go | go1.26.0 |",
		"| Date | 2026-01-02 |",
		"| Rounds | 6 |",
		"| Command | `go test -run '^$' -bench . -benchmem -count 1 -benchtime 1s ./...`, in `bench/`, once per round |",
		"| Raw output | [benchmarks.txt](benchmarks.txt) (benchstat reads it) |",
		"## gather", "## cache", "### Trivial", "### Get/parallel", "### Solo", "### HitRatio/capacity=1000/trace=gli",
		"| impl | ns/op | B/op | allocs/op | ns/task | ratio (peer/ours, ns/op) | range | significant |",
		"| **asyncutils** | 100,500 ±2% | 82,496 | 12 | 10.1 ±2% | 1.00x | | |",
		"| errgroup | 4,020,000 ±2% | 962,194 | 20,005 | 402 ±2% | 40.0x | 38.1x to 42.0x | yes (p=0.002) |",
		"| impl | ns/op | hit% | ratio (ours/peer, hit%) | range | significant |",
		"| otter | 4,020 ±2% | 50.0 | 1.25x | 1.25x to 1.25x | yes (p=0.002) |",
		"| ratio (peer/ours, calls/key) |",
		"| impl | ns/op | B/op | allocs/op |\n| --- | ---: | ---: | ---: |\n| (no impl) | 1,005 ±2% | 0 | 0 |\n",
		"![gather: how many times better asyncutils is than each peer](bench-gather.svg)",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "Warnings") {
		t.Errorf("6 rounds of clear differences warn:\n%s", md)
	}
	if len(charts) != 2 || charts[0].file != "bench-gather.svg" || charts[1].file != "bench-cache.svg" {
		t.Fatalf("charts = %v", charts)
	}
	md2, charts2 := render(mustRead(t, "clear.txt"), rep.config["command"], "benchmarks.txt")
	if md2 != md || charts2[0].svg != charts[0].svg || charts2[1].svg != charts[1].svg {
		t.Error("the report is not deterministic")
	}
}

// TestSVGWellFormed decodes every chart with encoding/xml and checks it
// holds a bar, an error bar and a label per peer.
func TestSVGWellFormed(t *testing.T) {
	_, charts := render(mustRead(t, "clear.txt"), "", "")
	for _, c := range charts {
		t.Run(c.file, func(t *testing.T) {
			dec := xml.NewDecoder(strings.NewReader(c.svg))
			rects, whiskers, texts, root := 0, 0, []string{}, ""
			for {
				tok, err := dec.Token()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatalf("not well-formed XML: %v\n%s", err, c.svg)
				}
				switch el := tok.(type) {
				case xml.StartElement:
					if root == "" {
						root = el.Name.Local
					}
					switch el.Name.Local {
					case "rect":
						rects++
					case "path":
						whiskers++
					}
				case xml.CharData:
					if s := strings.TrimSpace(string(el)); s != "" {
						texts = append(texts, s)
					}
				}
			}
			if root != "svg" {
				t.Fatalf("root element %q, want svg", root)
			}
			all := strings.Join(texts, "|")
			want := map[string]struct {
				bars  int
				texts []string
			}{
				"bench-gather.svg": {1, []string{"errgroup", "40.0x", "Trivial", "1x"}},
				"bench-cache.svg":  {3, []string{"otter", "2.00x", "HitRatio/capacity=1000/trace=gli (hit%)", "BulkRefresh (calls/key)", "naive", "3.00x"}},
			}[c.file]
			if rects != 1+want.bars || whiskers != want.bars { // the background, then a bar and a whisker per peer
				t.Errorf("%d rects and %d whiskers, want %d bars", rects, whiskers, want.bars)
			}
			for _, s := range want.texts {
				if !strings.Contains(all, s) {
					t.Errorf("chart text lacks %q: %s", s, all)
				}
			}
		})
	}
}

// The fleet section comes after the cache's, says what its impls are,
// compares calls/key/period (a headline with two denominators) and shows
// max-age-ms without comparing it; a scenario of ours alone is a table
// without ratios, and has no bar in the chart.
func TestRender_FleetSection(t *testing.T) {
	var raw []byte
	for _, f := range []string{"clear.txt", "fleet.txt"} {
		b, err := os.ReadFile(filepath.Join("testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		raw = append(raw, b...)
	}
	rep, err := read(bytes.NewReader(raw), "clear+fleet")
	if err != nil {
		t.Fatal(err)
	}
	md, charts := render(rep, rep.config["command"], "benchmarks.txt")
	gather, cache, fleet := strings.Index(md, "## gather\n"), strings.Index(md, "## cache\n"), strings.Index(md, "## fleet\n")
	if gather < 0 || cache < gather || fleet < cache {
		t.Errorf("sections at %d, %d, %d; want gather, cache, fleet in that order", gather, cache, fleet)
	}
	if !strings.Contains(md, "## fleet\n\n"+sectionNotes["fleet"]+"\n\n![fleet") {
		t.Errorf("the fleet section does not open with its note and its chart:\n%s", md[fleet:])
	}
	for _, want := range []string{
		"| impl | ns/op | B/op | allocs/op | calls/key/period | max-age-ms | ratio (peer/ours, calls/key/period) | range | significant |",
		"| **asyncutils** | 301,500,000 ±2% | 1,000 | 10 | 1.00 ±2% | 302 ±2% | 1.00x | | |",
		"| cache-alone | 301,500,000 ±2% | 1,000 | 10 | 8.04 ±2% | 302 ±2% | 8.00x | 7.61x to 8.41x | yes (p=0.002) |",
		"| sturdyc | 301,500,000 ±2% | 1,000 | 10 | 1.51 ±2% | 603 ±2% | 1.50x | 1.43x to 1.58x | yes (p=0.002) |",
		"### Change/op=set/replicas=8\n\n| impl | ns/op | B/op | allocs/op |\n| --- | ---: | ---: | ---: |\n| **asyncutils** | 301,500 ±2% | 1,000 | 10 |\n",
		"| cache-alone | 1,005,000 ±2% | 1,000 | 10 | 10.0x | 9.51x to 10.5x | yes (p=0.002) |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md[fleet:])
		}
	}
	var svg string
	for _, c := range charts {
		if c.file == "bench-fleet.svg" {
			svg = c.svg
		}
	}
	if svg == "" {
		t.Fatalf("no bench-fleet.svg among %d charts", len(charts))
	}
	for _, want := range []string{"RefreshLoad/replicas=8 (calls/key/period)", "MissFromRedis/upstream=1ms", ">sturdyc<"} {
		if !strings.Contains(svg, want) {
			t.Errorf("bench-fleet.svg lacks %q", want)
		}
	}
	if strings.Contains(svg, "Change/op=set") {
		t.Error("bench-fleet.svg has a bar for a scenario without a peer")
	}
}
