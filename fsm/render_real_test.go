package fsm_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/asyncutils-go/asyncutils/fsm"
)

// The renderings are checked against the real parsers: Graphviz's dot and
// Mermaid's own parser (run by testdata/mermaid-parse.mjs with node).
// scripts/renderers.sh installs them; the tests find dot and node on PATH
// and mermaid in FSM_NODE_DIR (default: .tools/node at the repository's
// root). Without them the tests skip, unless FSM_RENDER_CHECK=1, which CI
// sets, makes a missing tool a failure.

// awkward is the corpus of names the renderings must survive: every one is
// shown as it is (apart from the two exceptions of Machine.Mermaid).
var awkward = []string{
	"", " ", "  lead", "trail  ", " both ",
	"direction TB", "a Direction   lr b", "x DIRECTION bt", "direction rl", "direction  ", "direction",
	"direction\tTB", "direction\u00a0TB", "direction\nTB", "directions TB", "re-direction LR",
	`say "hi"`, `back\slash`, `\N \G \E \T \H \L \l \r \n`, "two\nlines", "\nlead", "trail\n", "a\n\nb",
	"cr\rhere", "crlf\r\n", "tab\there", "nul\x00here", "del\x7f", "c1 \u0080\u0085\u009f", "bell\a",
	"#34;", "#35;#59;", "&amp;", "&#38;", "&#128;", "<b>bold</b>", "<<fork>>", "[[choice]]", "[*]",
	"-->", "s0 --> s1", ": colon", "::: class", "state", "end note", "note left of", "%% comment",
	"%%{init: {}}%%", "---", "classDef x fill:#f00;", "style s0 fill:#f00", "click s0", "{", "}",
	"as", "x as y", "ünïcode", "日本語", "emoji 🎉", "nbsp\u00a0", "\u2028ls\u2029ps", "zw\u200bj",
	"\ufeffbom", "rtl\u202eabc", "e\u0301", "\uffff\ufffe", "\U0010ffff", "bad\xffutf8", "%",
	"strict digraph subgraph node edge", "a -> b; c -- d", "label=\"x\"", "\\", "\\\"", "\"", "\u0085nel",
	// Long names: Graphviz rejects a quoted string over about 16 KiB, and
	// escaping makes & five bytes.
	strings.Repeat("&", 3300), strings.Repeat("x", 20_000), strings.Repeat(`\"`, 5000) + "end",
	strings.Repeat("é", 9000),
}

// shownAs is what a rendering must show for a name: see Machine.Mermaid.
func shownAs(name string) string {
	if name == "" {
		return `""`
	}
	var b strings.Builder
	for _, r := range name { // invalid bytes as U+FFFD
		if r == 0 {
			r = '\u2400'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// corpusMachines returns one machine with every awkward name (each one
// with an edge to the next, every other one guarded) and one per name.
func corpusMachines() []*fsm.Machine[string] {
	guard := func(context.Context, string, string) (bool, error) { return true, nil }
	all := fsm.New(awkward[0])
	for i := range awkward {
		var cond fsm.Condition[string]
		if i%2 == 0 {
			cond = guard
		}
		all.Add(awkward[i], awkward[(i+1)%len(awkward)], cond)
	}
	ms := []*fsm.Machine[string]{all}
	for _, name := range awkward {
		m := fsm.New(name)
		m.Add(name, "next", guard)
		m.Add("next", name, nil)
		ms = append(ms, m)
	}
	return ms
}

// renderers returns the path of dot, node and the node folder with mermaid,
// or skips (fails with FSM_RENDER_CHECK=1) when one is missing.
func renderers(t *testing.T) (dot, node, nodeDir string) {
	t.Helper()
	nodeDir = os.Getenv("FSM_NODE_DIR")
	if nodeDir == "" {
		nodeDir = filepath.Join("..", ".tools", "node")
	}
	var missing []string
	dot, err := exec.LookPath("dot")
	if err != nil {
		missing = append(missing, "dot (graphviz)")
	}
	node, err = exec.LookPath("node")
	if err != nil {
		missing = append(missing, "node")
	}
	if _, err := os.Stat(filepath.Join(nodeDir, "node_modules", "mermaid", "package.json")); err != nil {
		missing = append(missing, "mermaid in "+nodeDir)
	}
	if len(missing) > 0 {
		msg := fmt.Sprintf("fsm: real renderers missing: %s (bash scripts/renderers.sh installs them)", strings.Join(missing, ", "))
		if os.Getenv("FSM_RENDER_CHECK") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return dot, node, nodeDir
}

// graphOf is what a parser read: the label of each state by id, the edges
// as "from -> to" or "from -> to: label" between ids, and the initial
// state's id.
type graphOf struct {
	labels  map[string]string
	edges   []string
	initial string
	err     error // the parser rejected the rendering
}

// want is the graph a rendering of m must be read as.
func want(m *fsm.Machine[string]) graphOf {
	g := graphOf{labels: map[string]string{}}
	id := map[string]string{}
	for i, s := range m.States() {
		id[s] = fmt.Sprint("s", i)
		g.labels[id[s]] = shownAs(s)
	}
	for _, e := range m.Edges() {
		edge := id[e.From] + " -> " + id[e.To]
		if e.Guarded {
			edge += ": guarded"
		}
		g.edges = append(g.edges, edge)
	}
	slices.Sort(g.edges)
	g.initial = id[m.Initial()]
	return g
}

func (g graphOf) diff(got graphOf) []string {
	if got.err != nil {
		return []string{got.err.Error()}
	}
	var out []string
	for id, label := range g.labels {
		if got.labels[id] != label {
			out = append(out, fmt.Sprintf("%s: shown as %q, want %q", id, got.labels[id], label))
		}
	}
	if len(got.labels) != len(g.labels) {
		out = append(out, fmt.Sprintf("%d states, want %d", len(got.labels), len(g.labels)))
	}
	slices.Sort(got.edges)
	if !slices.Equal(got.edges, g.edges) {
		out = append(out, fmt.Sprintf("edges %q, want %q", got.edges, g.edges))
	}
	if got.initial != g.initial {
		out = append(out, fmt.Sprintf("initial %q, want %q", got.initial, g.initial))
	}
	slices.Sort(out)
	return out
}

// readDOT runs dot -Tjson on src and returns what dot drew. A label is its
// drawn lines joined with \n; dot draws no empty line, so want's labels are
// compared with their empty lines dropped.
func readDOT(t *testing.T, dot, src string) (graphOf, error) {
	t.Helper()
	cmd := exec.Command(dot, "-Tjson")
	cmd.Stdin = strings.NewReader(src)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return graphOf{}, fmt.Errorf("dot: %w: %s", err, stderr.String())
	}
	if stderr.Len() > 0 {
		return graphOf{}, fmt.Errorf("dot warned: %s", stderr.String())
	}
	var out struct {
		Objects []struct {
			GVID  int    `json:"_gvid"`
			Name  string `json:"name"`
			Label string `json:"label"`
			Draw  []struct {
				Op   string `json:"op"`
				Text string `json:"text"`
			} `json:"_ldraw_"`
		} `json:"objects"`
		Edges []struct {
			Tail  int    `json:"tail"`
			Head  int    `json:"head"`
			Label string `json:"label"`
		} `json:"edges"`
	}
	if err := json.Unmarshal(jsonControls(stdout.Bytes()), &out); err != nil {
		return graphOf{}, fmt.Errorf("dot -Tjson: %w", err)
	}
	g := graphOf{labels: map[string]string{}}
	name := map[int]string{}
	for _, o := range out.Objects {
		name[o.GVID] = o.Name
		if o.Name == "start" {
			continue
		}
		var lines []string
		for _, d := range o.Draw {
			if d.Op == "T" {
				lines = append(lines, d.Text)
			}
		}
		g.labels[o.Name] = strings.Join(lines, "\n")
	}
	for _, e := range out.Edges {
		if name[e.Tail] == "start" {
			g.initial = name[e.Head]
			continue
		}
		edge := name[e.Tail] + " -> " + name[e.Head]
		if e.Label != "" {
			edge += ": " + e.Label
		}
		g.edges = append(g.edges, edge)
	}
	return g, nil
}

// jsonControls escapes the control characters that dot -Tjson writes raw
// into its strings (all but tab, newline and carriage return, which it
// escapes), so that encoding/json reads them.
func jsonControls(b []byte) []byte {
	var out bytes.Buffer
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			fmt.Fprintf(&out, `\u%04x`, c)
			continue
		}
		out.WriteByte(c)
	}
	return out.Bytes()
}

// dotLines is a label as dot draws it: its lines without the empty ones.
func dotLines(label string) string {
	return strings.Join(slices.DeleteFunc(strings.Split(label, "\n"), func(l string) bool { return l == "" }), "\n")
}

func TestRender_RealParsers_DOT(t *testing.T) {
	dot, _, _ := renderers(t)
	for i, m := range corpusMachines() {
		g, err := readDOT(t, dot, m.DOT())
		if err != nil {
			t.Errorf("machine %d (initial %q): %v", i, m.Initial(), err)
			continue
		}
		w := want(m)
		for id, label := range w.labels {
			w.labels[id] = dotLines(label)
		}
		for _, d := range w.diff(g) {
			t.Errorf("machine %d (initial %q): %s", i, m.Initial(), d)
		}
	}
	// The check can fail: dot rejects a broken label, and reads what the
	// escaping avoids differently.
	if _, err := readDOT(t, dot, "digraph fsm {\n\ts0 [label=\"unclosed];\n}\n"); err == nil {
		t.Error("dot accepted a label without its closing quote")
	}
	g, err := readDOT(t, dot, "digraph fsm {\n\ts0 [label=\"a\\Nb\"];\n}\n")
	if err != nil || g.labels["s0"] != "as0b" {
		t.Errorf("dot read an unescaped \\N as %q (%v), want the node's id in it", g.labels["s0"], err)
	}
}

// readMermaid parses the files with testdata/mermaid-parse.mjs.
func readMermaid(t *testing.T, node, nodeDir string, sources []string) ([]graphOf, error) {
	t.Helper()
	dir := t.TempDir()
	args := []string{filepath.Join("testdata", "mermaid-parse.mjs"), nodeDir}
	for i, src := range sources {
		path := filepath.Join(dir, fmt.Sprintf("%d.mmd", i))
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, path)
	}
	cmd := exec.Command(node, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%w: %s", err, stderr.String())
	}
	var out []struct {
		Error     string              `json:"error"`
		Direction string              `json:"direction"`
		States    map[string][]string `json:"states"`
		Relations [][3]string         `json:"relations"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		return nil, fmt.Errorf("mermaid-parse.mjs: %w: %s", err, stdout.String())
	}
	var gs []graphOf
	for _, d := range out {
		g := graphOf{labels: map[string]string{}}
		if d.Error != "" {
			g.err = errors.New(d.Error)
		}
		for id, ds := range d.States {
			if id == "root_start" {
				continue
			}
			g.labels[id] = strings.Join(ds, " | ")
			if len(ds) != 1 {
				g.labels[id] = fmt.Sprintf("%q", ds)
			}
		}
		for _, r := range d.Relations {
			if r[0] == "root_start" {
				g.initial = r[1]
				continue
			}
			edge := r[0] + " -> " + r[1]
			if r[2] != "" {
				edge += ": " + r[2]
			}
			g.edges = append(g.edges, edge)
		}
		if d.Direction != "LR" {
			g.initial += " (direction " + d.Direction + ")"
		}
		gs = append(gs, g)
	}
	return gs, nil
}

func TestRender_RealParsers_Mermaid(t *testing.T) {
	_, node, nodeDir := renderers(t)
	ms := corpusMachines()
	sources := make([]string, len(ms))
	for i, m := range ms {
		sources[i] = m.Mermaid()
	}
	// Known-bad input, parsed in the same run (node and mermaid take seconds
	// to load), to prove that the check can fail: the mistakes the escaping
	// avoids are rejected or read differently.
	sources = append(sources,
		"stateDiagram-v2\n    direction LR\n    state \"a direction TB\" as s0\n    state \"#32;x #128;\" as s1\n    [*] --> s0\n",
		"stateDiagram-v2\n    state \"\" as s0\n    [*] --> s0\n",
	)
	gs, err := readMermaid(t, node, nodeDir, sources)
	if err != nil {
		t.Fatal(err)
	}
	if len(gs) != len(sources) {
		t.Fatalf("%d diagrams read, want %d", len(gs), len(sources))
	}
	for i, m := range ms {
		for _, d := range want(m).diff(gs[i]) {
			t.Errorf("machine %d (initial %q): %s", i, m.Initial(), d)
		}
	}
	bad := gs[len(ms):]
	if bad[0].err != nil {
		t.Fatal(bad[0].err)
	}
	if got := bad[0].labels["s0"]; got == "a direction TB" {
		t.Error(`mermaid read "a direction TB" unescaped as the label: the check cannot see the direction bug`)
	}
	if got := bad[0].labels["s1"]; got != " x €" {
		t.Errorf(`mermaid read "#32;x #128;" as %q, want " x €" (#128; is Windows-1252 in HTML)`, got)
	}
	if bad[1].err == nil {
		t.Error("mermaid accepted an empty description")
	}
}
