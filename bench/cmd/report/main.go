// Command report runs the same-run benchmarks of the bench module and writes
// docs/benchmarks.md: per bench package (gather, cache, fsm, accumulate) one
// table per scenario with the median ns/op, B/op, allocs/op and custom
// metrics of every implementation and the ratio of each peer to ours, plus
// one SVG bar chart of those ratios per package (docs/bench-<module>.svg).
//
// Benchmarks follow the naming convention Benchmark<Scenario>/impl=<name>;
// ours is impl=asyncutils. Run it from bench/ (scripts/bench.sh does):
//
//	go run ./cmd/report -root .. -count 5 -pkgs ./gather/
//	go run ./cmd/report -root .. -in saved.txt   # regenerate from saved output
//
// It uses the standard library only.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// defaultPkgs are the bench packages and the one white-box benchmark that
// lives in its module: the cache's refresh-loop wake-up, which has no
// public hook (go test runs it from bench/, where cache is a dependency).
const defaultPkgs = "./... github.com/asyncutils-go/asyncutils/cache"

type flags struct {
	root      string
	count     int
	benchtime string
	bench     string
	pkgs      string
	out       string
	in        string
	raw       string
	dry       bool
}

func main() {
	var f flags
	flag.StringVar(&f.root, "root", "..", "the repository root (bench/ is <root>/bench)")
	flag.IntVar(&f.count, "count", 5, "runs of each benchmark, in interleaved rounds of go test -count 1; the report shows medians")
	flag.StringVar(&f.benchtime, "benchtime", "1s", "go test -benchtime")
	flag.StringVar(&f.bench, "bench", ".", "go test -bench regular expression")
	flag.StringVar(&f.pkgs, "pkgs", defaultPkgs, "space-separated packages to run, from bench/")
	flag.StringVar(&f.out, "out", "", "the Markdown report to write (default <root>/docs/benchmarks.md); SVGs go next to it")
	flag.StringVar(&f.in, "in", "", "parse this saved go test -bench output instead of running the benchmarks")
	flag.StringVar(&f.raw, "raw", "", "also save the raw benchmark output to this file (reusable with -in)")
	flag.BoolVar(&f.dry, "dry", false, "print the report only; write no file")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, f, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, f flags, stdout, stderr io.Writer) error {
	if f.out == "" {
		f.out = filepath.Join(f.root, "docs", "benchmarks.md")
	}
	var raw []byte
	command := ""
	if f.in != "" {
		b, err := os.ReadFile(f.in)
		if err != nil {
			return err
		}
		raw = b
	} else {
		if f.count < 1 {
			return fmt.Errorf("-count must be >= 1, got %d", f.count)
		}
		args := []string{"test", "-run", "^$", "-bench", f.bench, "-benchmem",
			"-count", "1", "-benchtime", f.benchtime}
		args = append(args, strings.Fields(f.pkgs)...)
		command = "go " + strings.Join(quoteArgs(args), " ")
		var err error
		if raw, err = runBenchmarks(ctx, filepath.Join(f.root, "bench"), args, f.count, stderr); err != nil {
			return err
		}
	}
	rep, err := parse(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	if len(rep.benches) == 0 {
		return fmt.Errorf("no benchmark results in the output")
	}
	if command == "" {
		command = rep.config["command"]
	}
	md, charts := render(rep, command)
	fmt.Fprint(stdout, md)
	if f.dry {
		return nil
	}
	if f.raw != "" {
		if err := os.WriteFile(f.raw, raw, 0o644); err != nil {
			return err
		}
	}
	dir := filepath.Dir(f.out)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, c := range charts {
		if err := os.WriteFile(filepath.Join(dir, c.file), []byte(c.svg), 0o644); err != nil {
			return err
		}
	}
	if err := os.WriteFile(f.out, []byte(md), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "report: wrote %s and %d chart(s)\n", f.out, len(charts))
	return nil
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
	for round := 1; round <= rounds; round++ {
		fmt.Fprintf(progress, "report: round %d of %d\n", round, rounds)
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
