package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sample is go test -bench output of two packages, with a custom metric, a
// benchmark without impl=, a log line inside a result and noise lines.
const sample = `go: go1.26.0
cores: 2
date: 2026-01-02
goos: linux
goarch: amd64
pkg: github.com/asyncutils-go/asyncutils/bench/gather
cpu: AMD EPYC 7B13
BenchmarkTrivial/impl=asyncutils-2   	   10000	    100000 ns/op	        10.00 ns/task	   82496 B/op	      12 allocs/op
BenchmarkTrivial/impl=asyncutils-2   	   10000	    300000 ns/op	        30.00 ns/task	   82496 B/op	      12 allocs/op
BenchmarkTrivial/impl=asyncutils-2   	   10000	    200000 ns/op	        20.00 ns/task	   82496 B/op	      12 allocs/op
BenchmarkTrivial/impl=errgroup-2     	     300	   4000000 ns/op	       400.0 ns/task	  962194 B/op	   20005 allocs/op
BenchmarkTrivial/impl=errgroup-2     	     300	   5000000 ns/op	       500.0 ns/task	  962194 B/op	   20005 allocs/op
BenchmarkTrivial/impl=errgroup-2     	     300	   6000000 ns/op	       600.0 ns/task	  962194 B/op	   20005 allocs/op
BenchmarkTrivial/impl=fast-2         	     300	     50000 ns/op	       5.0 ns/task	  100 B/op	   1 allocs/op
BenchmarkSolo-2
    solo_test.go:10: a log line between the name and the result
BenchmarkSolo-2                      	 1000000	      1000 ns/op	       0 B/op	       0 allocs/op
--- BENCH: BenchmarkSolo-2
PASS
ok  	github.com/asyncutils-go/asyncutils/bench/gather	12.1s
goos: linux
goarch: amd64
pkg: github.com/asyncutils-go/asyncutils/bench/cache
cpu: AMD EPYC 7B13
BenchmarkGet/parallel/impl=otter-2      	 1000000	      30 ns/op	       0 B/op	       0 allocs/op
BenchmarkGet/parallel/impl=asyncutils-2 	 1000000	      15 ns/op	       0 B/op	       0 allocs/op
PASS
`

func mustParse(t *testing.T, s string) *report {
	t.Helper()
	rep, err := parse(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func find(rep *report, module, scenario, impl string) *bench {
	for _, b := range rep.benches {
		if b.module == module && b.scenario == scenario && b.impl == impl {
			return b
		}
	}
	return nil
}

func TestParse(t *testing.T) {
	rep := mustParse(t, sample)
	if rep.procs != 2 {
		t.Errorf("procs = %d, want 2", rep.procs)
	}
	for k, want := range map[string]string{"goos": "linux", "goarch": "amd64", "cpu": "AMD EPYC 7B13", "go": "go1.26.0", "cores": "2", "date": "2026-01-02"} {
		if rep.config[k] != want {
			t.Errorf("config[%s] = %q, want %q", k, rep.config[k], want)
		}
	}
	if len(rep.benches) != 6 {
		t.Fatalf("%d benchmarks, want 6", len(rep.benches))
	}
	tests := []struct {
		module, scenario, impl, unit string
		want                         []float64
	}{
		{"gather", "Trivial", "asyncutils", "ns/op", []float64{100000, 300000, 200000}},
		{"gather", "Trivial", "asyncutils", "ns/task", []float64{10, 30, 20}},
		{"gather", "Trivial", "errgroup", "allocs/op", []float64{20005, 20005, 20005}},
		{"gather", "Solo", "", "ns/op", []float64{1000}},
		{"cache", "Get/parallel", "otter", "ns/op", []float64{30}},
		{"cache", "Get/parallel", "asyncutils", "B/op", []float64{0}},
	}
	for _, tt := range tests {
		b := find(rep, tt.module, tt.scenario, tt.impl)
		if b == nil {
			t.Errorf("no benchmark %s %s %s", tt.module, tt.scenario, tt.impl)
			continue
		}
		got := b.samples[tt.unit]
		if len(got) != len(tt.want) {
			t.Errorf("%s %s %s %s: %v, want %v", tt.module, tt.scenario, tt.impl, tt.unit, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("%s %s %s %s: %v, want %v", tt.module, tt.scenario, tt.impl, tt.unit, got, tt.want)
			}
		}
	}
	if b := find(rep, "gather", "Trivial", "asyncutils"); strings.Join(b.units, ",") != "ns/op,ns/task,B/op,allocs/op" {
		t.Errorf("units = %v", b.units)
	}
}

func TestSplitName(t *testing.T) {
	tests := []struct{ name, scenario, impl string }{
		{"BenchmarkTrivial/impl=asyncutils", "Trivial", "asyncutils"},
		{"BenchmarkGet/parallel/impl=otter", "Get/parallel", "otter"},
		{"BenchmarkGet/impl=otter/size=10", "Get/size=10", "otter"},
		{"BenchmarkSolo", "Solo", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, i := splitName(tt.name)
			if s != tt.scenario || i != tt.impl {
				t.Errorf("splitName = %q, %q; want %q, %q", s, i, tt.scenario, tt.impl)
			}
		})
	}
}

func TestMedian(t *testing.T) {
	tests := []struct {
		name string
		xs   []float64
		want float64
	}{
		{"one", []float64{7}, 7},
		{"odd unsorted", []float64{5, 1, 3}, 3},
		{"even: mean of the middle two", []float64{4, 1, 3, 2}, 2.5},
		{"outlier ignored", []float64{10, 11, 1000, 12, 9}, 11},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := append([]float64(nil), tt.xs...)
			if got := median(tt.xs); got != tt.want {
				t.Errorf("median(%v) = %v, want %v", tt.xs, got, tt.want)
			}
			for i := range in {
				if in[i] != tt.xs[i] {
					t.Fatal("median reordered its input")
				}
			}
		})
	}
	if !math.IsNaN(median(nil)) {
		t.Error("median(nil) is not NaN")
	}
}

func TestRatio(t *testing.T) {
	tests := []struct {
		peer, ours, want float64
	}{
		{5000000, 200000, 25},
		{50000, 200000, 0.25},
		{100, 100, 1},
	}
	for _, tt := range tests {
		if got := ratio(tt.peer, tt.ours); got != tt.want {
			t.Errorf("ratio(%v, %v) = %v, want %v", tt.peer, tt.ours, got, tt.want)
		}
	}
	for _, bad := range [][2]float64{{1, 0}, {math.NaN(), 1}, {1, math.NaN()}} {
		if !math.IsNaN(ratio(bad[0], bad[1])) {
			t.Errorf("ratio(%v, %v) is not NaN", bad[0], bad[1])
		}
	}
	// From parsed samples: medians 200000 (ours) and 5000000 (errgroup).
	rep := mustParse(t, sample)
	mods := group(rep.benches)
	if len(mods) != 2 || mods[0].name != "gather" || mods[1].name != "cache" {
		t.Fatalf("modules = %v, want gather then cache", mods)
	}
	s := mods[0].scenarios[0]
	if s.name != "Trivial" || s.benches[0].impl != ours {
		t.Fatalf("first scenario %q starts with %q, want Trivial and ours", s.name, s.benches[0].impl)
	}
	if got := s.ratioOf(s.benches[1]); got != 25 || s.unit() != "ns/op" {
		t.Errorf("errgroup ratio = %v, want 25", got)
	}
	// ours is listed first even when a peer came first in the output.
	if c := mods[1].scenarios[0]; c.benches[0].impl != ours {
		t.Errorf("cache scenario starts with %q, want ours", c.benches[0].impl)
	}
}

// A scenario that reports B/entry is compared on memory, not on time.
func TestRatioOnMemory(t *testing.T) {
	const out = `pkg: github.com/asyncutils-go/asyncutils/bench/cache
BenchmarkBytesPerEntry/impl=asyncutils-2   1   2000 ns/op   100.0 B/entry   10 B/op   1 allocs/op
BenchmarkBytesPerEntry/impl=otter-2        1   1000 ns/op   150.0 B/entry   10 B/op   1 allocs/op
`
	rep := mustParse(t, out)
	s := group(rep.benches)[0].scenarios[0]
	if s.unit() != "B/entry" {
		t.Fatalf("unit = %q, want B/entry", s.unit())
	}
	if got := s.ratioOf(s.benches[1]); got != 1.5 {
		t.Fatalf("otter ratio = %v, want 1.5 (150/100 B/entry, not 1000/2000 ns/op)", got)
	}
	md, charts := render(rep, "")
	if !strings.Contains(md, "ratio (peer/ours, B/entry)") || !strings.Contains(md, "| otter |") || !strings.Contains(md, "1.50x") {
		t.Fatalf("table does not compare B/entry:\n%s", md)
	}
	if len(charts) != 1 || !strings.Contains(charts[0].svg, "BytesPerEntry (B/entry)") {
		t.Fatalf("chart does not name the unit: %+v", charts)
	}
}

func TestRender(t *testing.T) {
	rep := mustParse(t, sample)
	md, charts := render(rep, "go test -bench .")
	for _, want := range []string{
		"| Machine | linux/amd64, CPU AMD EPYC 7B13, 2 cores, GOMAXPROCS 2 |",
		"| Go | go1.26.0 |",
		"| Date | 2026-01-02 |",
		"## gather", "## cache", "### Trivial", "### Get/parallel", "### Solo",
		"| impl | ns/op | B/op | allocs/op | ns/task | ratio (peer/ours) |",
		"| **asyncutils** | 200,000 | 82,496 | 12 | 20.0 | 1.00x |",
		"| errgroup | 5,000,000 | 962,194 | 20,005 | 500 | 25.0x |",
		"| fast | 50,000 | 100 | 1 | 5.00 | 0.25x |",
		"| otter | 30.0 | 0 | 0 | 2.00x |",
		"| (no impl) | 1,000 | 0 | 0 | — |",
		"![gather: how many times slower each peer is than asyncutils](bench-gather.svg)",
		"median of\n3 runs",
		"| Command | `go test -bench .` in `bench/`, 3 rounds |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	if len(charts) != 2 || charts[0].file != "bench-gather.svg" || charts[1].file != "bench-cache.svg" {
		t.Fatalf("charts = %v", charts)
	}
	md2, charts2 := render(mustParse(t, sample), "go test -bench .")
	if md2 != md || charts2[0].svg != charts[0].svg {
		t.Error("the report is not deterministic")
	}
}

// TestSVGWellFormed decodes every chart with encoding/xml and checks it
// holds a bar and a label per peer.
func TestSVGWellFormed(t *testing.T) {
	_, charts := render(mustParse(t, sample), "")
	for _, c := range charts {
		t.Run(c.file, func(t *testing.T) {
			dec := xml.NewDecoder(strings.NewReader(c.svg))
			rects, texts, root := 0, []string{}, ""
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
					if el.Name.Local == "rect" {
						rects++
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
			if c.file == "bench-gather.svg" {
				if rects != 1+2 { // the background and a bar per peer
					t.Errorf("%d rects, want 3", rects)
				}
				for _, want := range []string{"errgroup", "25.0x", "fast", "0.25x", "Trivial", "1x"} {
					if !strings.Contains(all, want) {
						t.Errorf("chart text lacks %q: %s", want, all)
					}
				}
			}
		})
	}
}

// TestRunFromSavedOutput regenerates a report from a saved file (-in) and
// checks what it writes; -dry writes nothing.
func TestRunFromSavedOutput(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "saved.txt")
	if err := os.WriteFile(in, []byte(sample), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "docs", "benchmarks.md")
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), flags{in: in, out: out, dry: true}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("-dry wrote %s", out)
	}
	if err := run(context.Background(), flags{in: in, out: out}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(out)
	if err != nil || !strings.Contains(string(md), "### Trivial") {
		t.Fatalf("report: %v\n%s", err, md)
	}
	for _, f := range []string{"bench-gather.svg", "bench-cache.svg"} {
		if _, err := os.Stat(filepath.Join(dir, "docs", f)); err != nil {
			t.Errorf("chart not written: %v", err)
		}
	}
	if err := run(context.Background(), flags{in: filepath.Join(dir, "missing.txt"), out: out}, &stdout, &stderr); err == nil {
		t.Error("a missing -in file was not an error")
	}
	empty := filepath.Join(dir, "empty.txt")
	_ = os.WriteFile(empty, []byte("PASS\n"), 0o644)
	if err := run(context.Background(), flags{in: empty, out: out}, &stdout, &stderr); err == nil {
		t.Error("output without results was not an error")
	}
}
