package fsm

import (
	"fmt"
	"strings"
	"unicode"
)

// DOT returns the machine as a Graphviz digraph, for docs: one box per
// state, an arrow from a point to the initial state, one arrow per edge,
// dashed and labelled "guarded" when the edge can be refused. The output is
// deterministic (states and edges sorted, as [Machine.States] and
// [Machine.Edges] return them), and state names are escaped: any string is
// a valid label. Render it with `dot -Tsvg`.
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
// labelled "guarded". Deterministic, and state names are escaped with
// Mermaid's #code; entities where needed.
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

// escapeDOT escapes a label of a quoted DOT string: backslash and quote
// with a backslash, a newline as \n, and & and other control characters as
// HTML entities (Graphviz decodes entities in labels).
func escapeDOT(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == '"':
			b.WriteString(`\"`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '&':
			b.WriteString("&amp;")
		case unicode.IsControl(r):
			fmt.Fprintf(&b, "&#%d;", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// escapeMermaid keeps letters, digits, space and _ . - as they are and
// writes every other character as a Mermaid entity code (#34; for a quote),
// which Mermaid decodes when it renders.
func escapeMermaid(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case unicode.IsLetter(r), unicode.IsDigit(r), r == ' ', r == '_', r == '.', r == '-':
			b.WriteRune(r)
		default:
			fmt.Fprintf(&b, "#%d;", r)
		}
	}
	return b.String()
}
