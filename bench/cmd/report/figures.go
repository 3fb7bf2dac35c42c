package main

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// measuredFigure matches what only a benchmark can tell: a ratio (2.7x,
// 3×, 40 to 60 times less, 30% faster), a time per operation in ns or µs,
// a size per entry. Durations a caller configures (1 ms, 60 s) and counts
// do not match.
var measuredFigure = regexp.MustCompile(`\d[\d,]*(\.\d+)?(x\b|×|\s?(ns|µs)\b|\s?B/entry\b|\s?%\s(faster|slower|less|more|fewer)\b|\s(times)\s(faster|slower|less|more|lower|higher|cheaper|fewer|better|worse)\b)`)

// docFiles lists, relative to root, the files whose figures must be the
// report's: every Markdown file and every non-test Go file, except the
// report itself, the changelogs (history), the bench module (which
// describes its workloads) and hidden or installed folders.
func docFiles(root string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		name := d.Name()
		if d.IsDir() {
			if rel != "." && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "testdata" || rel == "bench") {
				return filepath.SkipDir
			}
			return nil
		}
		switch {
		case rel == reportPath || name == "CHANGELOG.md":
		case strings.HasSuffix(name, ".md"):
			out = append(out, rel)
		case strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go"):
			out = append(out, rel)
		}
		return nil
	})
	return out, err
}

// strayFigures lists the lines of a file that quote a measured figure
// outside a generated block: in Markdown, any line; in Go, comment lines.
func strayFigures(rel, text string) []string {
	var blocks []block
	if strings.HasSuffix(rel, ".md") {
		blocks, _ = parseBlocks(text) // a broken block is reported by the block check
	}
	inBlock := func(offset int) bool {
		for _, b := range blocks {
			if offset >= b.start && offset < b.end {
				return true
			}
		}
		return false
	}
	var out []string
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(nil, 1<<20)
	n, offset := 0, 0
	for sc.Scan() {
		line := sc.Text()
		n++
		at := offset
		offset += len(line) + 1
		if strings.HasSuffix(rel, ".go") && !strings.HasPrefix(strings.TrimSpace(line), "//") {
			continue
		}
		if m := measuredFigure.FindString(line); m != "" && !inBlock(at) {
			out = append(out, fmt.Sprintf("%s:%d: %q quotes a measured figure outside a bench:begin block", rel, n, m))
		}
	}
	return out
}

// readFile reads root/rel.
func readFile(root, rel string) (string, error) {
	b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
	return string(b), err
}
