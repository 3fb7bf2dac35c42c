package main

import (
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"

	"golang.org/x/perf/benchfmt"
)

// ours is the impl name of the asyncutils implementation.
const ours = "asyncutils"

// report is what read takes from go test -bench output.
type report struct {
	config  map[string]string        // goos, goarch, cpu, go, cores, date, command: first value
	procs   int                      // GOMAXPROCS, from the -N suffix of the names
	benches []*bench                 // in order of first appearance
	units   benchfmt.UnitMetadataMap // Unit lines of the output (better=higher, assume=exact)
	skipped []string                 // lines that looked like results but did not parse
}

// bench is every sample of one benchmark.
type bench struct {
	module   string // the package's last element: gather, cache, ...
	scenario string // the name without Benchmark and the impl= part
	impl     string // the impl= part's value; "" when there is none
	units    []string
	samples  map[string][]float64 // unit as written -> one value per run
}

// read parses go test -bench output with benchfmt. Lines benchfmt does not
// take for results or configuration (PASS, ok, logs) are ignored; result
// lines it cannot parse are listed in skipped.
func read(r io.Reader, name string) (*report, error) {
	rep := &report{config: map[string]string{}}
	index := map[string]*bench{}
	br := benchfmt.NewReader(r, name)
	for br.Scan() {
		switch rec := br.Result().(type) {
		case *benchfmt.SyntaxError:
			rep.skipped = append(rep.skipped, rec.Error())
		case *benchfmt.Result:
			rep.add(rec, index)
		}
	}
	if err := br.Err(); err != nil {
		return nil, err
	}
	rep.units = br.Units()
	return rep, nil
}

func (rep *report) add(res *benchfmt.Result, index map[string]*bench) {
	for _, c := range res.Config {
		if _, seen := rep.config[c.Key]; !seen && c.Key != "pkg" {
			rep.config[c.Key] = string(c.Value)
		}
	}
	pkg := res.GetConfig("pkg")
	scenario, impl, procs := splitName(res.Name)
	if procs > 0 {
		rep.procs = procs
	}
	id := pkg + "\x00" + scenario + "\x00" + impl
	b := index[id]
	if b == nil {
		b = &bench{module: path.Base(pkg), scenario: scenario, impl: impl, samples: map[string][]float64{}}
		if pkg == "" {
			b.module = "(no package)"
		}
		index[id] = b
		rep.benches = append(rep.benches, b)
	}
	for _, v := range res.Values {
		unit, value := v.Unit, v.Value
		if v.OrigUnit != "" { // benchfmt tidied ns/op into sec/op: keep what the benchmark wrote
			unit, value = v.OrigUnit, v.OrigValue
		}
		if _, ok := b.samples[unit]; !ok {
			b.units = append(b.units, unit)
		}
		b.samples[unit] = append(b.samples[unit], value)
	}
}

// splitName turns the name Get/parallel/impl=otter-2 into the scenario
// "Get/parallel", the impl "otter" and the GOMAXPROCS 2 (0 when absent).
// Every part other than impl= stays in the scenario, in its order.
func splitName(name benchfmt.Name) (scenario, impl string, procs int) {
	base, parts := name.Parts()
	var sb strings.Builder
	sb.Write(base)
	for _, p := range parts {
		s := string(p)
		if v, ok := strings.CutPrefix(s, "/impl="); ok {
			impl = v
			continue
		}
		if n, ok := strings.CutPrefix(s, "-"); ok {
			if v, err := strconv.Atoi(n); err == nil {
				procs = v
				continue
			}
		}
		sb.WriteString(s)
	}
	return sb.String(), impl, procs
}

// runs is the largest number of samples of any benchmark: the rounds.
func (rep *report) runs() int {
	n := 0
	for _, b := range rep.benches {
		for _, s := range b.samples {
			n = max(n, len(s))
		}
	}
	return n
}

func (rep *report) machine() string {
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
