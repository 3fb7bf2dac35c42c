package fsm_test

import (
	"context"
	"fmt"
	"sync"

	"github.com/asyncutils-go/asyncutils/fsm"
)

// orderTable stands in for a table orders(id, state) of a database that
// several replicas of a service share.
type orderTable struct {
	mu   sync.Mutex
	rows map[string]string
}

// Load is SELECT state FROM orders WHERE id = $id.
func (t *orderTable) Load(id string) (string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	state, ok := t.rows[id]
	return state, ok
}

// CompareAndSwap is UPDATE orders SET state = $new WHERE id = $id AND
// state = $old, reporting whether it changed a row.
func (t *orderTable) CompareAndSwap(id, old, new string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.rows[id] != old {
		return false
	}
	t.rows[id] = new
	return true
}

// Machines for stored entities: one definition at start-up, a machine per
// request at the stored state, and the new state written with a
// compare-and-swap, so that two replicas moving the same order at once
// cannot both win.
func Example_storedEntities() {
	// At start-up: the life cycle, once, checked.
	orders := fsm.NewDefinition[string]()
	orders.Add("pending", "paid", nil)
	orders.Add("pending", "cancelled", nil)
	orders.Add("paid", "shipped", nil)
	if err := orders.Validate("pending"); err != nil {
		panic(err)
	}
	db := &orderTable{rows: map[string]string{"A-1": "pending"}}

	// moveFrom is a request's work once it has read the order's state:
	// a machine at that state, the transition, then the compare-and-swap.
	moveFrom := func(ctx context.Context, id, stored, to string) error {
		m := orders.New(stored)
		ok, err := m.Transition(ctx, to)
		if !ok {
			return err // refused, or a condition or an exit handler failed: nothing to store
		}
		if !db.CompareAndSwap(id, stored, m.State()) {
			return fmt.Errorf("order %s is no longer %q: read it again", id, stored)
		}
		return err // an enter handler's error, if any: the new state is stored all the same
	}
	move := func(ctx context.Context, id, to string) error {
		stored, found := db.Load(id)
		if !found {
			return fmt.Errorf("order %s: not found", id)
		}
		return moveFrom(ctx, id, stored, to)
	}

	ctx := context.Background()
	// Two replicas get a request for A-1 at the same time: B, to cancel,
	// reads the order; then A pays it; then B writes.
	readByB, _ := db.Load("A-1")
	fmt.Println("A pays:", move(ctx, "A-1", "paid"))
	fmt.Println("B cancels:", moveFrom(ctx, "A-1", readByB, "cancelled"))
	fmt.Println("B again:", move(ctx, "A-1", "cancelled"))
	stored, _ := db.Load("A-1")
	fmt.Println("stored:", stored)
	// Output:
	// A pays: <nil>
	// B cancels: order A-1 is no longer "pending": read it again
	// B again: fsm: "paid" -> "cancelled" refused: no edge
	// stored: paid
}
