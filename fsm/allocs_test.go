//go:build !race

package fsm_test

import (
	"context"
	"testing"
)

// TestTransition_NoAllocs: a permitted transition (one condition, one exit
// and one enter handler), Can and State allocate nothing while the caller
// passes the same ctx, on a machine of its own and on one of a shared
// definition; Definition.New allocates the machine and nothing else; a
// refusal allocates its error and nothing else. (The race detector changes
// allocations, hence the build tag.)
func TestTransition_NoAllocs(t *testing.T) {
	m := toggle()
	def := toggleDefinition()
	shared := def.New("a")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var odd context.Context = sliceCtx{ctx, []string{"x"}}
	to := [2]string{"b", "a"}
	i, j := 0, 0
	tests := []struct {
		name string
		want float64
		fn   func()
	}{
		{"permitted", 0, func() {
			if ok, err := m.Transition(ctx, to[i&1]); !ok || err != nil {
				t.Fatal(ok, err)
			}
			i++
		}},
		{"permitted, machine of a shared definition", 0, func() {
			if ok, err := shared.Transition(ctx, to[j&1]); !ok || err != nil {
				t.Fatal(ok, err)
			}
			j++
		}},
		{"Definition.New", 1, func() { _ = def.New("b") }},
		{"Definition.New at a state it does not know", 1, func() { _ = def.New("stored long ago") }},
		{"refused: no edge (the error)", 1, func() {
			if ok, _ := m.Transition(ctx, "nowhere"); ok {
				t.Fatal("permitted")
			}
		}},
		{"Can", 0, func() { _, _ = m.Can(ctx, to[i&1]) }},
		{"ctx of a type that is not comparable", 0, func() {
			if ok, err := m.Transition(odd, to[i&1]); !ok || err != nil {
				t.Fatal(ok, err)
			}
			i++
		}},
		{"State", 0, func() { _ = m.State() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if n := testing.AllocsPerRun(100, tt.fn); n != tt.want {
				t.Errorf("%v allocations per call, want %v", n, tt.want)
			}
		})
	}
}

// TestDefinition_RequestAllocs: a machine made per request and its first
// transition cost one allocation in all (the machine).
func TestDefinition_RequestAllocs(t *testing.T) {
	def := toggleDefinition()
	ctx := context.Background()
	n := testing.AllocsPerRun(100, func() {
		if ok, err := def.New("a").Transition(ctx, "b"); !ok || err != nil {
			t.Fatal(ok, err)
		}
	})
	if n != 1 {
		t.Errorf("%v allocations per request, want 1", n)
	}
}
