package fsm

import (
	"fmt"
	"math"
	"testing"
)

// TestStateTable_AddCopiesLittle: adding a state copies only the recent
// part of the table, which stays within about the square root of the rest,
// so that registration is not quadratic in the number of states.
func TestStateTable_AddCopiesLittle(t *testing.T) {
	d := NewDefinition[string]()
	for i := range 50_000 {
		d.mu.Lock()
		d.node(fmt.Sprint("s", i))
		d.mu.Unlock()
		tb := d.table()
		if limit := max(16, int(math.Sqrt(float64(len(tb.base))))); len(tb.recent) > limit {
			t.Fatalf("after %d states: %d recent states over %d in base, limit %d", i+1, len(tb.recent), len(tb.base), limit)
		}
		if tb.len() != i+1 {
			t.Fatalf("after %d states, len %d", i+1, tb.len())
		}
	}
	seen := map[string]bool{}
	for name, n := range d.table().all {
		if seen[name] || n.name != name || d.lookup(name) != n {
			t.Fatalf("state %q listed twice or not found", name)
		}
		seen[name] = true
	}
	if len(seen) != 50_000 {
		t.Fatalf("%d states listed", len(seen))
	}
}
