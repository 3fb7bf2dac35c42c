package fsm_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/asyncutils-go/asyncutils/fsm"
)

// orders is the order life cycle of the issue: pending -> paid -> shipped,
// with a guard on paid -> shipped and an enter handler of shipped that
// fails when the ctx says so.
func orders(packed *atomic.Bool) *fsm.Definition[string] {
	def := fsm.NewDefinition[string]()
	def.Add("pending", "paid", nil)
	def.Add("pending", "cancelled", nil)
	def.Add("paid", "shipped", func(context.Context, string, string) (bool, error) { return packed.Load(), nil })
	def.OnEnter("shipped", func(ctx context.Context, _, _ string) error {
		if ctx.Value(ctxKey{}) == "fail" {
			return errBoom
		}
		return nil
	})
	return def
}

func TestDefinition_MachinesAreIndependent(t *testing.T) {
	var packed atomic.Bool
	def := orders(&packed)
	ctx := context.Background()
	a, b := def.New("pending"), def.New("paid")
	if a.State() != "pending" || b.State() != "paid" || a.Initial() != "pending" || b.Initial() != "paid" {
		t.Fatalf("new machines at %q and %q (initial %q, %q)", a.State(), b.State(), a.Initial(), b.Initial())
	}
	if a.Definition() != def || b.Definition() != def {
		t.Fatal("Definition() is not the definition the machines were made from")
	}
	if ok, err := a.Transition(ctx, "paid"); !ok || err != nil {
		t.Fatalf("a: pending -> paid: %v, %v", ok, err)
	}
	if b.State() != "paid" {
		t.Fatalf("b moved with a: %q", b.State())
	}
	if ok, err := b.Transition(ctx, "shipped"); ok || !errors.Is(err, fsm.ErrRefused) {
		t.Fatalf("b: paid -> shipped, not packed: %v, %v; want a refusal", ok, err)
	}
	packed.Store(true)
	ok, err := b.Transition(context.WithValue(ctx, ctxKey{}, "fail"), "shipped")
	if !ok || !errors.Is(err, errBoom) || b.State() != "shipped" {
		t.Fatalf("b: paid -> shipped, failing enter handler: %v, %v, state %q", ok, err, b.State())
	}
	if a.State() != "paid" {
		t.Fatalf("a moved with b: %q", a.State())
	}
}

// TestDefinition_RegistrationAfterMachines: what is registered on the
// definition counts for machines that already exist from their next
// transition, and registering through one machine registers on the shared
// definition.
func TestDefinition_RegistrationAfterMachines(t *testing.T) {
	def := fsm.NewDefinition[string]()
	def.Add("a", "b", nil)
	m1, m2 := def.New("a"), def.New("a")
	var log []string
	m1.OnEnter("b", func(_ context.Context, from, to string) error {
		log = append(log, from+"->"+to)
		return nil
	})
	m2.Add("b", "c", nil)
	ctx := context.Background()
	for _, m := range []*fsm.Machine[string]{m1, m2} {
		for _, to := range []string{"b", "c"} {
			if ok, err := m.Transition(ctx, to); !ok || err != nil {
				t.Fatalf("-> %s: %v, %v", to, ok, err)
			}
		}
	}
	if !slices.Equal(log, []string{"a->b", "a->b"}) {
		t.Errorf("enter handlers of b ran %q, want once per machine", log)
	}
}

// TestDefinition_NewAtUnknownState: a machine made at a state the
// definition does not know refuses every transition, registers nothing in
// the definition, and follows edges added from that state later.
func TestDefinition_NewAtUnknownState(t *testing.T) {
	def := fsm.NewDefinition[string]()
	def.Add("a", "b", nil)
	m := def.New("legacy")
	ctx := context.Background()
	var re *fsm.RefusedError[string]
	if ok, err := m.Transition(ctx, "a"); ok || !errors.As(err, &re) || re.Reason != fsm.RefusedNoEdge || re.From != "legacy" {
		t.Fatalf("legacy -> a: %v, %v; want a refusal for want of an edge", ok, err)
	}
	if ok, err := m.Can(ctx, "legacy"); ok || !errors.Is(err, fsm.ErrUnknownState) {
		t.Fatalf("Can(legacy): %v, %v; want ErrUnknownState", ok, err)
	}
	if got := def.States(); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("the definition's states are %q: New registered its state", got)
	}
	if got := m.States(); !slices.Equal(got, []string{"a", "b", "legacy"}) {
		t.Fatalf("the machine's States() = %q, want its own state among the definition's", got)
	}
	if dot := m.DOT(); !strings.Contains(dot, `s2 [label="legacy"]`) || !strings.Contains(dot, "start -> s2;") {
		t.Fatalf("DOT does not start at the machine's state:\n%s", dot)
	}
	def.Add("legacy", "a", nil)
	if ok, err := m.Transition(ctx, "a"); !ok || err != nil || m.State() != "a" {
		t.Fatalf("legacy -> a after the edge was added: %v, %v, state %q", ok, err, m.State())
	}
}

// TestDefinition_MachinesRunIndependently_ConcurrentSafe: many machines of
// one definition transition at once, two goroutines each, while the
// definition grows, and all of that while machine 0 is held by an enter
// handler that waits for the others to finish: a machine never holds up
// another. (Inside a synctest bubble, a machine waiting for another would
// be reported as a deadlock instead of hanging.)
func TestDefinition_MachinesRunIndependently_ConcurrentSafe(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const machines, rounds = 8, 200
		def := fsm.NewDefinition[string]()
		def.Add("a", "b", func(context.Context, string, string) (bool, error) { return true, nil })
		def.Add("b", "a", nil)
		held, othersDone := make(chan struct{}), make(chan struct{})
		var inside [machines]atomic.Int32
		var overlaps, observed atomic.Int64
		def.OnTransition(func(string, string) { observed.Add(1) })
		def.OnEnter("b", func(ctx context.Context, _, _ string) error {
			i := ctx.Value(ctxKey{}).(int)
			if inside[i].Add(1) != 1 {
				overlaps.Add(1)
			}
			defer inside[i].Add(-1)
			if i == 0 {
				close(held)
				<-othersDone
			}
			return nil
		})
		ctx := context.Background()
		first := def.New("a")
		var zero sync.WaitGroup
		zero.Go(func() {
			if ok, err := first.Transition(context.WithValue(ctx, ctxKey{}, 0), "b"); !ok || err != nil {
				t.Errorf("machine 0: %v, %v", ok, err)
			}
		})
		<-held
		var others sync.WaitGroup
		others.Go(func() { // the definition grows meanwhile
			for i := range rounds {
				def.OnExit("a", func(context.Context, string, string) error { return nil })
				def.Add("b", fmt.Sprint("x", i), nil)
			}
		})
		for i := 1; i < machines; i++ {
			m := def.New("a")
			mctx := context.WithValue(ctx, ctxKey{}, i)
			for range 2 {
				others.Go(func() {
					for range rounds {
						to := map[string]string{"a": "b", "b": "a"}[m.State()]
						if _, err := m.Transition(mctx, to); err != nil && !errors.Is(err, fsm.ErrRefused) {
							t.Error(err)
							return
						}
					}
				})
			}
		}
		others.Wait()
		close(othersDone)
		zero.Wait()
		if n := overlaps.Load(); n != 0 {
			t.Errorf("%d handlers overlapped another of the same machine", n)
		}
		if first.State() != "b" || observed.Load() < machines {
			t.Errorf("machine 0 in %q, %d transitions observed", first.State(), observed.Load())
		}
	})
}

// The zero Definition is an empty one, ready to use.
func TestDefinition_ZeroValue(t *testing.T) {
	var def fsm.Definition[string]
	if err := def.Validate("a"); !errors.Is(err, fsm.ErrUnknownState) {
		t.Fatalf("Validate of an empty definition = %v, want ErrUnknownState", err)
	}
	if s, e := def.States(), def.Edges(); len(s) != 0 || len(e) != 0 {
		t.Fatalf("an empty definition has states %q and edges %v", s, e)
	}
	m := def.New("a")
	if ok, err := m.Transition(context.Background(), "b"); ok || !errors.Is(err, fsm.ErrUnknownState) {
		t.Fatalf("a -> b on an empty definition: %v, %v", ok, err)
	}
	def.Add("a", "b", nil)
	if ok, err := m.Transition(context.Background(), "b"); !ok || err != nil {
		t.Fatalf("a -> b once added: %v, %v", ok, err)
	}
}
