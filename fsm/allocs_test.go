//go:build !race

package fsm_test

import (
	"context"
	"testing"
)

// TestTransition_NoAllocs: a permitted transition (one condition, one exit
// and one enter handler), a refused one, Can and State allocate nothing
// while the caller passes the same ctx. (The race detector changes
// allocations, hence the build tag.)
func TestTransition_NoAllocs(t *testing.T) {
	m := toggle()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var odd context.Context = sliceCtx{ctx, []string{"x"}}
	to := [2]string{"b", "a"}
	i := 0
	tests := []struct {
		name string
		fn   func()
	}{
		{"permitted", func() {
			if ok, err := m.Transition(ctx, to[i&1]); !ok || err != nil {
				t.Fatal(ok, err)
			}
			i++
		}},
		{"no edge", func() {
			if ok, _ := m.Transition(ctx, "nowhere"); ok {
				t.Fatal("permitted")
			}
		}},
		{"Can", func() { _, _ = m.Can(ctx, to[i&1]) }},
		{"ctx of a type that is not comparable", func() {
			if ok, err := m.Transition(odd, to[i&1]); !ok || err != nil {
				t.Fatal(ok, err)
			}
			i++
		}},
		{"State", func() { _ = m.State() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if n := testing.AllocsPerRun(100, tt.fn); n != 0 {
				t.Errorf("%v allocations per call, want 0", n)
			}
		})
	}
}
