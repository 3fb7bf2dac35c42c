package fsm_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"testing"
	"testing/synctest"
	"time"

	"github.com/asyncutils-go/asyncutils/fsm"
)

// TestTransition_Reentrant calls Transition from inside a condition, an exit
// handler and an enter handler with the ctx they were given (and with a
// context derived from it). Each call must return ErrReentrant at once. The
// outer ctx has a deadline, so a regression (a nested call that waits for
// the machine) ends with DeadlineExceeded instead of hanging; in a synctest
// bubble that takes no real time.
func TestTransition_Reentrant(t *testing.T) {
	places := []string{"condition", "exit", "enter"}
	derive := []struct {
		name string
		fn   func(context.Context) (context.Context, context.CancelFunc)
	}{
		{"the given ctx", func(ctx context.Context) (context.Context, context.CancelFunc) { return ctx, func() {} }},
		{"a derived ctx", func(ctx context.Context) (context.Context, context.CancelFunc) {
			return context.WithTimeout(ctx, time.Hour)
		}},
	}
	for _, place := range places {
		for _, d := range derive {
			t.Run(place+"/"+d.name, func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					m := fsm.New("a")
					var nested, can error
					var canOK bool
					var stateInside string
					inner := func(ctx context.Context) {
						ctx, cancel := d.fn(ctx)
						defer cancel()
						_, nested = m.Transition(ctx, "c")
						canOK, can = m.Can(ctx, "c")
						stateInside = m.State()
					}
					m.Add("a", "b", func(ctx context.Context, _, _ string) (bool, error) {
						if place == "condition" {
							inner(ctx)
						}
						return true, nil
					})
					m.Add("a", "c", nil)
					m.Add("b", "c", nil)
					m.OnExit("a", func(ctx context.Context, _, _ string) error {
						if place == "exit" {
							inner(ctx)
						}
						return nil
					})
					m.OnEnter("b", func(ctx context.Context, _, _ string) error {
						if place == "enter" {
							inner(ctx)
						}
						return nil
					})
					ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
					defer cancel()
					start := time.Now()
					ok, err := m.Transition(ctx, "b")
					if !ok || err != nil {
						t.Fatalf("outer Transition = %v, %v", ok, err)
					}
					if !errors.Is(nested, fsm.ErrReentrant) {
						t.Errorf("nested Transition: %v, want ErrReentrant", nested)
					}
					if elapsed := time.Since(start); elapsed != 0 {
						t.Errorf("the nested call waited %v (fake time)", elapsed)
					}
					// Can does not wait: it answers for the state at that moment.
					if !canOK || can != nil {
						t.Errorf("nested Can = %v, %v; want true, nil", canOK, can)
					}
					wantState := map[string]string{"condition": "a", "exit": "a", "enter": "b"}[place]
					if stateInside != wantState {
						t.Errorf("State() inside the %s = %q, want %q", place, stateInside, wantState)
					}
					if m.State() != "b" {
						t.Errorf("State() = %q, want b", m.State())
					}
				})
			})
		}
	}
}

// TestTransition_NestedOtherMachine: a handler of one machine may drive
// another machine with its ctx; that is not reentrant.
func TestTransition_NestedOtherMachine(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		outer, inner := fsm.New("a"), fsm.New("x")
		inner.Add("x", "y", nil)
		outer.Add("a", "b", nil)
		var innerOK bool
		var innerErr error
		outer.OnEnter("b", func(ctx context.Context, _, _ string) error {
			innerOK, innerErr = inner.Transition(ctx, "y")
			return innerErr
		})
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if ok, err := outer.Transition(ctx, "b"); !ok || err != nil {
			t.Fatalf("outer = %v, %v", ok, err)
		}
		if !innerOK || innerErr != nil || inner.State() != "y" {
			t.Fatalf("inner = %v, %v, state %q", innerOK, innerErr, inner.State())
		}
	})
}

// TestTransition_KeptContext: a goroutine started by an enter handler may
// drive the machine with the handler's ctx once that transition is over,
// and with Detach(ctx) at any time (it waits for the machine).
func TestTransition_KeptContext(t *testing.T) {
	tests := []struct {
		name   string
		detach bool
	}{
		{"kept ctx, after the transition", false},
		{"detached ctx, during the transition", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				m := fsm.New("a")
				m.Add("a", "b", nil)
				m.Add("b", "a", nil)
				over := make(chan struct{})
				result := make(chan error, 1)
				m.OnEnter("b", func(ctx context.Context, _, _ string) error {
					go func() {
						if tt.detach {
							ctx = fsm.Detach(ctx)
						} else {
							<-over
						}
						_, err := m.Transition(ctx, "a")
						result <- err
					}()
					return nil
				})
				ok, err := m.Transition(context.Background(), "b")
				if !ok || err != nil {
					t.Fatalf("Transition = %v, %v", ok, err)
				}
				close(over)
				if err := <-result; err != nil {
					t.Fatalf("transition from the goroutine: %v", err)
				}
				if m.State() != "a" {
					t.Fatalf("State() = %q, want a", m.State())
				}
			})
		})
	}
}

// TestDetach_KeepsContext: a detached context keeps the values and the
// cancellation of the original.
func TestDetach_KeepsContext(t *testing.T) {
	type key struct{}
	ctx, cancel := context.WithCancel(context.WithValue(context.Background(), key{}, "v"))
	d := fsm.Detach(ctx)
	if d.Value(key{}) != "v" {
		t.Errorf("Value = %v, want v", d.Value(key{}))
	}
	cancel()
	<-d.Done()
	if d.Err() != context.Canceled {
		t.Errorf("Err = %v, want Canceled", d.Err())
	}
}

// TestTransition_CancelWhileWaiting: while a handler holds the machine,
// another Transition whose ctx ends returns ctx.Err() and changes nothing.
func TestTransition_CancelWhileWaiting(t *testing.T) {
	tests := []struct {
		name    string
		ctx     func() (context.Context, context.CancelFunc)
		end     func(cancel context.CancelFunc)
		wantErr error
	}{
		{"cancelled", func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) },
			func(cancel context.CancelFunc) { cancel() }, context.Canceled},
		{"deadline", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), time.Second)
		}, func(context.CancelFunc) { time.Sleep(time.Second) }, context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				m := fsm.New("a")
				m.Add("a", "b", nil)
				m.Add("b", "c", nil)
				ran := 0
				m.OnExit("b", func(context.Context, string, string) error { ran++; return nil })
				hold, held := make(chan struct{}), make(chan struct{})
				m.OnEnter("b", func(context.Context, string, string) error {
					close(held)
					<-hold
					return nil
				})
				first := make(chan error, 1)
				go func() {
					_, err := m.Transition(context.Background(), "b")
					first <- err
				}()
				<-held

				// Both Transition and Can wait for the machine.
				ctx, cancel := tt.ctx()
				defer cancel()
				waiting := map[string]func(context.Context, string) (bool, error){"Transition": m.Transition, "Can": m.Can}
				second := make(chan error, len(waiting))
				for name, call := range waiting {
					go func() {
						ok, err := call(ctx, "c")
						if ok || err == nil {
							err = fmt.Errorf("waiting %s = %v, %q", name, ok, fmt.Sprint(err))
						}
						second <- err
					}()
				}
				synctest.Wait() // both wait for the machine
				tt.end(cancel)
				for range waiting {
					if err := <-second; !errors.Is(err, tt.wantErr) || err.Error() != tt.wantErr.Error() {
						t.Errorf("waiting call: %v, want ctx.Err() = %v", err, tt.wantErr)
					}
				}
				close(hold)
				if err := <-first; err != nil {
					t.Errorf("first Transition: %v", err)
				}
				if m.State() != "b" || ran != 0 {
					t.Errorf("State() = %q, exit handlers of b ran %d times; want b, 0", m.State(), ran)
				}
			})
		})
	}
}

// TestTransition_DoneContext: a ctx already done never transitions, even
// when the machine is free.
func TestTransition_DoneContext(t *testing.T) {
	m := fsm.New("a")
	evaluated := false
	m.Add("a", "b", func(context.Context, string, string) (bool, error) { evaluated = true; return true, nil })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if ok, err := m.Transition(ctx, "b"); ok || !errors.Is(err, context.Canceled) || errors.Unwrap(err) != nil {
		t.Errorf("Transition = %v, %v; want false, context.Canceled", ok, err)
	}
	if ok, err := m.Can(ctx, "b"); ok || !errors.Is(err, context.Canceled) || errors.Unwrap(err) != nil {
		t.Errorf("Can = %v, %v; want false, context.Canceled", ok, err)
	}
	if evaluated || m.State() != "a" {
		t.Errorf("condition evaluated: %v, State() = %q", evaluated, m.State())
	}
}

// TestTransition_GoexitReleases: runtime.Goexit in a condition or a handler
// ends the caller's goroutine, and the machine is released: the next
// transition proceeds (bounded by a deadline, so a regression fails).
func TestTransition_GoexitReleases(t *testing.T) {
	tests := []struct {
		place     string
		wantState string // after the transition that called Goexit
	}{
		{"condition", "a"},
		{"exit", "a"},
		{"enter", "b"},
	}
	for _, tt := range tests {
		t.Run(tt.place, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				m := fsm.New("a")
				exited := false
				goexit := func(place string) {
					if place == tt.place && !exited {
						exited = true
						runtime.Goexit()
					}
				}
				m.Add("a", "b", func(context.Context, string, string) (bool, error) { goexit("condition"); return true, nil })
				m.Add("a", "c", nil)
				m.Add("b", "c", nil)
				m.OnExit("a", func(context.Context, string, string) error { goexit("exit"); return nil })
				m.OnEnter("b", func(context.Context, string, string) error { goexit("enter"); return nil })

				returned := false
				done := make(chan struct{})
				go func() {
					defer close(done)
					_, _ = m.Transition(context.Background(), "b")
					returned = true
				}()
				<-done
				if returned {
					t.Fatal("Transition returned although the goroutine called Goexit")
				}
				if m.State() != tt.wantState {
					t.Errorf("State() = %q, want %q", m.State(), tt.wantState)
				}
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				if ok, err := m.Transition(ctx, "c"); !ok || err != nil {
					t.Fatalf("next Transition = %v, %v; want true, nil", ok, err)
				}
			})
		})
	}
}

// TestContext_String: the contexts handlers receive name themselves, like
// the standard ones.
func TestContext_String(t *testing.T) {
	m := fsm.New("a")
	m.Add("a", "b", nil)
	var got []string
	m.OnEnter("b", func(ctx context.Context, _, _ string) error {
		got = append(got, fmt.Sprint(ctx), fmt.Sprint(fsm.Detach(ctx)))
		return nil
	})
	if _, err := m.Transition(context.Background(), "b"); err != nil {
		t.Fatal(err)
	}
	want := []string{"context.Background.WithFSMTransition", "context.Background.WithFSMTransition.FSMDetach"}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("contexts print as %q, want %q", got, want)
	}
	type plain struct{ context.Context } // not a fmt.Stringer
	ctx := plain{context.Background()}
	got = got[:0]
	m.Add("b", "b", nil)
	if _, err := m.Transition(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	if got[0] != "fsm.transitionContext" || got[1] != "fsm.transitionContext.FSMDetach" {
		t.Errorf("contexts print as %q", got)
	}
	if s := fmt.Sprint(fsm.Detach(ctx)); s != "fsm.detachedContext" {
		t.Errorf("Detach(a context that is not a Stringer) prints as %q", s)
	}
}
