package fsm_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/asyncutils-go/asyncutils/fsm"
)

// A door that can be locked only with the key.
func Example() {
	ctx := context.Background()
	haveKey := false
	m := fsm.New("closed")
	m.Add("closed", "open", nil)
	m.Add("open", "closed", nil)
	keyGuard := func(_ context.Context, from, to string) (bool, error) {
		return haveKey, nil
	}
	m.Add("closed", "locked", keyGuard)
	m.Add("locked", "closed", keyGuard)

	fmt.Println(m.Transition(ctx, "locked")) // no key: refused
	fmt.Println(m.Transition(ctx, "open"))
	fmt.Println(m.Transition(ctx, "locked")) // no edge from open
	fmt.Println(m.Transition(ctx, "closed"))
	haveKey = true
	fmt.Println(m.Transition(ctx, "locked"))
	fmt.Println(m.State())
	// Output:
	// false fsm: "closed" -> "locked" refused: its condition returned false
	// true <nil>
	// false fsm: "open" -> "locked" refused: no edge
	// true <nil>
	// true <nil>
	// locked
}

// A connection's life cycle. The enter handler of "connected" fails: the
// state stays "connected" (nothing is rolled back) and Transition returns
// true with the error, so the caller decides what to do next.
func ExampleMachine_Transition() {
	ctx := context.Background()
	errHandshake := errors.New("handshake refused")
	m := fsm.New("idle")
	m.Add("idle", "connecting", nil)
	m.Add("connecting", "connected", nil)
	m.Add("connected", "closed", nil)
	m.Add("connecting", "closed", nil)
	m.OnExit("idle", func(_ context.Context, from, to string) error {
		fmt.Printf("leaving %s for %s\n", from, to)
		return nil
	})
	m.OnEnter("connected", func(context.Context, string, string) error {
		return errHandshake
	})

	fmt.Println(m.Transition(ctx, "connecting"))
	ok, err := m.Transition(ctx, "connected")
	fmt.Println(ok, err, errors.Is(err, errHandshake))
	fmt.Println(m.State())
	fmt.Println(m.Transition(ctx, "closed"))
	// Output:
	// leaving idle for connecting
	// true <nil>
	// true fsm: enter handler of "connected": handshake refused true
	// connected
	// true <nil>
}

// A panic in a handler comes back as an error, with the recovered value.
func ExampleMachine_Transition_panic() {
	m := fsm.New("a")
	m.Add("a", "b", nil)
	m.OnExit("a", func(context.Context, string, string) error { panic("oops") })

	ok, err := m.Transition(context.Background(), "b")
	var pe *fsm.PanicError
	fmt.Println(ok, err, errors.As(err, &pe), pe.Value, m.State())
	// Output: false fsm: exit handler of "a": panic: oops true oops a
}

// A nested Transition from a handler, with the ctx the handler was given,
// fails fast instead of deadlocking.
func ExampleMachine_Transition_reentrant() {
	m := fsm.New("a")
	m.Add("a", "b", nil)
	m.Add("b", "c", nil)
	m.OnEnter("b", func(ctx context.Context, _, _ string) error {
		_, err := m.Transition(ctx, "c")
		fmt.Println("nested:", err, "state:", m.State())
		return nil
	})
	fmt.Println(m.Transition(context.Background(), "b"))
	// Output:
	// nested: fsm: transition called from inside a transition of the same machine state: b
	// true <nil>
}

// Can evaluates the conditions of the edge without moving.
func ExampleMachine_Can() {
	ctx := context.Background()
	balance := 5
	m := fsm.New("cart")
	m.Add("cart", "paid", func(context.Context, string, string) (bool, error) {
		return balance >= 10, nil
	})
	fmt.Println(m.Can(ctx, "paid"))
	fmt.Println(m.Can(ctx, "shipped")) // a state the machine never mentions
	balance = 12
	fmt.Println(m.Can(ctx, "paid"))
	fmt.Println(m.State())
	// Output:
	// false fsm: "cart" -> "paid" refused: its condition returned false
	// false fsm: "cart" -> "shipped" refused: unknown state "shipped"
	// true <nil>
	// cart
}

// A refusal says why, so that a handler can answer 409 Conflict with a
// reason, and tell a typo (an unknown state) from a move the life cycle
// does not allow.
func ExampleRefusedError() {
	m := fsm.New("pending")
	m.Add("pending", "paid", nil)
	m.Add("paid", "shipped", func(context.Context, string, string) (bool, error) {
		return false, nil // not packed yet
	})
	ctx := context.Background()
	for _, to := range []string{"shipped", "refunded", "paid", "shipped"} {
		ok, err := m.Transition(ctx, to)
		var refused *fsm.RefusedError[string]
		switch {
		case ok:
			fmt.Println("moved to", m.State())
		case errors.Is(err, fsm.ErrUnknownState):
			fmt.Println("400:", err)
		case errors.As(err, &refused):
			fmt.Printf("409: cannot go from %s to %s: %v\n", refused.From, refused.To, refused.Reason)
		}
	}
	// Output:
	// 409: cannot go from pending to shipped: no edge
	// 400: fsm: "pending" -> "refunded" refused: unknown state "refunded"
	// moved to paid
	// 409: cannot go from paid to shipped: its conditions returned false
}

// One definition, registered once, for many machines: each order gets its
// own machine at its own state, and they move independently.
func ExampleDefinition() {
	def := fsm.NewDefinition[string]()
	def.Add("pending", "paid", nil)
	def.Add("paid", "shipped", nil)
	def.OnEnter("shipped", func(ctx context.Context, from, to string) error {
		fmt.Println("  notify: order", ctx.Value(orderKey{}), "shipped")
		return nil
	})

	ctx := context.Background()
	a := def.New("pending") // the state each order was stored in
	b := def.New("paid")
	fmt.Println(a.Transition(context.WithValue(ctx, orderKey{}, "A-1"), "paid"))
	fmt.Println(b.Transition(context.WithValue(ctx, orderKey{}, "B-2"), "shipped"))
	fmt.Println(a.State(), b.State())
	// Output:
	// true <nil>
	//   notify: order B-2 shipped
	// true <nil>
	// paid shipped
}

// orderKey is the context key under which the examples pass the entity
// that a machine of a shared definition moves.
type orderKey struct{}

// Validate finds the states a typo made: one only OnEnter names, which no
// edge reaches and whose handler would never run.
func ExampleDefinition_Validate() {
	def := fsm.NewDefinition[string]()
	def.Add("pending", "paid", nil)
	def.Add("paid", "refunded", nil)
	nop := func(context.Context, string, string) error { return nil }
	def.OnEnter("refunded", nop)
	fmt.Println(def.Validate("pending"))
	def.OnEnter("refnded", nop) // the typo
	fmt.Println(def.Validate("pending"))
	// Output:
	// <nil>
	// fsm: definition from "pending": unreachable: "refnded"; enter handlers that never run (no edge enters the state): "refnded"
}

// An observer sees every transition that changed the state, in order.
func ExampleMachine_OnTransition() {
	ctx := context.Background()
	m := fsm.New("green")
	m.Add("green", "yellow", nil)
	m.Add("yellow", "red", nil)
	m.Add("red", "green", nil)
	m.OnTransition(func(from, to string) { fmt.Println(from, "->", to) })
	for _, to := range []string{"yellow", "green", "red", "green"} { // green from yellow is refused
		_, _ = m.Transition(ctx, to)
	}
	// Output:
	// green -> yellow
	// yellow -> red
	// red -> green
}

func ExampleWithHistory() {
	ctx := context.Background()
	m := fsm.New("a", fsm.WithHistory(2))
	m.Add("a", "b", nil)
	m.Add("b", "a", nil)
	for _, to := range []string{"b", "a", "b"} {
		_, _ = m.Transition(ctx, to)
	}
	fmt.Println(m.History())
	// Output: [{b a} {a b}]
}

func ExampleMachine_DOT() {
	m := fsm.New("closed")
	m.Add("closed", "open", nil)
	m.Add("open", "closed", nil)
	m.Add("closed", "locked", func(context.Context, string, string) (bool, error) { return true, nil })
	m.Add("locked", "closed", nil)
	fmt.Print(m.DOT())
	// Output:
	// digraph fsm {
	// 	rankdir=LR;
	// 	node [shape=box, style=rounded];
	// 	start [shape=point, label=""];
	// 	s0 [label="closed"];
	// 	s1 [label="locked"];
	// 	s2 [label="open"];
	// 	start -> s0;
	// 	s0 -> s1 [style=dashed, label="guarded"];
	// 	s0 -> s2;
	// 	s1 -> s0;
	// 	s2 -> s0;
	// }
}

func ExampleMachine_Mermaid() {
	m := fsm.New("idle")
	m.Add("idle", "busy", nil)
	m.Add("busy", "idle", nil)
	fmt.Print(m.Mermaid())
	// Output:
	// stateDiagram-v2
	//     direction LR
	//     state "busy" as s0
	//     state "idle" as s1
	//     [*] --> s1
	//     s0 --> s1
	//     s1 --> s0
}

func ExampleMachine_Edges() {
	m := fsm.New("a")
	m.Add("a", "b", func(context.Context, string, string) (bool, error) { return true, nil })
	m.Add("b", "a", func(context.Context, string, string) (bool, error) { return true, nil })
	m.Add("b", "a", nil) // a nil condition permits at once: b -> a can never be refused
	m.OnEnter("c", func(context.Context, string, string) error { return nil })
	fmt.Println(m.States())
	for _, e := range m.Edges() {
		fmt.Printf("%s -> %s: %d condition(s), guarded: %v\n", e.From, e.To, e.Conditions, e.Guarded)
	}
	// Output:
	// [a b c]
	// a -> b: 1 condition(s), guarded: true
	// b -> a: 2 condition(s), guarded: false
}

// A handler that starts a goroutine which drives the machine gives it
// Detach(ctx): the goroutine then waits for the machine like any caller.
func ExampleDetach() {
	m := fsm.New("idle")
	m.Add("idle", "running", nil)
	m.Add("running", "done", nil)
	finished := make(chan error)
	m.OnEnter("running", func(ctx context.Context, _, _ string) error {
		go func() {
			_, err := m.Transition(fsm.Detach(ctx), "done") // after this transition ends
			finished <- err
		}()
		return nil
	})
	fmt.Println(m.Transition(context.Background(), "running"))
	fmt.Println(<-finished, m.State())
	// Output:
	// true <nil>
	// <nil> done
}

// States may be any string type; plain strings need no type at all.
func ExampleNew() {
	type phase string
	const (
		draft     phase = "draft"
		published phase = "published"
	)
	m := fsm.New(draft) // a *fsm.Machine[phase]
	m.Add(draft, published, nil)
	ok, err := m.Transition(context.Background(), published)
	fmt.Println(ok, err, m.State())

	plain := fsm.New("idle") // a *fsm.Machine[string]
	fmt.Println(plain.State())
	// Output:
	// true <nil> published
	// idle
}
