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
	// none of its conditions is nil. A nil condition permits at once when
	// the transition reaches it, so an edge with one, wherever it is among
	// the conditions, is never refused (an earlier condition that returns
	// an error or panics still fails the transition, which is no refusal).
	Guarded bool
}

// Initial returns the state the machine was created in.
func (m *Machine[S]) Initial() S {
	return m.initial.name
}

// States returns every state the machine knows, sorted: the state it was
// created in and every state its definition's Add, OnEnter or OnExit named.
func (m *Machine[S]) States() []S {
	states, _ := m.graph(false)
	return states
}

// Edges returns every edge of the machine's definition, sorted by From,
// then To.
func (m *Machine[S]) Edges() []Edge[S] {
	return m.def.Edges()
}

// States returns every state named by Add, OnEnter or OnExit, sorted.
func (d *Definition[S]) States() []S {
	nodes := d.table()
	out := make([]S, 0, nodes.len())
	for name := range nodes.all {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// Edges returns every edge, sorted by From, then To.
func (d *Definition[S]) Edges() []Edge[S] {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.edges()
}

// edges is Edges for a caller that holds d.mu.
func (d *Definition[S]) edges() []Edge[S] {
	var out []Edge[S]
	for name, n := range d.table().all {
		for _, e := range n.hooks.Load().out {
			out = append(out, Edge[S]{
				From:       name,
				To:         e.to.name,
				Conditions: len(e.conds),
				Guarded:    !slices.ContainsFunc(e.conds, func(c Condition[S]) bool { return c == nil }),
			})
		}
	}
	slices.SortFunc(out, func(a, b Edge[S]) int {
		return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To))
	})
	return out
}

// graph returns the machine's states, and its edges when withEdges, from
// one consistent view of the definition.
func (m *Machine[S]) graph(withEdges bool) ([]S, []Edge[S]) {
	d := m.def
	d.mu.Lock()
	defer d.mu.Unlock()
	states := d.States()
	if i, found := slices.BinarySearch(states, m.initial.name); !found {
		states = slices.Insert(states, i, m.initial.name)
	}
	if !withEdges {
		return states, nil
	}
	return states, d.edges()
}
