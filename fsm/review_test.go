package fsm_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/asyncutils-go/asyncutils/fsm"
)

// TestEdges_GuardedOnlyWithoutNil: an edge can be refused only when none of
// its conditions is nil; a nil one permits wherever it is among them, and
// the renderings do not call such an edge guarded.
func TestEdges_GuardedOnlyWithoutNil(t *testing.T) {
	refuse := func(context.Context, string, string) (bool, error) { return false, nil }
	m := fsm.New("a")
	m.Add("a", "b", refuse)
	m.Add("a", "b", nil) // after a refusing condition: still always permitted
	m.Add("a", "c", refuse)
	if ok, err := m.Can(context.Background(), "b"); !ok || err != nil {
		t.Fatalf("Can(b) = %v, %v", ok, err)
	}
	for _, e := range m.Edges() {
		if want := e.To == "c"; e.Guarded != want {
			t.Errorf("%+v: Guarded = %v, want %v", e, e.Guarded, want)
		}
	}
	if strings.Count(m.Mermaid(), "guarded") != 1 || strings.Count(m.DOT(), "guarded") != 1 {
		t.Errorf("renderings mark other edges than a -> c guarded:\n%s\n%s", m.Mermaid(), m.DOT())
	}
}

// TestCan_DoneCtxInsideHandler: Can from inside a handler with a ctx that
// has ended fails with the ctx's error, as it does on a free machine, and
// runs no condition.
func TestCan_DoneCtxInsideHandler(t *testing.T) {
	m := fsm.New("a")
	m.Add("a", "b", nil)
	calls := 0
	m.Add("b", "c", func(context.Context, string, string) (bool, error) { calls++; return true, nil })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var ok bool
	var err error
	m.OnEnter("b", func(hctx context.Context, _, _ string) error {
		cancel()
		ok, err = m.Can(hctx, "c")
		return nil
	})
	if _, terr := m.Transition(ctx, "b"); terr != nil {
		t.Fatal(terr)
	}
	if ok || !errors.Is(err, context.Canceled) || calls != 0 {
		t.Fatalf("Can = %v, %v with %d condition calls; want false, context.Canceled, none", ok, err, calls)
	}
}

// TestNew_NilOptionAndLongHistory: a nil Option is no option, and a huge
// WithHistory allocates only what the transitions fill; a history longer
// than what is allocated up front keeps the last n in order.
func TestNew_NilOptionAndLongHistory(t *testing.T) {
	m := fsm.New("a", nil, fsm.WithHistory(1<<62), nil)
	m.Add("a", "b", nil)
	if _, err := m.Transition(context.Background(), "b"); err != nil {
		t.Fatal(err)
	}
	if h := m.History(); len(h) != 1 || h[0] != (fsm.Record[string]{From: "a", To: "b"}) {
		t.Fatalf("History = %v", h)
	}

	const n, moves = 3000, 7001
	m = fsm.New("s0", fsm.WithHistory(n))
	for i := range moves {
		m.Add(fmt.Sprint("s", i), fmt.Sprint("s", i+1), nil)
	}
	for i := range moves {
		if _, err := m.Transition(context.Background(), fmt.Sprint("s", i+1)); err != nil {
			t.Fatal(err)
		}
	}
	h := m.History()
	if len(h) != n {
		t.Fatalf("History has %d records, want %d", len(h), n)
	}
	for j, r := range h {
		if i := moves - n + j; r.From != fmt.Sprint("s", i) || r.To != fmt.Sprint("s", i+1) {
			t.Fatalf("History[%d] = %v, want s%d -> s%d", j, r, i, i+1)
		}
	}
}

// TestDefinition_ManyStates: a definition of many states finds each one,
// lists each once, and validates.
func TestDefinition_ManyStates(t *testing.T) {
	const n = 20_000
	d := fsm.NewDefinition[string]()
	for i := range n {
		d.Add(fmt.Sprint("s", i), fmt.Sprint("s", i+1), nil)
	}
	states := d.States()
	if len(states) != n+1 {
		t.Fatalf("%d states, want %d", len(states), n+1)
	}
	if err := d.Validate("s0"); err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{0, 1, n / 2, n - 1, n} {
		m := d.New(fmt.Sprint("s", i))
		ok, err := m.Can(context.Background(), fmt.Sprint("s", i+1))
		if want := i < n; ok != want || (want && err != nil) {
			t.Fatalf("s%d: Can = %v, %v", i, ok, err)
		}
	}
	if len(d.Edges()) != n {
		t.Fatalf("%d edges, want %d", len(d.Edges()), n)
	}
}
