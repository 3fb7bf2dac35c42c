package fsm

import (
	"cmp"
	"slices"
)

// Edge describes one permitted transition, as returned by [Machine.Edges].
type Edge[S ~string] struct {
	From, To S
	// Conditions is the number of conditions added for the edge, nil ones
	// included (one per call of [Machine.Add]).
	Conditions int
	// Guarded reports whether a transition along the edge can be refused:
	// its first condition is not nil. An edge whose first condition is nil
	// is always permitted.
	Guarded bool
}

// Initial returns the state the machine was created in.
func (m *Machine[S]) Initial() S {
	return m.initial.name
}

// States returns every state the machine knows, sorted: the initial state
// and every state named by Add, OnEnter or OnExit.
func (m *Machine[S]) States() []S {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.states()
}

// Edges returns every edge, sorted by From, then To.
func (m *Machine[S]) Edges() []Edge[S] {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.edges()
}

// states and edges are States and Edges for a caller that holds m.mu.
func (m *Machine[S]) states() []S {
	out := make([]S, 0, len(m.nodes))
	for name := range m.nodes {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

func (m *Machine[S]) edges() []Edge[S] {
	var out []Edge[S]
	for name, n := range m.nodes {
		for _, e := range n.hooks.Load().out {
			out = append(out, Edge[S]{
				From:       name,
				To:         e.to.name,
				Conditions: len(e.conds),
				Guarded:    e.conds[0] != nil,
			})
		}
	}
	slices.SortFunc(out, func(a, b Edge[S]) int {
		return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To))
	})
	return out
}
