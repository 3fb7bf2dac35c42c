package fsmbench_test

import (
	"context"
	"testing"

	"github.com/asyncutils-go/asyncutils/fsm"
	looplab "github.com/looplab/fsm"
	"github.com/qmuntal/stateless"
)

// Every implementation builds the same machine: two states, a and b, and a
// transition each way with one guard that allows, one exit handler on the
// state left and one enter handler on the state entered. A benchmark
// iteration is one permitted transition, alternating a->b and b->a.

// machine drives one implementation: next makes the i-th transition of the
// cycle, state reads the current state.
type machine struct {
	next  func(ctx context.Context, i int) error
	state func() string
}

var impls = []struct {
	name string
	make func() machine
}{
	{"asyncutils", ours},
	{"looplab", looplabMachine},
	{"stateless", statelessMachine},
}

// sink keeps the compiler from dropping what the handlers compute.
var sink int

func ours() machine {
	m := fsm.New("a")
	guard := func(context.Context, string, string) (bool, error) { return true, nil }
	handler := func(context.Context, string, string) error { sink++; return nil }
	m.Add("a", "b", guard)
	m.Add("b", "a", guard)
	for _, s := range []string{"a", "b"} {
		m.OnExit(s, handler)
		m.OnEnter(s, handler)
	}
	to := [2]string{"b", "a"}
	return machine{
		next: func(ctx context.Context, i int) error {
			ok, err := m.Transition(ctx, to[i&1])
			if !ok && err == nil {
				panic("asyncutils: transition refused")
			}
			return err
		},
		state: m.State,
	}
}

func looplabMachine() machine {
	handler := func(context.Context, *looplab.Event) { sink++ }
	guard := func(_ context.Context, e *looplab.Event) {
		if false { // a guard that allows, like the others'
			e.Cancel()
		}
	}
	f := looplab.NewFSM("a",
		looplab.Events{
			{Name: "toB", Src: []string{"a"}, Dst: "b"},
			{Name: "toA", Src: []string{"b"}, Dst: "a"},
		},
		looplab.Callbacks{
			"before_toB": guard,
			"before_toA": guard,
			"leave_a":    handler,
			"leave_b":    handler,
			"enter_a":    handler,
			"enter_b":    handler,
		},
	)
	events := [2]string{"toB", "toA"}
	return machine{
		next:  func(ctx context.Context, i int) error { return f.Event(ctx, events[i&1]) },
		state: f.Current,
	}
}

func statelessMachine() machine {
	guard := func(context.Context, ...any) bool { return true }
	handler := func(context.Context, ...any) error { sink++; return nil }
	sm := stateless.NewStateMachine("a")
	sm.Configure("a").Permit("toB", "b", guard).OnExit(handler).OnEntry(handler)
	sm.Configure("b").Permit("toA", "a", guard).OnExit(handler).OnEntry(handler)
	triggers := [2]string{"toB", "toA"}
	return machine{
		next:  func(ctx context.Context, i int) error { return sm.FireCtx(ctx, triggers[i&1]) },
		state: func() string { return sm.MustState().(string) },
	}
}

// BenchmarkTransition: one permitted transition per iteration, with a
// guard, an exit handler and an enter handler, on one goroutine.
func BenchmarkTransition(b *testing.B) {
	for _, impl := range impls {
		b.Run("impl="+impl.name, func(b *testing.B) {
			m := impl.make()
			ctx := context.Background()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if err := m.next(ctx, i); err != nil {
					b.Fatal(err)
				}
				i++
			}
			if want := [2]string{"a", "b"}[i&1]; m.state() != want {
				b.Fatalf("state %q after %d transitions, want %q", m.state(), i, want)
			}
		})
	}
}

// BenchmarkState: reading the current state, each implementation's method
// called directly. Ours is a single atomic load (m.cur.Load().name, inlined
// at the call site); looplab takes a read lock, stateless a mutex.
func BenchmarkState(b *testing.B) {
	var s string
	check := func(b *testing.B) {
		if s != "a" {
			b.Fatalf("state %q, want a", s)
		}
	}
	b.Run("impl=asyncutils", func(b *testing.B) {
		m := fsm.New("a")
		b.ReportAllocs()
		for b.Loop() {
			s = m.State()
		}
		check(b)
	})
	b.Run("impl=looplab", func(b *testing.B) {
		f := looplab.NewFSM("a", looplab.Events{{Name: "toB", Src: []string{"a"}, Dst: "b"}}, nil)
		b.ReportAllocs()
		for b.Loop() {
			s = f.Current()
		}
		check(b)
	})
	b.Run("impl=stateless", func(b *testing.B) {
		sm := stateless.NewStateMachine("a")
		b.ReportAllocs()
		for b.Loop() {
			s = sm.MustState().(string)
		}
		check(b)
	})
}
