package fsm_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/asyncutils-go/asyncutils/fsm"
)

// TestMachine_ConcurrentSafe drives the cycle a -> b -> c -> a from many
// goroutines at once. Every goroutine asks for the successor of the state
// it last saw, so many requests are refused (no edge) once another
// goroutine moved first. Conditions and handlers check that no two of them
// overlap and that they see the state the transition started from; the
// observer counts completed transitions, which must equal the number of
// true results, and the final state must be where that many steps around
// the cycle lead.
func TestMachine_ConcurrentSafe(t *testing.T) {
	const goroutines, attempts = 8, 1000
	cycle := map[string]string{"a": "b", "b": "c", "c": "a"}
	m := fsm.New("a", fsm.WithHistory(16))
	var inside atomic.Int32 // conditions and handlers running right now
	var overlaps, wrongState atomic.Int64
	enter := func() {
		if inside.Add(1) != 1 {
			overlaps.Add(1)
		}
	}
	leave := func() { inside.Add(-1) }
	for from, to := range cycle {
		m.Add(from, to, func(_ context.Context, f, _ string) (bool, error) {
			enter()
			defer leave()
			if m.State() != f {
				wrongState.Add(1)
			}
			return true, nil
		})
		m.OnExit(from, func(_ context.Context, f, _ string) error {
			enter()
			defer leave()
			if m.State() != f {
				wrongState.Add(1)
			}
			return nil
		})
		m.OnEnter(to, func(_ context.Context, _, t string) error {
			enter()
			defer leave()
			if m.State() != t {
				wrongState.Add(1)
			}
			return nil
		})
	}
	var observed atomic.Int64
	m.OnTransition(func(string, string) { observed.Add(1) })

	var permitted atomic.Int64
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			ctx := context.Background()
			if g%2 == 1 {
				ctx = context.WithValue(ctx, ctxKey{}, g) // a different ctx per goroutine
			}
			for range attempts {
				ok, err := m.Transition(ctx, cycle[m.State()])
				if err != nil && !errors.Is(err, fsm.ErrRefused) {
					t.Error(err)
					return
				}
				if ok {
					permitted.Add(1)
				}
			}
		})
	}
	wg.Wait()

	if n := overlaps.Load(); n != 0 {
		t.Errorf("%d conditions or handlers overlapped another", n)
	}
	if n := wrongState.Load(); n != 0 {
		t.Errorf("%d conditions or handlers saw the wrong state", n)
	}
	n := permitted.Load()
	if n == 0 || observed.Load() != n {
		t.Errorf("%d transitions returned true, %d observed", n, observed.Load())
	}
	want := [3]string{"a", "b", "c"}[n%3]
	if m.State() != want {
		t.Errorf("after %d transitions State() = %q, want %q", n, m.State(), want)
	}
	h := m.History()
	if len(h) != 16 || h[len(h)-1].To != want {
		t.Errorf("History() = %v, want 16 records ending in %q", h, want)
	}
	for i := 1; i < len(h); i++ {
		if h[i].From != h[i-1].To {
			t.Errorf("History() is not a chain: %v", h)
			break
		}
	}
}

// TestRegistration_ConcurrentSafe registers edges, handlers and observers
// and reads the machine's description while transitions run (meaningful
// under -race). Every registration must be visible at the end.
func TestRegistration_ConcurrentSafe(t *testing.T) {
	const workers, rounds = 4, 50
	m := fsm.New("a")
	m.Add("a", "b", nil)
	m.Add("b", "a", nil)
	var entered atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { // transitions, until the registrations are done
		ctx := context.Background()
		for {
			select {
			case <-stop:
				return
			default:
			}
			to := map[string]string{"a": "b", "b": "a"}[m.State()]
			if _, err := m.Transition(ctx, to); err != nil {
				t.Error(err)
				return
			}
		}
	})
	var reg sync.WaitGroup
	for w := range workers {
		reg.Go(func() {
			for i := range rounds {
				s := fmt.Sprintf("w%d-%d", w, i)
				m.Add("a", s, nil)   // new edges, never taken
				m.Add("a", "b", nil) // more conditions on a used edge
				m.OnEnter("b", func(context.Context, string, string) error { entered.Add(1); return nil })
				m.OnExit(s, func(context.Context, string, string) error { return nil })
				m.OnTransition(func(string, string) {})
				_, _ = m.States(), m.Edges()
				if i%10 == 0 {
					_ = m.DOT()
				}
			}
		})
	}
	reg.Wait()
	close(stop)
	wg.Wait()

	if got, want := len(m.States()), 2+workers*rounds; got != want {
		t.Errorf("%d states, want %d", got, want)
	}
	edges := m.Edges()
	if got, want := len(edges), 2+workers*rounds; got != want {
		t.Errorf("%d edges, want %d", got, want)
	}
	for _, e := range edges {
		if e.From == "a" && e.To == "b" && e.Conditions != 1+workers*rounds {
			t.Errorf("edge a->b has %d conditions, want %d", e.Conditions, 1+workers*rounds)
		}
	}
	// Every OnEnter("b") is visible to the next transition into b.
	if m.State() == "b" {
		if _, err := m.Transition(context.Background(), "a"); err != nil {
			t.Fatal(err)
		}
	}
	before := entered.Load()
	if ok, err := m.Transition(context.Background(), "b"); !ok || err != nil {
		t.Fatalf("Transition = %v, %v", ok, err)
	}
	if got := entered.Load() - before; got != workers*rounds {
		t.Errorf("%d enter handlers of b ran, want %d", got, workers*rounds)
	}
}
