package fsm_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/asyncutils-go/asyncutils/fsm"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// door is the machine of the examples: a door that locks only with a key.
func door() *fsm.Machine[string] {
	m := fsm.New("closed")
	hasKey := func(context.Context, string, string) (bool, error) { return true, nil }
	m.Add("closed", "open", nil)
	m.Add("open", "closed", nil)
	m.Add("closed", "locked", hasKey)
	m.Add("locked", "closed", hasKey)
	return m
}

// odd has state names that need escaping in both formats, a self-edge, an
// edge whose first condition is nil (not guarded) and one with several
// conditions.
func odd() *fsm.Machine[string] {
	cond := func(context.Context, string, string) (bool, error) { return false, nil }
	m := fsm.New(`say "hi"`)
	m.Add(`say "hi"`, `back\slash`, nil)
	m.Add(`say "hi"`, `back\slash`, cond)
	m.Add(`back\slash`, "two\nlines & more", cond)
	m.Add(`back\slash`, "two\nlines & more", nil)
	m.Add("two\nlines & more", "two\nlines & more", nil)
	m.Add("two\nlines & more", "tab\there; #1 <b>", cond)
	m.OnEnter("ünïcode", func(context.Context, string, string) error { return nil })
	return m
}

func TestRender_Golden(t *testing.T) {
	tests := []struct {
		file   string
		render func() string
	}{
		{"door.dot", func() string { return door().DOT() }},
		{"door.mmd", func() string { return door().Mermaid() }},
		{"escaped.dot", func() string { return odd().DOT() }},
		{"escaped.mmd", func() string { return odd().Mermaid() }},
		{"awkward.dot", func() string { return corpusMachines()[0].DOT() }},
		{"awkward.mmd", func() string { return corpusMachines()[0].Mermaid() }},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got := tt.render()
			if again := tt.render(); again != got {
				t.Fatalf("two renderings of the same machine differ:\n%s\n%s", got, again)
			}
			path := filepath.Join("testdata", tt.file)
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -run TestRender_Golden -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs from the golden file (go test -run TestRender_Golden -update rewrites it):\n got:\n%s\nwant:\n%s", tt.file, got, want)
			}
		})
	}
}

func TestIntrospection(t *testing.T) {
	m := odd()
	wantStates := []string{`back\slash`, `say "hi"`, "tab\there; #1 <b>", "two\nlines & more", "ünïcode"}
	if got := m.States(); !slices.Equal(got, wantStates) {
		t.Errorf("States() = %q, want %q", got, wantStates)
	}
	wantEdges := []fsm.Edge[string]{
		{From: `back\slash`, To: "two\nlines & more", Conditions: 2, Guarded: false}, // a nil condition after cond: never refused
		{From: `say "hi"`, To: `back\slash`, Conditions: 2, Guarded: false},
		{From: "two\nlines & more", To: "tab\there; #1 <b>", Conditions: 1, Guarded: true},
		{From: "two\nlines & more", To: "two\nlines & more", Conditions: 1, Guarded: false},
	}
	if got := m.Edges(); !slices.Equal(got, wantEdges) {
		t.Errorf("Edges() =\n%+v\nwant\n%+v", got, wantEdges)
	}
	if m.Initial() != `say "hi"` {
		t.Errorf("Initial() = %q", m.Initial())
	}
}

// TestEdges_ManyFromOneState covers a state with more edges than the short
// scan handles: every edge must still be found.
func TestEdges_ManyFromOneState(t *testing.T) {
	const n = 20
	m := fsm.New("hub")
	for i := range n {
		s := string(rune('a' + i))
		m.Add("hub", s, nil)
		m.Add(s, "hub", nil)
	}
	m.Add("hub", "a", func(context.Context, string, string) (bool, error) { return false, nil })
	ctx := context.Background()
	for i := range n {
		s := string(rune('a' + i))
		if ok, err := m.Transition(ctx, s); !ok || err != nil {
			t.Fatalf("hub -> %s: %v, %v", s, ok, err)
		}
		if ok, err := m.Transition(ctx, "hub"); !ok || err != nil {
			t.Fatalf("%s -> hub: %v, %v", s, ok, err)
		}
	}
	if ok, _ := m.Transition(ctx, "nowhere"); ok {
		t.Fatal("a transition without an edge was permitted")
	}
	edges := m.Edges()
	i := slices.IndexFunc(edges, func(e fsm.Edge[string]) bool { return e.From == "hub" && e.To == "a" })
	if len(edges) != 2*n || i < 0 || edges[i].Conditions != 2 || edges[i].Guarded {
		t.Fatalf("%d edges, hub->a at %d: %+v", len(edges), i, edges)
	}
}

func TestHistory(t *testing.T) {
	tests := []struct {
		name string
		size int
		path []string // transitions attempted from "a"
		want []fsm.Record[string]
	}{
		{"off", 0, []string{"b", "c"}, nil},
		{"partial", 4, []string{"b", "c"}, []fsm.Record[string]{{"a", "b"}, {"b", "c"}}},
		{"wrapped", 2, []string{"b", "c", "a", "b"}, []fsm.Record[string]{{"c", "a"}, {"a", "b"}}},
		{"refused and failed", 4, []string{"x", "b", "c", "fail"}, []fsm.Record[string]{{"a", "b"}, {"b", "c"}, {"c", "fail"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := fsm.New("a", fsm.WithHistory(tt.size))
			m.Add("a", "b", nil)
			m.Add("b", "c", nil)
			m.Add("c", "a", nil)
			m.Add("c", "fail", nil)
			m.OnEnter("fail", func(context.Context, string, string) error { return errBoom })
			m.OnExit("fail", func(context.Context, string, string) error { return errBoom })
			for _, to := range tt.path {
				_, _ = m.Transition(context.Background(), to)
			}
			if got := m.History(); !slices.Equal(got, tt.want) {
				t.Errorf("History() = %v, want %v", got, tt.want)
			}
		})
	}
}
