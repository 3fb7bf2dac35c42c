package fsm

import (
	"fmt"
	"slices"
	"strings"
)

// ValidationError is the error of [Definition.Validate]: what is wrong with
// a definition, seen from the state its machines start in. It matches
// [ErrUnknownState] (errors.Is) when the definition never mentions Initial.
type ValidationError[S ~string] struct {
	Initial S
	// UnknownInitial reports that no Add, OnEnter or OnExit names Initial.
	UnknownInitial bool
	// Unreachable lists, sorted, the states that have edges or handlers but
	// that no path of edges from Initial reaches.
	Unreachable []S
	// NeverEntered lists, sorted, the states with enter handlers that no
	// edge enters: those handlers never run.
	NeverEntered []S
}

// Error lists every problem, for example `fsm: definition from "pending":
// unreachable: "refnded"; enter handlers that never run (no edge enters the
// state): "refnded"`.
func (e *ValidationError[S]) Error() string {
	var parts []string
	if e.UnknownInitial {
		parts = append(parts, "the initial state is unknown")
	}
	if len(e.Unreachable) > 0 {
		parts = append(parts, "unreachable: "+quoteAll(e.Unreachable))
	}
	if len(e.NeverEntered) > 0 {
		parts = append(parts, "enter handlers that never run (no edge enters the state): "+quoteAll(e.NeverEntered))
	}
	return fmt.Sprintf("fsm: definition from %q: %s", string(e.Initial), strings.Join(parts, "; "))
}

// Is reports whether target is [ErrUnknownState] and the initial state is
// unknown.
func (e *ValidationError[S]) Is(target error) bool {
	return target == ErrUnknownState && e.UnknownInitial
}

func quoteAll[S ~string](states []S) string {
	q := make([]string, len(states))
	for i, s := range states {
		q[i] = fmt.Sprintf("%q", string(s))
	}
	return strings.Join(q, ", ")
}

// Validate checks the definition for machines that start in initial. It
// returns nil for a sound definition, and otherwise a *[ValidationError]
// naming every state that has edges or handlers but that no path of edges
// from initial reaches (a state only OnEnter or OnExit names is one: most
// often a typo), every state with enter handlers that no edge enters, and
// an initial state the definition never mentions. A machine made at another
// state ([Definition.New]) may still reach what initial does not: Validate
// checks the life cycle from its start.
func (d *Definition[S]) Validate(initial S) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	nodes := d.table()
	entered := make(map[*node[S]]bool)
	for _, n := range nodes.all {
		for _, e := range n.hooks.Load().out {
			entered[e.to] = true
		}
	}
	reached := make(map[*node[S]]bool)
	start := nodes.get(initial)
	known := start != nil
	if known {
		reached[start] = true
		for queue := []*node[S]{start}; len(queue) > 0; queue = queue[1:] {
			for _, e := range queue[0].hooks.Load().out {
				if !reached[e.to] {
					reached[e.to] = true
					queue = append(queue, e.to)
				}
			}
		}
	}
	ve := &ValidationError[S]{Initial: initial, UnknownInitial: !known}
	for name, n := range nodes.all {
		h := n.hooks.Load()
		used := len(h.out) > 0 || len(h.enter) > 0 || len(h.exit) > 0 || entered[n]
		if used && !reached[n] {
			ve.Unreachable = append(ve.Unreachable, name)
		}
		if len(h.enter) > 0 && !entered[n] {
			ve.NeverEntered = append(ve.NeverEntered, name)
		}
	}
	if !ve.UnknownInitial && len(ve.Unreachable) == 0 && len(ve.NeverEntered) == 0 {
		return nil
	}
	slices.Sort(ve.Unreachable)
	slices.Sort(ve.NeverEntered)
	return ve
}
