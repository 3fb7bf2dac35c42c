package fsm_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/asyncutils-go/asyncutils/fsm"
)

var errBoom = errors.New("boom")

// outcome is what a condition or a handler does when called.
type outcome int

const (
	allow  outcome = iota // a condition returns true; a handler returns nil
	refuse                // a condition returns false
	fail                  // returns errBoom
	panics                // panics with errBoom
)

// recorder builds conditions, handlers and observers that log their calls,
// as "name from->to state=<State() at the call>".
type recorder struct {
	m     *fsm.Machine[string]
	mu    sync.Mutex
	calls []string
}

func (r *recorder) log(name, from, to string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, fmt.Sprintf("%s %s->%s state=%s", name, from, to, r.m.State()))
}

func (r *recorder) cond(name string, o outcome) fsm.Condition[string] {
	return func(_ context.Context, from, to string) (bool, error) {
		r.log(name, from, to)
		switch o {
		case fail:
			return false, errBoom
		case panics:
			panic(errBoom)
		}
		return o == allow, nil
	}
}

func (r *recorder) handler(name string, o outcome) fsm.Handler[string] {
	return func(_ context.Context, from, to string) error {
		r.log(name, from, to)
		switch o {
		case fail:
			return errBoom
		case panics:
			panic(errBoom)
		}
		return nil
	}
}

// TestTransition_Rules has one row per rule of a transition (SPEC section
// 6). Every machine starts in "a".
func TestTransition_Rules(t *testing.T) {
	tests := []struct {
		name      string
		setup     func(m *fsm.Machine[string], r *recorder)
		to        string
		wantOK    bool
		wantErr   error       // nil: no error; else errors.Is must hold
		wantPanic bool        // the error wraps a *PanicError
		wantMsg   string      // a prefix of the error message
		refusal   fsm.Refusal // the error is a *RefusedError with this reason; 0: it is not one
		wantState string
		wantCalls []string
	}{
		{
			name: "no edge",
			setup: func(m *fsm.Machine[string], r *recorder) {
				m.Add("b", "c", nil)
				m.OnExit("a", r.handler("exit", allow))
			},
			to: "c", wantErr: fsm.ErrRefused, wantMsg: `fsm: "a" -> "c" refused: no edge`, refusal: fsm.RefusedNoEdge,
			wantState: "a",
		},
		{
			name:  "no edge to the same state",
			setup: func(m *fsm.Machine[string], r *recorder) { m.OnExit("a", r.handler("exit", allow)) },
			to:    "a", wantErr: fsm.ErrRefused, wantMsg: `fsm: "a" -> "a" refused: no edge`, refusal: fsm.RefusedNoEdge,
			wantState: "a",
		},
		{
			name: "a state the definition never mentions (a typo)",
			setup: func(m *fsm.Machine[string], r *recorder) {
				m.Add("a", "paid", nil)
				m.OnExit("a", r.handler("exit", allow))
			},
			to: "paid ", wantErr: fsm.ErrUnknownState, wantMsg: `fsm: "a" -> "paid " refused: unknown state "paid "`,
			refusal: fsm.RefusedUnknownState, wantState: "a",
		},
		{
			name: "nil condition allows at once, later ones not evaluated",
			setup: func(m *fsm.Machine[string], r *recorder) {
				m.Add("a", "b", r.cond("c1", refuse))
				m.Add("a", "b", nil)
				m.Add("a", "b", r.cond("c3", fail))
			},
			to: "b", wantOK: true, wantState: "b",
			wantCalls: []string{"c1 a->b state=a", "observer a->b state=b"},
		},
		{
			name: "first true condition allows, later ones not evaluated",
			setup: func(m *fsm.Machine[string], r *recorder) {
				m.Add("a", "b", r.cond("c1", refuse))
				m.Add("a", "b", r.cond("c2", allow))
				m.Add("a", "b", r.cond("c3", fail))
			},
			to: "b", wantOK: true, wantState: "b",
			wantCalls: []string{"c1 a->b state=a", "c2 a->b state=a", "observer a->b state=b"},
		},
		{
			name: "all conditions false",
			setup: func(m *fsm.Machine[string], r *recorder) {
				m.Add("a", "b", r.cond("c1", refuse))
				m.Add("a", "b", r.cond("c2", refuse))
				m.OnExit("a", r.handler("exit", allow))
			},
			to: "b", wantErr: fsm.ErrRefused, wantMsg: `fsm: "a" -> "b" refused: all 2 of its conditions returned false`,
			refusal: fsm.RefusedByConditions, wantState: "a",
			wantCalls: []string{"c1 a->b state=a", "c2 a->b state=a"},
		},
		{
			name: "condition error stops",
			setup: func(m *fsm.Machine[string], r *recorder) {
				m.Add("a", "b", r.cond("c1", fail))
				m.Add("a", "b", r.cond("c2", allow))
				m.OnExit("a", r.handler("exit", allow))
			},
			to: "b", wantErr: errBoom, wantMsg: `fsm: condition of "a" -> "b": boom`, wantState: "a",
			wantCalls: []string{"c1 a->b state=a"},
		},
		{
			name: "condition panic stops",
			setup: func(m *fsm.Machine[string], r *recorder) {
				m.Add("a", "b", r.cond("c1", panics))
				m.Add("a", "b", r.cond("c2", allow))
			},
			to: "b", wantErr: errBoom, wantPanic: true, wantMsg: `fsm: condition of "a" -> "b": panic: boom`, wantState: "a",
			wantCalls: []string{"c1 a->b state=a"},
		},
		{
			name: "exit error stops, state unchanged",
			setup: func(m *fsm.Machine[string], r *recorder) {
				m.Add("a", "b", nil)
				m.OnExit("a", r.handler("x1", fail))
				m.OnExit("a", r.handler("x2", allow))
				m.OnEnter("b", r.handler("e1", allow))
			},
			to: "b", wantErr: errBoom, wantMsg: `fsm: exit handler of "a": boom`, wantState: "a",
			wantCalls: []string{"x1 a->b state=a"},
		},
		{
			name: "exit panic stops, state unchanged",
			setup: func(m *fsm.Machine[string], r *recorder) {
				m.Add("a", "b", nil)
				m.OnExit("a", r.handler("x1", allow))
				m.OnExit("a", r.handler("x2", panics))
				m.OnEnter("b", r.handler("e1", allow))
			},
			to: "b", wantErr: errBoom, wantPanic: true, wantMsg: `fsm: exit handler of "a": panic: boom`, wantState: "a",
			wantCalls: []string{"x1 a->b state=a", "x2 a->b state=a"},
		},
		{
			name: "enter error stops, state stays the new one",
			setup: func(m *fsm.Machine[string], r *recorder) {
				m.Add("a", "b", nil)
				m.OnEnter("b", r.handler("e1", fail))
				m.OnEnter("b", r.handler("e2", allow))
			},
			to: "b", wantOK: true, wantErr: errBoom, wantMsg: `fsm: enter handler of "b": boom`, wantState: "b",
			wantCalls: []string{"e1 a->b state=b", "observer a->b state=b"},
		},
		{
			name: "enter panic stops, state stays the new one",
			setup: func(m *fsm.Machine[string], r *recorder) {
				m.Add("a", "b", nil)
				m.OnEnter("b", r.handler("e1", allow))
				m.OnEnter("b", r.handler("e2", panics))
				m.OnEnter("b", r.handler("e3", allow))
			},
			to: "b", wantOK: true, wantErr: errBoom, wantPanic: true, wantMsg: `fsm: enter handler of "b": panic: boom`, wantState: "b",
			wantCalls: []string{"e1 a->b state=b", "e2 a->b state=b", "observer a->b state=b"},
		},
		{
			name: "order: conditions, exit handlers, enter handlers, observers",
			setup: func(m *fsm.Machine[string], r *recorder) {
				m.Add("a", "b", r.cond("c1", refuse))
				m.Add("a", "b", r.cond("c2", allow))
				m.OnExit("a", r.handler("x1", allow))
				m.OnExit("a", r.handler("x2", allow))
				m.OnExit("b", r.handler("not run: exit of b", allow))
				m.OnEnter("b", r.handler("e1", allow))
				m.OnEnter("b", r.handler("e2", allow))
				m.OnEnter("a", r.handler("not run: enter of a", allow))
			},
			to: "b", wantOK: true, wantState: "b",
			wantCalls: []string{
				"c1 a->b state=a", "c2 a->b state=a",
				"x1 a->b state=a", "x2 a->b state=a",
				"e1 a->b state=b", "e2 a->b state=b",
				"observer a->b state=b",
			},
		},
		{
			name: "self-edge is a transition like any other",
			setup: func(m *fsm.Machine[string], r *recorder) {
				m.Add("a", "a", r.cond("c1", allow))
				m.OnExit("a", r.handler("x1", allow))
				m.OnEnter("a", r.handler("e1", allow))
			},
			to: "a", wantOK: true, wantState: "a",
			wantCalls: []string{"c1 a->a state=a", "x1 a->a state=a", "e1 a->a state=a", "observer a->a state=a"},
		},
		{
			name: "observer panic is reported after the state changed",
			setup: func(m *fsm.Machine[string], r *recorder) {
				m.Add("a", "b", nil)
				m.OnTransition(func(string, string) { panic(errBoom) })
			},
			to: "b", wantOK: true, wantErr: errBoom, wantPanic: true, wantMsg: `fsm: observer of "a" -> "b": panic: boom`, wantState: "b",
			wantCalls: []string{"observer a->b state=b"},
		},
		{
			name: "observers after a panicking one still run; the first panic is returned",
			setup: func(m *fsm.Machine[string], r *recorder) {
				m.Add("a", "b", nil)
				m.OnTransition(func(string, string) { panic(errBoom) })
				m.OnTransition(func(from, to string) { r.log("observer 3", from, to) })
				m.OnTransition(func(string, string) { panic("second") })
			},
			to: "b", wantOK: true, wantErr: errBoom, wantPanic: true, wantMsg: `fsm: observer of "a" -> "b": panic: boom`, wantState: "b",
			wantCalls: []string{"observer a->b state=b", "observer 3 a->b state=b"},
		},
		{
			name: "observers run after a failing enter handler; its error wins",
			setup: func(m *fsm.Machine[string], r *recorder) {
				m.Add("a", "b", nil)
				m.OnEnter("b", r.handler("e1", fail))
				m.OnTransition(func(string, string) { panic("observer") })
			},
			to: "b", wantOK: true, wantErr: errBoom, wantMsg: `fsm: enter handler of "b": boom`, wantState: "b",
			wantCalls: []string{"e1 a->b state=b", "observer a->b state=b"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := fsm.New("a")
			r := &recorder{m: m}
			m.OnTransition(func(from, to string) { r.log("observer", from, to) })
			tt.setup(m, r)

			ok, err := m.Transition(context.Background(), tt.to)
			if ok != tt.wantOK {
				t.Errorf("ok = %v, want %v", ok, tt.wantOK)
			}
			switch {
			case tt.wantErr == nil && err != nil:
				t.Errorf("err = %v, want nil", err)
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
				t.Errorf("err = %v, want one wrapping %v", err, tt.wantErr)
			}
			var pe *fsm.PanicError
			if got := errors.As(err, &pe); got != tt.wantPanic {
				t.Errorf("errors.As(%v, *PanicError) = %v, want %v", err, got, tt.wantPanic)
			} else if got && (pe.Value != any(errBoom) || len(pe.Stack) == 0) {
				t.Errorf("PanicError{Value: %v, %d bytes of stack}, want errBoom and a stack", pe.Value, len(pe.Stack))
			}
			if tt.wantMsg != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.wantMsg)) {
				t.Errorf("err = %v, want the message %q", err, tt.wantMsg)
			}
			if re, isRefusal := errors.AsType[*fsm.RefusedError[string]](err); isRefusal != (tt.refusal != 0) {
				t.Errorf("err = %v: a refusal is %v, want %v", err, isRefusal, tt.refusal != 0)
			} else if isRefusal && (re.Reason != tt.refusal || re.From != "a" || re.To != tt.to || !errors.Is(err, fsm.ErrRefused)) {
				t.Errorf("refusal %+v, want %v of a -> %q matching ErrRefused", *re, tt.refusal, tt.to)
			}
			if got := m.State(); got != tt.wantState {
				t.Errorf("State() = %q, want %q", got, tt.wantState)
			}
			if !slices.Equal(r.calls, tt.wantCalls) {
				t.Errorf("calls:\n got %q\nwant %q", r.calls, tt.wantCalls)
			}
		})
	}
}

// TestCan_Rules checks that Can gives Transition's answer for steps 2 and 3
// and runs no handler.
func TestCan_Rules(t *testing.T) {
	tests := []struct {
		name    string
		conds   []outcome // the edge a->b; none: no edge
		to      string
		wantOK  bool
		wantErr error // nil: no error; else errors.Is must hold
	}{
		{name: "no edge", to: "b", wantErr: &fsm.RefusedError[string]{From: "a", To: "b", Reason: fsm.RefusedNoEdge}},
		{name: "unknown state", to: "c", wantErr: &fsm.RefusedError[string]{From: "a", To: "c", Reason: fsm.RefusedUnknownState}},
		{name: "allowed", conds: []outcome{refuse, allow}, to: "b", wantOK: true},
		{name: "all false", conds: []outcome{refuse, refuse}, to: "b",
			wantErr: &fsm.RefusedError[string]{From: "a", To: "b", Reason: fsm.RefusedByConditions, Conditions: 2}},
		{name: "condition error", conds: []outcome{fail}, to: "b", wantErr: errBoom},
		{name: "condition panic", conds: []outcome{panics}, to: "b", wantErr: errBoom},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := fsm.New("a")
			r := &recorder{m: m}
			for i, o := range tt.conds {
				m.Add("a", "b", r.cond(fmt.Sprint("c", i), o))
			}
			m.OnExit("a", r.handler("exit", allow))
			m.OnEnter("b", r.handler("enter", allow))
			ok, err := m.Can(context.Background(), tt.to)
			if want, isRefusal := errors.AsType[*fsm.RefusedError[string]](tt.wantErr); isRefusal {
				got, _ := errors.AsType[*fsm.RefusedError[string]](err)
				if ok || got == nil || *got != *want || err != error(got) { //nolint:errorlint // a refusal is returned itself, never wrapped
					t.Fatalf("Can = %v, %#v; want false, %#v, unwrapped", ok, err, want)
				}
			} else if ok != tt.wantOK || (err == nil) != (tt.wantErr == nil) || !errors.Is(err, tt.wantErr) {
				t.Fatalf("Can = %v, %v; want %v, %v", ok, err, tt.wantOK, tt.wantErr)
			}
			for _, c := range r.calls {
				if strings.HasPrefix(c, "exit") || strings.HasPrefix(c, "enter") {
					t.Errorf("Can ran a handler: %q", c)
				}
			}
			if m.State() != "a" {
				t.Errorf("State() = %q after Can, want a", m.State())
			}
		})
	}
}

func TestNew_NamedStateType(t *testing.T) {
	type phase string
	m := fsm.New(phase("idle"))
	m.Add("idle", "busy", nil)
	if ok, err := m.Transition(context.Background(), "busy"); !ok || err != nil {
		t.Fatalf("Transition = %v, %v", ok, err)
	}
	if got := m.State(); got != phase("busy") || m.Initial() != phase("idle") {
		t.Fatalf("State() = %q, Initial() = %q", m.State(), m.Initial())
	}
	_ = []*fsm.Machine[string]{fsm.New("idle")} // plain strings infer Machine[string]
}

func TestMisuse_Panics(t *testing.T) {
	m := fsm.New("a")
	tests := []struct {
		name string
		call func()
		want string
	}{
		{"OnEnter nil", func() { m.OnEnter("a", nil) }, "fsm: OnEnter: nil handler"},
		{"OnExit nil", func() { m.OnExit("a", nil) }, "fsm: OnExit: nil handler"},
		{"OnTransition nil", func() { m.OnTransition(nil) }, "fsm: OnTransition: nil observer"},
		{"WithHistory negative", func() { fsm.WithHistory(-1) }, "fsm: WithHistory: negative size -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != tt.want {
					t.Fatalf("recovered %v, want %q", r, tt.want)
				}
			}()
			tt.call()
		})
	}
}

// TestRegistration_FromInside: a condition or a handler may register
// handlers and observers; what it registers counts from the next
// transition on, never for the transition that is running.
func TestRegistration_FromInside(t *testing.T) {
	tests := []struct {
		place    string // where the registration happens, during a -> b
		register func(m *fsm.Machine[string], r *recorder)
	}{
		{"condition", func(m *fsm.Machine[string], r *recorder) {
			m.OnExit("a", r.handler("late exit", allow))
			m.OnEnter("b", r.handler("late enter", allow))
		}},
		{"exit handler", func(m *fsm.Machine[string], r *recorder) {
			m.OnExit("a", r.handler("late exit", allow))
			m.OnEnter("b", r.handler("late enter", allow))
			m.OnTransition(func(from, to string) { r.log("late observer", from, to) })
		}},
		{"enter handler", func(m *fsm.Machine[string], r *recorder) {
			m.OnEnter("b", r.handler("late enter", allow))
			m.OnTransition(func(from, to string) { r.log("late observer", from, to) })
		}},
	}
	for _, tt := range tests {
		t.Run(tt.place, func(t *testing.T) {
			m := fsm.New("a")
			r := &recorder{m: m}
			registered := false
			once := func() {
				if !registered {
					registered = true
					tt.register(m, r)
				}
			}
			m.Add("a", "b", func(context.Context, string, string) (bool, error) {
				if tt.place == "condition" {
					once()
				}
				return false, nil
			})
			m.Add("a", "b", nil)
			m.Add("b", "a", nil)
			m.OnExit("a", func(context.Context, string, string) error {
				if tt.place == "exit handler" {
					once()
				}
				return nil
			})
			m.OnEnter("b", func(context.Context, string, string) error {
				if tt.place == "enter handler" {
					once()
				}
				return nil
			})
			ctx := context.Background()
			if ok, err := m.Transition(ctx, "b"); !ok || err != nil || !registered {
				t.Fatalf("first a -> b = %v, %v (registered: %v)", ok, err, registered)
			}
			if len(r.calls) != 0 {
				t.Errorf("the transition that registered them ran %q", r.calls)
			}
			for _, to := range []string{"a", "b"} {
				if ok, err := m.Transition(ctx, to); !ok || err != nil {
					t.Fatalf("Transition(%s) = %v, %v", to, ok, err)
				}
			}
			if !slices.ContainsFunc(r.calls, func(c string) bool { return strings.HasPrefix(c, "late enter a->b") }) {
				t.Errorf("the next a -> b did not run the late enter handler: %q", r.calls)
			}
		})
	}
}
