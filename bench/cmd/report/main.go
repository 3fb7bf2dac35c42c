// Command report runs the same-run benchmarks of the bench module and
// writes the benchmark report of the repository, docs/benchmarks.md: per
// bench package (gather, cache, fsm, accumulate, ...) one table per
// scenario with the median of every unit and its 95% confidence interval
// for every implementation, each peer's ratio to ours and whether it is
// significant (benchstat's Mann-Whitney U test, alpha 0.05), and one SVG
// chart of those ratios per package (docs/bench-<module>.svg), with the
// range the intervals allow as an error bar. It reads the output with
// golang.org/x/perf/benchfmt and computes with golang.org/x/perf/benchmath,
// what benchstat is made of.
//
// The raw output is saved as docs/benchmarks.txt, the one source of every
// figure of the repository: the report also rewrites the generated blocks
// of the Markdown files (the README's comparison table, each guide's
// performance section; see blocks.go for their form), and -check, which CI
// runs, fails when the report, a chart or a block is not what
// docs/benchmarks.txt gives, or when a Markdown file or a Go comment
// quotes a measured figure (a ratio, a time in ns or µs) outside a block.
//
// # Conventions for benchmarks
//
// A comparison is a benchmark Benchmark<Scenario>/impl=<name> in any
// package of bench/; ours is impl=asyncutils. Other sub-benchmark parts
// (/capacity=1000/trace=gli) stay in the scenario's name, one table each.
// Custom metrics (b.ReportMetric) are columns of the table, with no code
// here to change:
//
//   - The ratios compare ns/op, unless the scenario reports a headline
//     unit, which says what it is about better than its time: a
//     percentage (hit%) or a quantity per something other than an
//     operation that is not a time (B/entry, calls/key, calls/key/period).
//     A time per thing (ns/task) or a count per operation (loads/op) is
//     shown, not compared.
//   - Lower is better, except for a unit ending in % or /s (hit%, ops/s).
//     A Unit line of the benchmark format printed by the bench package
//     (Unit hit% better=higher assume=exact, from its TestMain) overrides
//     both that and the statistics: assume=exact for a metric that does
//     not vary between runs (a simulated hit ratio), better=lower for a
//     percentage where lower is better (Unit miss% better=lower).
//
// Every ratio reads "how many times better asyncutils is": above 1, ours is
// ahead.
//
// Run it from bench/ (scripts/bench.sh does):
//
//	go run ./cmd/report -root ..                 # run, write the report and the blocks
//	go run ./cmd/report -root .. -in saved.txt   # the same from saved output
//	go run ./cmd/report -root .. -check          # what CI runs: is every figure the report's?
//	go run ./cmd/report -root .. -pkgs ./gather/ # a subset: prints, writes nothing
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// defaultPkgs are the bench packages and the one white-box benchmark that
// lives in its module: the cache's refresh-loop wake-up, which has no
// public hook (go test runs it from bench/, where cache is a dependency).
const defaultPkgs = "./... github.com/asyncutils-go/asyncutils/cache"

// The report and its raw output, relative to the repository root.
const (
	reportPath = "docs/benchmarks.md"
	rawPath    = "docs/benchmarks.txt"
)

type flags struct {
	root      string
	count     int
	benchtime string
	bench     string
	pkgs      string
	in        string
	raw       string
	dry       bool
	check     bool
}

func main() {
	var f flags
	flag.StringVar(&f.root, "root", "..", "the repository root (bench/ is <root>/bench)")
	flag.IntVar(&f.count, "count", 6, "rounds: runs of each benchmark, each round one go test -count 1 (6 is the fewest with a finite 95% interval of a median)")
	flag.StringVar(&f.benchtime, "benchtime", "1s", "go test -benchtime")
	flag.StringVar(&f.bench, "bench", ".", "go test -bench regular expression; other than . it is a subset")
	flag.StringVar(&f.pkgs, "pkgs", defaultPkgs, "space-separated packages to run, from bench/; other than the default it is a subset")
	flag.StringVar(&f.in, "in", "", "read this saved go test -bench output instead of running the benchmarks")
	flag.StringVar(&f.raw, "raw", "", "also save the raw benchmark output to this file")
	flag.BoolVar(&f.dry, "dry", false, "print the report only; write no file of the repository")
	flag.BoolVar(&f.check, "check", false, "check that the report, the charts and every generated block are what "+rawPath+" gives, and that no measured figure is quoted outside a block; write nothing")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, f, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

// subset reports whether the run covers less than every benchmark, so that
// its report must not replace the repository's.
func (f flags) subset() bool {
	return f.in == "" && !f.check && (f.bench != "." || f.pkgs != defaultPkgs)
}

func run(ctx context.Context, f flags, stdout, stderr io.Writer) error {
	raw, err := rawOutput(ctx, f, stderr)
	if err != nil {
		return err
	}
	if f.raw != "" {
		if err := os.WriteFile(f.raw, raw, 0o644); err != nil {
			return err
		}
	}
	if f.in == "" && !f.check && !f.dry && !f.subset() {
		// Saved before anything else can fail: a full run is long.
		if err := os.WriteFile(filepath.Join(f.root, filepath.FromSlash(rawPath)), raw, 0o644); err != nil {
			return err
		}
	}
	rep, err := read(bytes.NewReader(raw), "output")
	if err != nil {
		return err
	}
	if len(rep.benches) == 0 {
		return errors.New("no benchmark results in the output")
	}
	for _, s := range rep.skipped {
		fmt.Fprintln(stderr, "report: skipped", s)
	}
	g, err := generate(f.root, rep)
	if err != nil {
		return err
	}
	switch {
	case f.check:
		problems := g.check(f.root)
		for _, p := range problems {
			fmt.Fprintln(stderr, p)
		}
		if len(problems) > 0 {
			return fmt.Errorf("%d figure problem(s): bash scripts/bench.sh -in %s rewrites the report and the blocks from the saved run; a figure outside a block goes into one, or goes", len(problems), rawPath)
		}
		fmt.Fprintf(stderr, "report: every figure is the report's (%s, %d block(s))\n", rawPath, g.blocks)
		return nil
	case f.dry || f.subset():
		fmt.Fprint(stdout, g.files[reportPath])
		if f.subset() {
			fmt.Fprintln(stderr, "report: a subset of the benchmarks: printed, nothing written")
		}
		return nil
	}
	g.files[rawPath] = string(raw)
	if err := g.write(f.root); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "report: wrote %s, %s, %d chart(s) and %d block(s)\n", reportPath, rawPath, len(g.charts), g.blocks)
	if len(g.problems) > 0 {
		for _, p := range g.problems {
			fmt.Fprintln(stderr, p)
		}
		return fmt.Errorf("%d figure problem(s) left to fix by hand", len(g.problems))
	}
	return nil
}

// rawOutput is the go test output the report is made of: the saved file
// (-in, or the repository's for -check) or a new run.
func rawOutput(ctx context.Context, f flags, stderr io.Writer) ([]byte, error) {
	switch {
	case f.in != "":
		return os.ReadFile(f.in)
	case f.check:
		raw, err := os.ReadFile(filepath.Join(f.root, filepath.FromSlash(rawPath)))
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("no saved run %s to check against: bash scripts/bench.sh makes one", rawPath)
		}
		return raw, err
	}
	if f.count < 1 {
		return nil, fmt.Errorf("-count must be >= 1, got %d", f.count)
	}
	args := []string{"test", "-run", "^$", "-bench", f.bench, "-benchmem",
		"-count", "1", "-benchtime", f.benchtime}
	args = append(args, strings.Fields(f.pkgs)...)
	return runBenchmarks(ctx, filepath.Join(f.root, "bench"), args, f.count, stderr)
}

// generated is every file the report writes, and what it found wrong.
type generated struct {
	files    map[string]string // relative to the root: the report, the charts, the Markdown files with blocks
	charts   []string          // the charts' paths
	blocks   int               // the generated blocks in the Markdown files
	problems []string          // blocks it could not generate, figures outside blocks
}

// generate renders the report, its charts and every Markdown file of the
// repository that has generated blocks.
func generate(root string, rep *report) (*generated, error) {
	g := &generated{files: map[string]string{}}
	md, charts := render(rep, rep.config["command"], filepath.Base(rawPath))
	g.files[reportPath] = md
	for _, c := range charts {
		p := filepath.ToSlash(filepath.Join(filepath.Dir(reportPath), c.file))
		g.files[p] = c.svg
		g.charts = append(g.charts, p)
	}
	docs, err := docFiles(root)
	if err != nil {
		return nil, err
	}
	mods := rep.group()
	for _, rel := range docs {
		text, err := readFile(root, rel)
		if err != nil {
			return nil, err
		}
		if strings.HasSuffix(rel, ".md") {
			blocks, _ := parseBlocks(text)
			g.blocks += len(blocks)
			out, errs := rewriteBlocks(text, rep, mods, relLink(rel, reportPath))
			for _, e := range errs {
				g.problems = append(g.problems, fmt.Sprintf("%s:%v", rel, e))
			}
			if out != text || len(blocks) > 0 {
				g.files[rel] = out
			}
			text = out
		}
		g.problems = append(g.problems, strayFigures(rel, text)...)
	}
	return g, nil
}

// check compares the generated files with the repository's and returns
// every difference and every problem found while generating.
func (g *generated) check(root string) []string {
	problems := slices.Clone(g.problems)
	for _, rel := range slices.Sorted(maps.Keys(g.files)) {
		have, err := readFile(root, rel)
		switch {
		case err != nil:
			problems = append(problems, fmt.Sprintf("%s: %v", rel, err))
		case have != g.files[rel]:
			problems = append(problems, fmt.Sprintf("%s:%d: not what %s gives", rel, firstDiff(have, g.files[rel]), rawPath))
		}
	}
	for _, rel := range staleCharts(root, g.charts) {
		problems = append(problems, fmt.Sprintf("%s: a chart of no package of %s", rel, rawPath))
	}
	return problems
}

// write writes every generated file and removes the charts of packages the
// run no longer has.
func (g *generated) write(root string) error {
	if err := os.MkdirAll(filepath.Join(root, filepath.Dir(reportPath)), 0o755); err != nil {
		return err
	}
	for _, rel := range slices.Sorted(maps.Keys(g.files)) {
		if err := os.WriteFile(filepath.Join(root, filepath.FromSlash(rel)), []byte(g.files[rel]), 0o644); err != nil {
			return err
		}
	}
	for _, rel := range staleCharts(root, g.charts) {
		if err := os.Remove(filepath.Join(root, filepath.FromSlash(rel))); err != nil {
			return err
		}
	}
	return nil
}

// staleCharts lists the bench-*.svg files next to the report that are not
// among charts.
func staleCharts(root string, charts []string) []string {
	matches, _ := filepath.Glob(filepath.Join(root, filepath.Dir(reportPath), "bench-*.svg"))
	var out []string
	for _, m := range matches {
		rel := filepath.ToSlash(filepath.Join(filepath.Dir(reportPath), filepath.Base(m)))
		if !slices.Contains(charts, rel) {
			out = append(out, rel)
		}
	}
	return out
}

// firstDiff is the 1-based line where a and b first differ.
func firstDiff(a, b string) int {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return i + 1
		}
	}
	return min(len(al), len(bl)) + 1
}

// runBenchmarks runs go with args in dir rounds times, streaming the
// output to progress, and returns the outputs preceded by configuration
// lines the parser reads back (go version, cores, date, command), so that a
// saved copy is enough to regenerate the report.
//
// Each round runs every benchmark once (-count 1) rather than one run with
// -count N, which would run each benchmark N times in a row: on a shared
// machine a burst of load then hits one implementation's samples only,
// while in rounds it spreads over all of them and the medians stay
// comparable.
func runBenchmarks(ctx context.Context, dir string, args []string, rounds int, progress io.Writer) ([]byte, error) {
	var buf bytes.Buffer
	version, err := exec.CommandContext(ctx, "go", "env", "GOVERSION").Output()
	if err != nil {
		return nil, fmt.Errorf("go env GOVERSION: %w", err)
	}
	fmt.Fprintf(&buf, "go: %s\n", strings.TrimSpace(string(version)))
	fmt.Fprintf(&buf, "cores: %d\n", runtime.NumCPU())
	fmt.Fprintf(&buf, "date: %s\n", time.Now().UTC().Format("2006-01-02"))
	fmt.Fprintf(&buf, "command: go %s\n", strings.Join(quoteArgs(args), " "))
	start := time.Now()
	for round := 1; round <= rounds; round++ {
		if done := round - 1; done > 0 {
			per := time.Since(start) / time.Duration(done)
			fmt.Fprintf(progress, "report: round %d of %d (%s a round, about %s left)\n",
				round, rounds, per.Round(time.Second), (per * time.Duration(rounds-done)).Round(time.Second))
		} else {
			fmt.Fprintf(progress, "report: round %d of %d\n", round, rounds)
		}
		cmd := exec.CommandContext(ctx, "go", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOWORK=off")
		cmd.Stdout = io.MultiWriter(&buf, progress)
		cmd.Stderr = progress
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("go test (round %d): %w", round, err)
		}
	}
	return buf.Bytes(), nil
}

// quoteArgs quotes the arguments a shell would split or expand.
func quoteArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \t'\"$^*?[]|&;<>()\\") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		out[i] = a
	}
	return out
}
