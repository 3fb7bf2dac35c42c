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

// register adds the benchmarks' graph to a machine or a definition of ours.
func register(r interface {
	Add(from, to string, cond fsm.Condition[string])
	OnEnter(state string, h fsm.Handler[string])
	OnExit(state string, h fsm.Handler[string])
}) {
	guard := func(context.Context, string, string) (bool, error) { return true, nil }
	handler := func(context.Context, string, string) error { sink++; return nil }
	r.Add("a", "b", guard)
	r.Add("b", "a", guard)
	for _, s := range []string{"a", "b"} {
		r.OnExit(s, handler)
		r.OnEnter(s, handler)
	}
}

// ours is a machine with a definition of its own (fsm.New).
func ours() machine {
	m := fsm.New("a")
	register(m)
	return drive(m)
}

func drive(m *fsm.Machine[string]) machine {
	to := [2]string{"b", "a"}
	return machine{
		next: func(ctx context.Context, i int) error {
			_, err := m.Transition(ctx, to[i&1]) // a refusal is an error too
			return err
		},
		state: m.State,
	}
}

// looplab's graph: looplab has no definition apart from the machine, so a
// machine at a stored state is a new FSM with the whole graph.
var (
	looplabEvents = looplab.Events{
		{Name: "toB", Src: []string{"a"}, Dst: "b"},
		{Name: "toA", Src: []string{"b"}, Dst: "a"},
	}
	looplabCallbacks = func() looplab.Callbacks {
		handler := func(context.Context, *looplab.Event) { sink++ }
		guard := func(_ context.Context, e *looplab.Event) {
			if false { // a guard that allows, like the others'
				e.Cancel()
			}
		}
		return looplab.Callbacks{
			"before_toB": guard,
			"before_toA": guard,
			"leave_a":    handler,
			"leave_b":    handler,
			"enter_a":    handler,
			"enter_b":    handler,
		}
	}()
	looplabTo = [2]string{"toB", "toA"}
)

func looplabMachine() machine {
	f := looplab.NewFSM("a", looplabEvents, looplabCallbacks)
	events := looplabTo
	return machine{
		next:  func(ctx context.Context, i int) error { return f.Event(ctx, events[i&1]) },
		state: f.Current,
	}
}

// configureStateless adds the benchmarks' graph to a stateless machine.
func configureStateless(sm *stateless.StateMachine) *stateless.StateMachine {
	guard := func(context.Context, ...any) bool { return true }
	handler := func(context.Context, ...any) error { sink++; return nil }
	sm.Configure("a").Permit("toB", "b", guard).OnExit(handler).OnEntry(handler)
	sm.Configure("b").Permit("toA", "a", guard).OnExit(handler).OnEntry(handler)
	return sm
}

func statelessMachine() machine {
	sm := configureStateless(stateless.NewStateMachine("a"))
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
		b.Run("impl="+impl.name, func(b *testing.B) { benchTransitions(b, impl.make()) })
	}
}

// benchTransitions makes one transition of m per iteration and checks
// where m ends.
func benchTransitions(b *testing.B, m machine) {
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
}

// stored stands in for an entity's state in a store, for the benchmarks of
// machines that share one graph. A single goroutine uses it, so that
// stateless's external storage reads and writes it without a lock (which
// favours stateless: a service would look the entity up per call).
type stored struct{ state string }

// BenchmarkSharedDefinition: a transition of a machine whose graph is
// shared with other machines, the shape of a service that keeps its
// entities' states in a store: ours is made by Definition.New; stateless
// shares one configured machine whose state lives outside it (external
// storage); looplab cannot share a graph, so it is a machine of its own.
func BenchmarkSharedDefinition(b *testing.B) {
	b.Run("impl=asyncutils", func(b *testing.B) {
		def := fsm.NewDefinition[string]()
		register(def)
		_ = def.New("b") // another machine of the same definition
		m := def.New("a")
		benchTransitions(b, drive(m))
	})
	b.Run("impl=looplab", func(b *testing.B) { benchTransitions(b, looplabMachine()) })
	b.Run("impl=stateless", func(b *testing.B) {
		e := &stored{state: "a"}
		sm := configureStateless(stateless.NewStateMachineWithExternalStorage(
			func(context.Context) (stateless.State, error) { return e.state, nil },
			func(_ context.Context, s stateless.State) error { e.state = s.(string); return nil },
			stateless.FiringImmediate))
		triggers := [2]string{"toB", "toA"}
		benchTransitions(b, machine{
			next:  func(ctx context.Context, i int) error { return sm.FireCtx(ctx, triggers[i&1]) },
			state: func() string { return e.state },
		})
	})
}

// BenchmarkNewMachine: a machine at a stored state, ready to transition.
// Ours is Definition.New on a definition built once; looplab and stateless
// have no definition apart from the machine, so theirs is a new machine
// with the whole graph.
func BenchmarkNewMachine(b *testing.B) {
	states := [2]string{"a", "b"}
	b.Run("impl=asyncutils", func(b *testing.B) {
		def := fsm.NewDefinition[string]()
		register(def)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if m := def.New(states[i&1]); m.State() != states[i&1] {
				b.Fatal(m.State())
			}
			i++
		}
	})
	b.Run("impl=looplab", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if f := looplab.NewFSM(states[i&1], looplabEvents, looplabCallbacks); f.Current() != states[i&1] {
				b.Fatal(f.Current())
			}
			i++
		}
	})
	b.Run("impl=stateless", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			sm := configureStateless(stateless.NewStateMachine(states[i&1]))
			if sm.MustState() != states[i&1] {
				b.Fatal(sm.MustState())
			}
			i++
		}
	})
}

// BenchmarkRequest: what a request of such a service does, per iteration:
// a machine at the entity's stored state, then one transition. Ours is
// Definition.New on a definition built once; stateless sets the stored
// state of its shared machine; looplab builds a new FSM with the graph.
func BenchmarkRequest(b *testing.B) {
	to, triggers := [2]string{"b", "a"}, [2]string{"toB", "toA"}
	states := [2]string{"a", "b"}
	b.Run("impl=asyncutils", func(b *testing.B) {
		def := fsm.NewDefinition[string]()
		register(def)
		ctx := context.Background()
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			m := def.New(states[i&1])
			if ok, err := m.Transition(ctx, to[i&1]); !ok || err != nil {
				b.Fatal(ok, err)
			}
			i++
		}
	})
	b.Run("impl=looplab", func(b *testing.B) {
		ctx := context.Background()
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			f := looplab.NewFSM(states[i&1], looplabEvents, looplabCallbacks)
			if err := f.Event(ctx, looplabTo[i&1]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("impl=stateless", func(b *testing.B) {
		e := &stored{}
		sm := configureStateless(stateless.NewStateMachineWithExternalStorage(
			func(context.Context) (stateless.State, error) { return e.state, nil },
			func(_ context.Context, s stateless.State) error { e.state = s.(string); return nil },
			stateless.FiringImmediate))
		ctx := context.Background()
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			e.state = states[i&1]
			if err := sm.FireCtx(ctx, triggers[i&1]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
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
