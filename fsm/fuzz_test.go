package fsm_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/asyncutils-go/asyncutils/fsm"
)

// What a condition or a handler registered by FuzzMachine does.
const (
	kindNil     = iota // a nil condition (handlers: never)
	kindTrue           // a condition returns true; a handler returns nil
	kindFalse          // a condition returns false (handlers: never)
	kindError          // returns errBoom
	kindPanic          // panics with errBoom
	kindsOfCond = 5
)

// model is the simplest machine that follows SPEC section 6: a map of edges
// to the ids of their conditions, lists of handler ids, and a log of the
// ids of the functions a transition calls.
type model struct {
	state       int
	kinds       []int // by id
	edges       map[[2]int][]int
	enter, exit map[int][]int
	known       map[int]bool // the states named by New, Add, OnEnter, OnExit
}

// outcome of a model transition: the result and the category of the error
// ("" for none, else "condition", "exit" or "enter", with " panic" when a
// panic caused it, or "refused: " and the reason), and the ids called in
// order.
type modelResult struct {
	ok    bool
	err   string
	calls []int
}

func (md *model) transition(to int, onlyCan bool) modelResult {
	var r modelResult
	conds, ok := md.edges[[2]int{md.state, to}]
	if !ok {
		r.err = "refused: no edge"
		if !md.known[to] {
			r.err = "refused: unknown state"
		}
		return r
	}
	allowed := false
	for _, id := range conds {
		k := md.kinds[id]
		if k == kindNil {
			allowed = true
			break
		}
		r.calls = append(r.calls, id)
		if k == kindError || k == kindPanic {
			r.err = category("condition", k)
			return r
		}
		if k == kindTrue {
			allowed = true
			break
		}
	}
	if !allowed {
		r.err = fmt.Sprintf("refused: %d conditions", len(conds))
		return r
	}
	if onlyCan {
		r.ok = true
		return r
	}
	for _, id := range md.exit[md.state] {
		r.calls = append(r.calls, id)
		if k := md.kinds[id]; k != kindTrue {
			r.err = category("exit", k)
			return r
		}
	}
	md.state, r.ok = to, true
	for _, id := range md.enter[to] {
		r.calls = append(r.calls, id)
		if k := md.kinds[id]; k != kindTrue {
			r.err = category("enter", k)
			return r
		}
	}
	return r
}

func category(step string, kind int) string {
	if kind == kindPanic {
		return step + " panic"
	}
	return step
}

// categorize maps an error of the machine to the model's categories.
func categorize(err error, from, to string) (string, error) {
	if err == nil {
		return "", nil
	}
	if re, ok := errors.AsType[*fsm.RefusedError[string]](err); ok {
		switch {
		case err != error(re): //nolint:errorlint // a refusal is returned itself, never wrapped: that is what this checks
			return "", fmt.Errorf("refusal %w is wrapped", err)
		case re.From != from || re.To != to:
			return "", fmt.Errorf("refusal %w names %q -> %q, want %q -> %q", err, re.From, re.To, from, to)
		case !errors.Is(err, fsm.ErrRefused):
			return "", fmt.Errorf("refusal %w does not match ErrRefused", err)
		case errors.Is(err, fsm.ErrUnknownState) != (re.Reason == fsm.RefusedUnknownState):
			return "", fmt.Errorf("refusal %w (%v) and ErrUnknownState disagree", err, re.Reason)
		case re.Reason == fsm.RefusedByConditions:
			return fmt.Sprintf("refused: %d conditions", re.Conditions), nil
		case re.Conditions != 0:
			return "", fmt.Errorf("refusal %w (%v) counts %d conditions", err, re.Reason, re.Conditions)
		}
		return "refused: " + re.Reason.String(), nil
	}
	if errors.Is(err, fsm.ErrRefused) {
		return "", fmt.Errorf("%w matches ErrRefused but is no *RefusedError", err)
	}
	if !errors.Is(err, errBoom) {
		return "", fmt.Errorf("error does not wrap errBoom: %w", err)
	}
	var step string
	switch msg := err.Error(); {
	case strings.HasPrefix(msg, "fsm: condition of "):
		step = "condition"
	case strings.HasPrefix(msg, "fsm: exit handler of "):
		step = "exit"
	case strings.HasPrefix(msg, "fsm: enter handler of "):
		step = "enter"
	default:
		return "", fmt.Errorf("error %q names no step", msg)
	}
	var pe *fsm.PanicError
	if errors.As(err, &pe) {
		step += " panic"
	}
	return step, nil
}

// FuzzMachine runs random registrations and transitions on a machine and on
// the model, and compares results, errors, states and the order of calls.
// Every three bytes are one operation: Add, OnEnter, OnExit, Transition,
// Can, or a new machine of the definition at a given state.
func FuzzMachine(f *testing.F) {
	f.Add([]byte{0, 0x04, 1, 3, 1, 0, 4, 1, 0})                               // a->b allowed, go, go back (no edge)
	f.Add([]byte{0, 0x04, 2, 0, 0x04, 1, 2, 0, 1, 1, 1, 3, 3, 1, 0})          // false then true; exit, enter fail
	f.Add([]byte{0, 0x04, 3, 0, 0x04, 0, 5, 1, 0, 3, 1, 0})                   // condition error before nil
	f.Add([]byte{0, 0x00, 0, 2, 0, 4, 1, 0, 1, 3, 0, 0, 4, 0, 0})             // self-edge with handlers
	f.Add([]byte{0, 0x04, 4, 0, 0x09, 1, 3, 1, 0, 0, 0x04, 0, 3, 1, 0})       // panic condition, then nil added
	f.Add([]byte{0, 0x04, 1, 0, 0x01, 1, 1, 1, 2, 3, 1, 0, 3, 0, 0, 5, 0, 0}) // enter panic, back, Can
	f.Add([]byte{0, 0x04, 1, 6, 3, 0, 3, 1, 0, 0, 0x07, 1, 3, 1, 0, 6, 1, 0}) // New at unknown s3, edge s3->s1 added later, New at s1
	f.Fuzz(func(t *testing.T, ops []byte) {
		const states, maxOps = 4, 200 // a state no operation has named yet is unknown
		if len(ops) > 3*maxOps {
			ops = ops[:3*maxOps] // longer inputs find nothing new and slow the fuzzer down
		}
		name := func(i int) string { return fmt.Sprint("s", i) }
		m := fsm.New(name(0))
		md := &model{edges: map[[2]int][]int{}, enter: map[int][]int{}, exit: map[int][]int{}, known: map[int]bool{0: true}}
		var calls []int
		handler := func(id, kind int) fsm.Handler[string] {
			return func(context.Context, string, string) error {
				calls = append(calls, id)
				switch kind {
				case kindError:
					return errBoom
				case kindPanic:
					panic(errBoom)
				}
				return nil
			}
		}
		ctx := context.Background()
		for len(ops) >= 3 {
			op, a, b := ops[0], int(ops[1]), int(ops[2])
			ops = ops[3:]
			switch op % 7 {
			case 0: // Add(from, to, condition)
				from, to, kind := a%states, (a/states)%states, b%kindsOfCond
				id := len(md.kinds)
				md.kinds = append(md.kinds, kind)
				key := [2]int{from, to}
				md.edges[key] = append(md.edges[key], id)
				md.known[from], md.known[to] = true, true
				var cond fsm.Condition[string]
				if kind != kindNil {
					cond = func(context.Context, string, string) (bool, error) {
						calls = append(calls, id)
						switch kind {
						case kindError:
							return true, errBoom // an error wins over true
						case kindPanic:
							panic(errBoom)
						}
						return kind == kindTrue, nil
					}
				}
				m.Add(name(from), name(to), cond)
			case 1, 2: // OnEnter, OnExit
				state, kind := a%states, []int{kindTrue, kindError, kindPanic}[b%3]
				id := len(md.kinds)
				md.kinds = append(md.kinds, kind)
				md.known[state] = true
				if op%7 == 1 {
					md.enter[state] = append(md.enter[state], id)
					m.OnEnter(name(state), handler(id, kind))
				} else {
					md.exit[state] = append(md.exit[state], id)
					m.OnExit(name(state), handler(id, kind))
				}
			case 6: // a new machine of the same definition, at a stored state, maybe one it does not know
				md.state = a % states
				m = m.Definition().New(name(md.state))
			default: // Transition (3, 4) or Can (5)
				to, onlyCan := a%states, op%7 == 5
				calls = calls[:0]
				from := name(md.state)
				want := md.transition(to, onlyCan)
				var ok bool
				var err error
				if onlyCan {
					ok, err = m.Can(ctx, name(to))
				} else {
					ok, err = m.Transition(ctx, name(to))
				}
				got, cerr := categorize(err, from, name(to))
				if cerr != nil {
					t.Fatal(cerr)
				}
				if ok != want.ok || got != want.err {
					t.Fatalf("%s(%s): got %v, %q (%v); model %v, %q", map[bool]string{true: "Can", false: "Transition"}[onlyCan],
						name(to), ok, got, err, want.ok, want.err)
				}
				if !slices.Equal(calls, want.calls) {
					t.Fatalf("calls %v, model %v", calls, want.calls)
				}
				if m.State() != name(md.state) {
					t.Fatalf("State() = %q, model %q", m.State(), name(md.state))
				}
			}
		}
	})
}
