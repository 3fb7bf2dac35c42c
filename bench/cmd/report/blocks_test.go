package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseBlocksErrors(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"end without begin", "a\n<!-- bench:end -->\n", "2: <!-- bench:end --> without a bench:begin"},
		{"begin without end", "<!-- bench:begin table a/B -->\nx\n", "1: bench:begin without <!-- bench:end -->"},
		{"comment not closed", "<!-- bench:begin table a/B\n", "1: bench:begin comment is not closed"},
		{"nested", "<!-- bench:begin table a/B -->\n<!-- bench:begin table a/C -->\n<!-- bench:end -->\n", "2: bench:begin inside the block of line 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseBlocks(tt.text)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestRewriteBlocks(t *testing.T) {
	rep := mustRead(t, "clear.txt")
	mods := rep.group()
	text := "# Guide\n\nBefore.\n\n" +
		"<!-- bench:begin table gather/Trivial -->\nstale\n<!-- bench:end -->\n\nBetween.\n\n" +
		"<!-- bench:begin summary\ngather/Trivial ns/task | gather: trivial tasks\ncache/HitRatio/capacity=1000/trace=gli | cache: hit ratio\n-->\n<!-- bench:end -->\nAfter.\n"
	out, errs := rewriteBlocks(text, rep, mods, "benchmarks.md")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	for _, want := range []string{
		"# Guide\n\nBefore.\n\n<!-- bench:begin table gather/Trivial -->\n\nMedians of 6 rounds on linux/amd64, CPU AMD EPYC 7B13, 2 cores, GOMAXPROCS 2, go1.26.0, 2026-01-02\n([the report](benchmarks.md) has",
		"`gather/Trivial`\n\n| impl | ns/op | B/op | allocs/op | ns/task | ratio (peer/ours, ns/op) | range | significant |\n",
		"| errgroup | 4,020,000 ±2% | 962,194 | 20,005 | 402 ±2% | 40.0x | 38.1x to 42.0x | yes (p=0.002) |\n\n<!-- bench:end -->\n\nBetween.",
		"| gather: trivial tasks | 10.1 ±2% ns/task, 12 allocs/op | errgroup 40.0x |\n",
		"| cache: hit ratio | 62.5 hit% | in hit%: otter 1.25x |\n\n<!-- bench:end -->\nAfter.\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("rewritten text lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "stale") {
		t.Error("the stale content is still there")
	}
	again, errs := rewriteBlocks(out, rep, mods, "benchmarks.md")
	if len(errs) > 0 || again != out {
		t.Errorf("rewriting twice changes the text (errors %v)", errs)
	}
	// The noisy fixture's looplab is marked n.s. in a summary.
	noisy := mustRead(t, "noisy.txt")
	out, errs = rewriteBlocks("<!-- bench:begin summary\nfsm/Transition | fsm\n-->\n<!-- bench:end -->\n", noisy, noisy.group(), "x.md")
	if len(errs) > 0 || !strings.Contains(out, "| fsm | 105 ±") || !strings.Contains(out, "looplab 1.01x *n.s.*, quick 0.48x |") {
		t.Errorf("summary of a noisy run (errors %v):\n%s", errs, out)
	}
}

func TestRewriteBlocksBadSpecs(t *testing.T) {
	rep := mustRead(t, "clear.txt")
	tests := []struct{ name, spec, want string }{
		{"unknown scenario", "table cache/Nope", "1: no scenario cache/Nope in the report"},
		{"no scenario", "table", "names no scenario"},
		{"unknown kind", "chart gather/Trivial", `unknown block "chart"`},
		{"row without label", "summary\ngather/Trivial\n", "want \"module/scenario [unit] | label\""},
		{"no rows", "summary\n", "has no row"},
		{"unit ours lacks", "summary\ngather/Trivial hit% | x\n", "asyncutils reports no hit%"},
		{"scenario without ours", "summary\ngather/Solo | x\n", "has no impl=asyncutils"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := "<!-- bench:begin " + tt.spec + " -->\nkept\n<!-- bench:end -->\n"
			out, errs := rewriteBlocks(text, rep, rep.group(), "x.md")
			if len(errs) != 1 || !strings.Contains(errs[0].Error(), tt.want) {
				t.Fatalf("errors = %v, want %q", errs, tt.want)
			}
			if out != text {
				t.Errorf("a block in error was changed:\n%s", out)
			}
		})
	}
}

func TestStrayFigures(t *testing.T) {
	md := "We are 2.7x faster.\n" +
		"It takes 26.5 ns, or 0.3 µs, and 97.5 B/entry.\n" +
		"errgroup is 40 to 60 times slower, and 30% faster.\n" +
		"A window of 1 ms, a TTL of 60 s, version v0.x.y, 0x1F, 10,000 tasks, 8 workers.\n" +
		"<!-- bench:begin table a/B -->\nhere 2.7x is fine\n<!-- bench:end -->\n" +
		"3× after.\n"
	got := strayFigures("docs/x.md", md)
	want := []string{
		`docs/x.md:1: "2.7x"`, `docs/x.md:2: "26.5 ns"`, `docs/x.md:3: "60 times slower"`, `docs/x.md:8: "3×"`,
	}
	if len(got) != len(want) {
		t.Fatalf("stray figures:\n%s\nwant %d", strings.Join(got, "\n"), len(want))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("got %s, want %s...", got[i], want[i])
		}
	}
	goSrc := "// Package x costs about 10 ns per call.\npackage x\n\nconst d = 10 // ns\nvar s = \"5x\"\n"
	if got := strayFigures("x/doc.go", goSrc); len(got) != 1 || !strings.HasPrefix(got[0], `x/doc.go:1: "10 ns"`) {
		t.Errorf("Go: %q, want the comment of line 1 only", got)
	}
}

// writeRepo lays out a repository root with the clear fixture as its saved
// run, a README with a summary block and a guide with a table block.
func writeRepo(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	raw, err := os.ReadFile(filepath.Join("testdata", "clear.txt"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		rawPath:              string(raw),
		"README.md":          "# x\n\n<!-- bench:begin summary\ngather/Trivial ns/task | gather\n-->\nold\n<!-- bench:end -->\n",
		"docs/guide.md":      "# guide\n\n<!-- bench:begin table cache/Get/parallel -->\n<!-- bench:end -->\n",
		"gather/doc.go":      "// Package gather runs tasks.\npackage gather\n",
		"docs/bench-old.svg": "<svg/>",
		"bench/doc.go":       "// Package bench: 2x is fine here.\npackage bench\n",
		"x/CHANGELOG.md":     "- 3x faster\n",
	}
	writeFiles(t, root, files)
	return root
}

// writeFiles writes each file of files, by path relative to root.
func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for rel, s := range files {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestRunWriteThenCheck regenerates a repository from its saved run (-in),
// then checks it, then breaks it in each way the check must catch.
func TestRunWriteThenCheck(t *testing.T) {
	root := writeRepo(t)
	ctx := context.Background()
	var stdout, stderr bytes.Buffer
	check := func() error {
		stderr.Reset()
		return run(ctx, flags{root: root, check: true}, &stdout, &stderr)
	}
	if err := check(); err == nil {
		t.Fatal("the check passed before the report was written")
	}
	if err := run(ctx, flags{root: root, in: filepath.Join(root, rawPath), dry: true}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, reportPath)); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("-dry wrote the report")
	}
	if err := run(ctx, flags{root: root, in: filepath.Join(root, rawPath)}, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	for _, rel := range []string{reportPath, "docs/bench-gather.svg", "docs/bench-cache.svg"} {
		if _, err := os.Stat(filepath.Join(root, rel)); err != nil {
			t.Errorf("not written: %v", err)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "docs/bench-old.svg")); !errors.Is(err, os.ErrNotExist) {
		t.Error("a chart of no package was not removed")
	}
	readme, _ := readFile(root, "README.md")
	guide, _ := readFile(root, "docs/guide.md")
	if !strings.Contains(readme, "| gather | 10.1 ±2% ns/task, 12 allocs/op | errgroup 40.0x |") || strings.Contains(readme, "old") ||
		!strings.Contains(readme, "([the report](docs/benchmarks.md)") {
		t.Errorf("README block not generated:\n%s", readme)
	}
	if !strings.Contains(guide, "| otter | 30.1 ±2% | 0 | 0 | 2.00x |") || !strings.Contains(guide, "([the report](benchmarks.md)") {
		t.Errorf("guide block not generated:\n%s", guide)
	}
	if err := check(); err != nil {
		t.Fatalf("check after writing: %v\n%s", err, stderr.String())
	}

	breakages := []struct {
		name, rel, text, want string
	}{
		{"a figure edited in a block", "README.md", strings.Replace(readme, "40.0x", "45.0x", 1), "README.md:14: not what docs/benchmarks.txt gives"},
		{"a figure outside a block", "docs/guide.md", guide + "\nWe are 3x faster than otter.\n", `: "3x" quotes a measured figure outside a bench:begin block`},
		{"a figure in a doc comment", "gather/doc.go", "// Package gather costs 10 ns per task.\npackage gather\n", `gather/doc.go:1: "10 ns"`},
		{"a block of no scenario", "docs/guide.md", "<!-- bench:begin table cache/Gone -->\n<!-- bench:end -->\n", "docs/guide.md:1: no scenario cache/Gone in the report"},
		{"the report edited", reportPath, "# Benchmarks\n", "docs/benchmarks.md:3: not what docs/benchmarks.txt gives"},
		{"a stale chart", "docs/bench-old.svg", "<svg/>", "docs/bench-old.svg: a chart of no package"},
	}
	for _, b := range breakages {
		t.Run(b.name, func(t *testing.T) {
			p := filepath.Join(root, filepath.FromSlash(b.rel))
			before, readErr := os.ReadFile(p)
			if err := os.WriteFile(p, []byte(b.text), 0o644); err != nil {
				t.Fatal(err)
			}
			defer func() {
				if readErr != nil {
					_ = os.Remove(p)
				} else {
					_ = os.WriteFile(p, before, 0o644)
				}
			}()
			err := check()
			if err == nil || !strings.Contains(stderr.String(), b.want) {
				t.Fatalf("check: %v\n%s\nwant %q", err, stderr.String(), b.want)
			}
		})
	}
	if err := check(); err != nil {
		t.Fatalf("check after restoring: %v\n%s", err, stderr.String())
	}
}

func TestRunErrors(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	var stdout, stderr bytes.Buffer
	empty := filepath.Join(dir, "empty.txt")
	if err := os.WriteFile(empty, []byte("PASS\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		f    flags
		want string
	}{
		{"missing -in", flags{root: dir, in: filepath.Join(dir, "missing.txt")}, "no such file"},
		{"no results", flags{root: dir, in: empty}, "no benchmark results in the output"},
		{"no saved run to check", flags{root: dir, check: true}, "no saved run docs/benchmarks.txt to check against"},
		{"bad count", flags{root: dir, count: 0, bench: ".", pkgs: defaultPkgs}, "-count must be >= 1, got 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := run(ctx, tt.f, &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestSubset(t *testing.T) {
	tests := []struct {
		f    flags
		want bool
	}{
		{flags{bench: ".", pkgs: defaultPkgs}, false},
		{flags{bench: "Trivial", pkgs: defaultPkgs}, true},
		{flags{bench: ".", pkgs: "./gather/"}, true},
		{flags{bench: "Trivial", pkgs: "./gather/", in: "saved.txt"}, false},
		{flags{bench: "Trivial", pkgs: "./gather/", check: true}, false},
	}
	for _, tt := range tests {
		if got := tt.f.subset(); got != tt.want {
			t.Errorf("%+v: subset = %v, want %v", tt.f, got, tt.want)
		}
	}
}

// TestRunBenchmarksInRounds runs a module of two tiny benchmarks in three
// rounds and reads the output back: one sample per round for each, and the
// configuration lines that let a saved copy regenerate the report.
func TestRunBenchmarksInRounds(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"go.mod": "module example.com/fake\n\ngo 1.26.0\n",
		"bench/fsm/fsm_test.go": "package fsm\n\nimport \"testing\"\n\n" +
			"func BenchmarkNoop(b *testing.B) {\n" +
			"\tb.Run(\"impl=asyncutils\", func(b *testing.B) { for b.Loop() {} })\n" +
			"\tb.Run(\"impl=peer\", func(b *testing.B) { for b.Loop() {} })\n}\n",
	}
	writeFiles(t, dir, files)
	var progress bytes.Buffer
	args := []string{"test", "-run", "^$", "-bench", ".", "-count", "1", "-benchtime", "1x", "./..."}
	raw, err := runBenchmarks(context.Background(), dir, args, 3, &progress)
	if err != nil {
		t.Fatalf("%v\n%s", err, progress.String())
	}
	rep, err := read(bytes.NewReader(raw), "raw")
	if err != nil {
		t.Fatal(err)
	}
	s := mustScenario(t, rep, "fsm/Noop")
	if len(s.benches) != 2 || rep.runs() != 3 || len(implOf(t, s, "peer").samples["ns/op"]) != 3 {
		t.Fatalf("benches %+v, %d runs; want 2 benchmarks of 3 samples\n%s", s.benches, rep.runs(), raw)
	}
	for _, k := range []string{"go", "cores", "date", "command", "goos", "cpu"} {
		if rep.config[k] == "" {
			t.Errorf("config %s missing:\n%s", k, raw)
		}
	}
	if want := "go test -run '^$' -bench . -count 1 -benchtime 1x ./..."; rep.config["command"] != want {
		t.Errorf("command = %q, want %q", rep.config["command"], want)
	}
	if !strings.Contains(progress.String(), "report: round 3 of 3 (") {
		t.Errorf("progress lacks the third round with its estimate:\n%s", progress.String())
	}
}
