package main

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Generated blocks. A Markdown file of the repository quotes figures of
// the report only between marker comments, which the report rewrites:
//
//	<!-- bench:begin table cache/FreshHit cache/FreshHitParallel -->
//	(the tables of those scenarios, as in the report)
//	<!-- bench:end -->
//
//	<!-- bench:begin summary
//	cache/FreshHit | cache: fresh hit, one goroutine
//	gather/Trivial ns/task | gather: 10,000 trivial tasks, limit 8
//	-->
//	(one row per line: ours with its interval and every peer's ratio)
//	<!-- bench:end -->
//
// A scenario is named module/scenario, as in the report's headings. A
// summary line may name the unit to quote ours in after the scenario
// (default: the unit the scenario's ratios compare); the text after | is
// the row's label.
const (
	beginMarker = "<!-- bench:begin"
	endMarker   = "<!-- bench:end -->"
)

// block is one generated block of a file.
type block struct {
	line       int    // 1-based line of the begin marker
	spec       string // what the begin marker holds, between "bench:begin" and "-->"
	start, end int    // the byte range of the generated content
}

// parseBlocks finds the generated blocks of a Markdown text.
func parseBlocks(text string) ([]block, error) {
	var out []block
	pos := 0
	for {
		i := strings.Index(text[pos:], beginMarker)
		if i < 0 {
			if j := strings.Index(text[pos:], endMarker); j >= 0 {
				return nil, fmt.Errorf("%d: %s without a bench:begin", lineOf(text, pos+j), endMarker)
			}
			return out, nil
		}
		i += pos
		if j := strings.Index(text[pos:i], endMarker); j >= 0 {
			return nil, fmt.Errorf("%d: %s without a bench:begin", lineOf(text, pos+j), endMarker)
		}
		closeAt := strings.Index(text[i:], "-->")
		if closeAt < 0 {
			return nil, fmt.Errorf("%d: bench:begin comment is not closed with -->", lineOf(text, i))
		}
		closeAt += i
		spec := strings.TrimSpace(text[i+len(beginMarker) : closeAt])
		start := closeAt + len("-->")
		if nl := strings.IndexByte(text[start:], '\n'); nl >= 0 {
			start += nl + 1
		} else {
			start = len(text)
		}
		e := strings.Index(text[start:], endMarker)
		if e < 0 {
			return nil, fmt.Errorf("%d: bench:begin without %s", lineOf(text, i), endMarker)
		}
		e += start
		if n := strings.Index(text[start:e], beginMarker); n >= 0 {
			return nil, fmt.Errorf("%d: bench:begin inside the block of line %d", lineOf(text, start+n), lineOf(text, i))
		}
		out = append(out, block{line: lineOf(text, i), spec: spec, start: start, end: e})
		pos = e + len(endMarker)
	}
}

func lineOf(text string, offset int) int { return strings.Count(text[:offset], "\n") + 1 }

// rewriteBlocks returns text with every block's content generated from the
// report, and one error per block it could not generate (its content is
// then left as it was). reportLink is the path from the file's folder to
// docs/benchmarks.md.
func rewriteBlocks(text string, rep *report, mods []*module, reportLink string) (string, []error) {
	blocks, err := parseBlocks(text)
	if err != nil {
		return text, []error{err}
	}
	var sb strings.Builder
	var errs []error
	pos := 0
	for _, b := range blocks {
		sb.WriteString(text[pos:b.start])
		content, err := renderBlock(b.spec, rep, mods, reportLink)
		if err != nil {
			errs = append(errs, fmt.Errorf("%d: %w", b.line, err))
			content = text[b.start:b.end]
		}
		sb.WriteString(content)
		pos = b.end
	}
	sb.WriteString(text[pos:])
	return sb.String(), errs
}

// renderBlock generates the content of a block from its spec.
func renderBlock(spec string, rep *report, mods []*module, reportLink string) (string, error) {
	kind, args := spec, ""
	if i := strings.IndexAny(spec, " \t\n"); i >= 0 {
		kind, args = spec[:i], spec[i+1:]
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "\nMedians of %d rounds on %s, %s, %s\n([the report](%s) has every interval and the charts).\n",
		rep.runs(), rep.machine(), orUnknown(rep.config["go"]), orUnknown(rep.config["date"]), reportLink)
	switch kind {
	case "table":
		keys := strings.Fields(args)
		if len(keys) == 0 {
			return "", fmt.Errorf("bench:begin table names no scenario")
		}
		sb.WriteString("Ratio: how many times better asyncutils is; range: the ratios the 95% intervals allow;\n")
		sb.WriteString("significant: benchstat's test at alpha 0.05.\n")
		for _, k := range keys {
			s := find(mods, k)
			if s == nil {
				return "", fmt.Errorf("no scenario %s in the report", k)
			}
			fmt.Fprintf(&sb, "\n`%s`\n\n", k)
			renderTable(&sb, s)
		}
	case "summary":
		sb.WriteString("Ratio: how many times better asyncutils is than the peer, in ns/op unless the row names the\n")
		sb.WriteString("unit; *n.s.*: not significant at alpha 0.05 (this run cannot tell the two apart).\n\n")
		sb.WriteString("| | asyncutils | peers (ratio) |\n| --- | --- | --- |\n")
		rows := 0
		for _, line := range strings.Split(args, "\n") {
			line = strings.TrimSpace(line)
			if line == "" {
				continue
			}
			if err := renderSummaryRow(&sb, line, mods); err != nil {
				return "", err
			}
			rows++
		}
		if rows == 0 {
			return "", fmt.Errorf("bench:begin summary has no row")
		}
	default:
		return "", fmt.Errorf("unknown block %q (want table or summary)", kind)
	}
	sb.WriteString("\n")
	return sb.String(), nil
}

// renderSummaryRow writes one row "key [unit] | label" of a summary.
func renderSummaryRow(sb *strings.Builder, line string, mods []*module) error {
	what, label, ok := strings.Cut(line, "|")
	fields := strings.Fields(what)
	if !ok || len(fields) == 0 || len(fields) > 2 || strings.TrimSpace(label) == "" {
		return fmt.Errorf("summary row %q: want \"module/scenario [unit] | label\"", line)
	}
	s := find(mods, fields[0])
	if s == nil {
		return fmt.Errorf("no scenario %s in the report", fields[0])
	}
	mine := s.ours()
	if mine == nil {
		return fmt.Errorf("scenario %s has no impl=%s", fields[0], ours)
	}
	unit := s.unit()
	if len(fields) == 2 {
		unit = fields[1]
	}
	sum, ok := s.rep.summary(mine, unit)
	if !ok {
		return fmt.Errorf("scenario %s: %s reports no %s", fields[0], ours, unit)
	}
	cell := formatSummary(mine, unit, sum, true) + " " + unit
	if strings.HasPrefix(unit, "ns/") { // a time: say what it allocates too
		if a, ok := s.rep.summary(mine, "allocs/op"); ok {
			cell += ", " + formatSummary(mine, "allocs/op", a, true) + " allocs/op"
		}
	}
	var peers []string
	for _, b := range s.benches {
		if b == mine {
			continue
		}
		c := s.compare(b)
		p := orUnknown(b.impl) + " " + formatRatio(c.ratio, c.ok)
		if c.ok && !c.significant() {
			p += " *n.s.*"
		}
		peers = append(peers, p)
	}
	ratios := strings.Join(peers, ", ")
	if u := s.unit(); u != "ns/op" && len(peers) > 0 {
		ratios = "in " + u + ": " + ratios
	}
	if len(peers) == 0 {
		ratios = "—"
	}
	fmt.Fprintf(sb, "| %s | %s | %s |\n", strings.TrimSpace(label), cell, ratios)
	return nil
}

// relLink is the link from a file's folder to the report, both relative to
// the repository root.
func relLink(file, report string) string {
	rel, err := filepath.Rel(filepath.Dir(file), report)
	if err != nil {
		return report
	}
	return filepath.ToSlash(rel)
}
