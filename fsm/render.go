package fsm

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// DOT returns the machine as a Graphviz digraph, for docs: one box per
// state, an arrow from a point to the initial state, one arrow per edge,
// dashed and labelled "guarded" when the edge can be refused. The output is
// deterministic (states and edges sorted, as [Machine.States] and
// [Machine.Edges] return them), and any string is a state name that dot
// shows as it is (see [Machine.Mermaid] for the two exceptions). Render it
// with `dot -Tsvg`.
func (m *Machine[S]) DOT() string {
	states, edges := m.graph(true)
	id := ids(states)
	var b strings.Builder
	b.WriteString("digraph fsm {\n")
	b.WriteString("\trankdir=LR;\n")
	b.WriteString("\tnode [shape=box, style=rounded];\n")
	b.WriteString("\tstart [shape=point, label=\"\"];\n")
	for _, s := range states {
		fmt.Fprintf(&b, "\t%s [label=\"%s\"];\n", id[s], escapeDOT(string(s)))
	}
	fmt.Fprintf(&b, "\tstart -> %s;\n", id[m.Initial()])
	for _, e := range edges {
		fmt.Fprintf(&b, "\t%s -> %s", id[e.From], id[e.To])
		if e.Guarded {
			b.WriteString(" [style=dashed, label=\"guarded\"]")
		}
		b.WriteString(";\n")
	}
	b.WriteString("}\n")
	return b.String()
}

// Mermaid returns the machine as a Mermaid state diagram (stateDiagram-v2),
// for docs that render Mermaid (GitHub does): the same content as
// [Machine.DOT], with the initial state marked by [*] and guarded edges
// labelled "guarded". Deterministic, and any string is a state name that
// Mermaid shows as it is, with two exceptions that neither format can
// carry: the empty name is shown as "" (two quotation marks), and NUL as ␀
// (U+2400). Bytes that are not UTF-8 are shown as U+FFFD, as Go's range
// over a string reads them.
func (m *Machine[S]) Mermaid() string {
	states, edges := m.graph(true)
	id := ids(states)
	var b strings.Builder
	b.WriteString("stateDiagram-v2\n")
	b.WriteString("    direction LR\n")
	for _, s := range states {
		fmt.Fprintf(&b, "    state \"%s\" as %s\n", escapeMermaid(string(s)), id[s])
	}
	fmt.Fprintf(&b, "    [*] --> %s\n", id[m.Initial()])
	for _, e := range edges {
		fmt.Fprintf(&b, "    %s --> %s", id[e.From], id[e.To])
		if e.Guarded {
			b.WriteString(": guarded")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// ids names the states s0, s1, ... in sorted order, so that the renderings
// never depend on what a state's name contains.
func ids[S ~string](states []S) map[S]string {
	id := make(map[S]string, len(states))
	for i, s := range states {
		id[s] = fmt.Sprintf("s%d", i)
	}
	return id
}

// shown is the text a rendering shows for a state's name: the name itself,
// but "" for the empty name (an empty label is invisible, and Mermaid
// rejects an empty description) and ␀ for NUL (Graphviz reads labels as C
// strings; HTML, where Mermaid's labels end up, drops NUL or turns it into
// U+FFFD).
func shown(s string) string {
	if s == "" {
		return `""`
	}
	return strings.ReplaceAll(s, "\x00", "\u2400")
}

// escapeDOT escapes a label of a quoted DOT string: backslash and quote
// with a backslash (so that \N, \l and the like stay text), a newline as
// \n (Graphviz's line break), and & and the other control characters as
// HTML entities, which Graphviz decodes, also C1 controls (&#128; is
// U+0080 there, unlike in HTML), except DEL: Graphviz encodes &#127; as
// invalid UTF-8, and takes DEL itself as it is.
//
// A long label is split into quoted strings of at most dotChunk bytes
// joined by DOT's + (the result goes between the quotes of label="..."):
// Graphviz's scanner rejects a quoted string longer than about 16 KiB, and
// escaping can make a label five times its name's length.
func escapeDOT(name string) string {
	var b strings.Builder
	n := 0 // bytes in the current quoted string
	var unit [16]byte
	for _, r := range shown(name) {
		u := unit[:0]
		switch {
		case r == '\\':
			u = append(u, `\\`...)
		case r == '"':
			u = append(u, `\"`...)
		case r == '\n':
			u = append(u, `\n`...)
		case r == '&':
			u = append(u, "&amp;"...)
		case unicode.IsControl(r) && r != 0x7f:
			u = fmt.Appendf(u, "&#%d;", r)
		default:
			u = utf8.AppendRune(u, r)
		}
		if n+len(u) > dotChunk {
			b.WriteString(`" + "`)
			n = 0
		}
		b.Write(u)
		n += len(u)
	}
	return b.String()
}

// dotChunk is the longest quoted string escapeDOT writes, well under the
// 16,381 bytes Graphviz 2.43's scanner was measured to accept.
const dotChunk = 8 << 10

// escapeMermaid writes a name for a quoted Mermaid state description. It
// keeps letters, digits, _ . - and spaces, and writes every other
// character as a Mermaid entity code (#34; for a quote), which Mermaid
// turns into an HTML character reference when it renders, except:
//
//   - C1 controls (U+0080 to U+009F) stay as they are: HTML reads the
//     references &#128; to &#159; as Windows-1252 (&#128; is €).
//   - A leading or trailing space is #32;: Mermaid trims descriptions.
//   - The first space after "direction" (in any case) is #32;: Mermaid's
//     lexer takes any line with "direction", spaces and TB, BT, RL or LR
//     for a direction statement, dropping the description and turning the
//     diagram.
func escapeMermaid(name string) string {
	s := shown(name)
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == ' ' && (i == 0 || i == len(s)-1 || afterDirection(s[:i])):
			b.WriteString("#32;")
		case unicode.IsLetter(r), unicode.IsDigit(r), r == ' ', r == '_', r == '.', r == '-':
			b.WriteRune(r)
		case r >= 0x80 && r <= 0x9f:
			b.WriteRune(r)
		default:
			fmt.Fprintf(&b, "#%d;", r)
		}
	}
	return b.String()
}

// afterDirection reports whether s ends with "direction", in any case.
func afterDirection(s string) bool {
	const word = "direction"
	return len(s) >= len(word) && strings.EqualFold(s[len(s)-len(word):], word)
}
