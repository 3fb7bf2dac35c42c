package fsm_test

import (
	"context"
	"testing"

	"github.com/asyncutils-go/asyncutils/fsm"
)

// toggle returns a machine that toggles between a and b with one condition,
// one exit handler and one enter handler per state: the shape bench/fsm
// compares with the peers.
func toggle() *fsm.Machine[string] {
	m := fsm.New("a")
	allow := func(context.Context, string, string) (bool, error) { return true, nil }
	nop := func(context.Context, string, string) error { return nil }
	m.Add("a", "b", allow)
	m.Add("b", "a", allow)
	for _, s := range []string{"a", "b"} {
		m.OnExit(s, nop)
		m.OnEnter(s, nop)
	}
	return m
}

// toggleDefinition is toggle's definition, for machines made by
// Definition.New.
func toggleDefinition() *fsm.Definition[string] {
	return toggle().Definition()
}

func BenchmarkTransition(b *testing.B) {
	benchToggle(b, toggle(), context.Background())
}

// BenchmarkTransitionShared: the same transitions on a machine made by
// Definition.New from a definition that other machines share.
func BenchmarkTransitionShared(b *testing.B) {
	def := toggleDefinition()
	_ = def.New("b")
	benchToggle(b, def.New("a"), context.Background())
}

// benchToggle toggles m, which starts in a, once per iteration, with ctx.
func benchToggle(b *testing.B, m *fsm.Machine[string], ctx context.Context) {
	to := [2]string{"b", "a"}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if ok, err := m.Transition(ctx, to[i&1]); !ok || err != nil {
			b.Fatal(ok, err)
		}
		i++
	}
}

// BenchmarkRequest: a machine made per request at a stored state, then one
// transition.
func BenchmarkRequest(b *testing.B) {
	def := toggleDefinition()
	ctx := context.Background()
	from, to := [2]string{"a", "b"}, [2]string{"b", "a"}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if ok, err := def.New(from[i&1]).Transition(ctx, to[i&1]); !ok || err != nil {
			b.Fatal(ok, err)
		}
		i++
	}
}

func BenchmarkTransitionRequestContext(b *testing.B) {
	ctx, cancel := context.WithCancel(context.WithValue(context.Background(), ctxKey{}, 1))
	defer cancel()
	benchToggle(b, toggle(), ctx)
}

// ctxKey is a context key of the tests.
type ctxKey struct{}

func BenchmarkState(b *testing.B) {
	m := toggle()
	b.ReportAllocs()
	var s string
	for b.Loop() {
		s = m.State()
	}
	_ = s
}
