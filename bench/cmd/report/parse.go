package main

import (
	"bufio"
	"io"
	"path"
	"regexp"
	"strconv"
	"strings"
)

// report is what parse reads from go test -bench output.
type report struct {
	config  map[string]string // goos, goarch, cpu, go, cores, date, command
	procs   int               // GOMAXPROCS, from the -N suffix of the names
	benches []*bench          // in order of first appearance
}

// bench is every sample of one benchmark.
type bench struct {
	module   string // the bench package's last element: gather, cache, ...
	scenario string // the name without Benchmark and the impl= element
	impl     string // the impl= element's value; "" when there is none
	units    []string
	samples  map[string][]float64 // unit -> one value per run
}

// configLine matches a "key: value" line of the benchmark format.
var configLine = regexp.MustCompile(`^([a-z][a-zA-Z0-9_-]*):\s*(.*)$`)

// procsSuffix matches the -N GOMAXPROCS suffix of a benchmark name.
var procsSuffix = regexp.MustCompile(`-(\d+)$`)

// parse reads go test -bench output: configuration lines (goos: linux,
// pkg: ..., cpu: ...) and result lines (BenchmarkX/impl=y-2  100  12 ns/op
// ...). Anything else (PASS, ok, logs) is ignored.
func parse(r io.Reader) (*report, error) {
	rep := &report{config: map[string]string{}}
	index := map[string]*bench{}
	pkg := ""
	pending := "" // a benchmark name whose results come on a later line
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if m := configLine.FindStringSubmatch(line); m != nil && !strings.HasPrefix(line, "Benchmark") {
			if m[1] == "pkg" {
				pkg = m[2]
			} else if _, seen := rep.config[m[1]]; !seen {
				rep.config[m[1]] = m[2]
			}
			continue
		}
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		name := ""
		switch {
		case strings.HasPrefix(fields[0], "Benchmark"):
			name, fields = fields[0], fields[1:]
			if len(fields) == 0 {
				pending = name
				continue
			}
		case pending != "":
			name = pending
		default:
			continue
		}
		if _, err := strconv.Atoi(fields[0]); err != nil || len(fields) < 3 {
			continue // not a result line (a log line, --- FAIL, ...)
		}
		pending = ""
		if m := procsSuffix.FindStringSubmatch(name); m != nil {
			rep.procs, _ = strconv.Atoi(m[1])
			name = strings.TrimSuffix(name, m[0])
		}
		scenario, impl := splitName(name)
		key := pkg + "\x00" + scenario + "\x00" + impl
		b := index[key]
		if b == nil {
			b = &bench{module: path.Base(pkg), scenario: scenario, impl: impl, samples: map[string][]float64{}}
			index[key] = b
			rep.benches = append(rep.benches, b)
		}
		for i := 1; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				break
			}
			unit := fields[i+1]
			if _, ok := b.samples[unit]; !ok {
				b.units = append(b.units, unit)
			}
			b.samples[unit] = append(b.samples[unit], v)
		}
	}
	return rep, sc.Err()
}

// splitName turns BenchmarkGet/parallel/impl=otter into the scenario
// "Get/parallel" and the impl "otter".
func splitName(name string) (scenario, impl string) {
	parts := strings.Split(strings.TrimPrefix(name, "Benchmark"), "/")
	kept := parts[:0]
	for _, p := range parts {
		if v, ok := strings.CutPrefix(p, "impl="); ok {
			impl = v
			continue
		}
		kept = append(kept, p)
	}
	return strings.Join(kept, "/"), impl
}
