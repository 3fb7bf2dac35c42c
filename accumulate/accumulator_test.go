package accumulate_test

import (
	"context"
	"testing"
	"time"

	"github.com/asyncutils-go/asyncutils/accumulate"
)

// op is one Add (or Offer, with the result it must give) of a callback.
type op struct {
	offer  bool
	id     int
	wantOK bool // for Offer
}

func TestAddOffer(t *testing.T) {
	tests := []struct {
		name   string
		maxLen int
		ops    []op
		want   []int // queued, oldest first
	}{
		{name: "unbounded keeps all", maxLen: 0, ops: []op{{id: 1}, {id: 2}, {offer: true, id: 3, wantOK: true}}, want: []int{1, 2, 3}},
		{name: "add drops the oldest", maxLen: 2, ops: []op{{id: 1}, {id: 2}, {id: 3}}, want: []int{2, 3}},
		{name: "add drops many", maxLen: 2, ops: []op{{id: 1}, {id: 2}, {id: 3}, {id: 4}, {id: 5}}, want: []int{4, 5}},
		{name: "offer refused when full", maxLen: 2, ops: []op{{id: 1}, {id: 2}, {offer: true, id: 3}}, want: []int{1, 2}},
		{name: "offer accepted with room", maxLen: 2, ops: []op{{id: 1}, {offer: true, id: 2, wantOK: true}, {offer: true, id: 3}}, want: []int{1, 2}},
		{name: "maxlen one", maxLen: 1, ops: []op{{id: 1}, {offer: true, id: 2}, {id: 3}}, want: []int{3}},
		{name: "grows past the first buffer", maxLen: 0, ops: manyAdds(20), want: seq(0, 20)},
		{name: "bounded above the first buffer", maxLen: 12, ops: manyAdds(30), want: seq(18, 30)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			acc := accumulate.New[error](accumulate.WithMaxLen(tt.maxLen))
			for _, o := range tt.ops {
				if o.offer {
					if got := acc.Offer(rec.cb(o.id, nil)); got != o.wantOK {
						t.Fatalf("Offer(%d) = %v, want %v", o.id, got, o.wantOK)
					}
					continue
				}
				acc.Add(rec.cb(o.id, nil))
			}
			if acc.Len() != len(tt.want) {
				t.Fatalf("Len() = %d, want %d", acc.Len(), len(tt.want))
			}
			if got := ids(t, acc.Callbacks(), rec); !equal(got, tt.want) {
				t.Fatalf("Callbacks() = %v, want %v", got, tt.want)
			}
			if err := acc.Call(context.Background(), nil); err != nil {
				t.Fatalf("Call: %v", err)
			}
			if got := rec.take(); !equal(got, tt.want) {
				t.Fatalf("ran %v, want %v", got, tt.want)
			}
		})
	}
}

func manyAdds(n int) []op {
	ops := make([]op, n)
	for i := range ops {
		ops[i].id = i
	}
	return ops
}

func TestCallbacksIsACopy(t *testing.T) {
	rec := &recorder{}
	acc := accumulate.New[error]()
	acc.Add(rec.cb(1, nil))
	acc.Add(rec.cb(2, nil))
	fns := acc.Callbacks()
	fns[0] = rec.cb(99, nil)
	_ = append(fns[:1], rec.cb(98, nil))
	if got := ids(t, acc.Callbacks(), rec); !equal(got, []int{1, 2}) {
		t.Fatalf("after changing the copy, Callbacks() = %v, want [1 2]", got)
	}
}

func TestClear(t *testing.T) {
	rec := &recorder{}
	acc := accumulate.New[error](accumulate.WithMaxLen(3))
	for i := range 5 {
		acc.Add(rec.cb(i, nil))
	}
	acc.Clear()
	if acc.Len() != 0 || len(acc.Callbacks()) != 0 {
		t.Fatalf("after Clear: Len() = %d, Callbacks() has %d", acc.Len(), len(acc.Callbacks()))
	}
	if err := acc.Call(context.Background(), nil); err != nil || len(rec.take()) != 0 {
		t.Fatal("Call after Clear ran something or failed")
	}
	acc.Add(rec.cb(7, nil))
	if !acc.Offer(rec.cb(8, nil)) {
		t.Fatal("Offer refused after Clear with room")
	}
	if err := acc.Call(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if got := rec.take(); !equal(got, []int{7, 8}) {
		t.Fatalf("ran %v, want [7 8]", got)
	}
}

func TestMisusePanics(t *testing.T) {
	tests := []struct {
		name string
		want string
		fn   func()
	}{
		{"Add(nil)", "Add: nil callback", func() { accumulate.New[error]().Add(nil) }},
		{"Offer(nil)", "Offer: nil callback", func() { accumulate.New[error]().Offer(nil) }},
		{"negative max length", "WithMaxLen(-1)", func() { accumulate.WithMaxLen(-1) }},
		{"unknown order", "WithOrder(Order(7))", func() { accumulate.WithOrder(7) }},
		{"negative exit timeout", "WithExitTimeout(-1s)", func() { accumulate.WithExitTimeout(-time.Second) }},
		{"zero Accumulator", "without New", func() { new(accumulate.Accumulator[error]).Add(func(context.Context, error) error { return nil }) }},
		{"zero Accumulator Call", "without New", func() { _ = new(accumulate.Accumulator[error]).Call(context.Background(), nil) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mustPanic(t, tt.want, tt.fn)
		})
	}
}

func TestNilOffersChangeNothing(t *testing.T) {
	acc := accumulate.New[error](accumulate.WithMaxLen(1))
	mustPanic(t, "Offer", func() { acc.Offer(nil) })
	mustPanic(t, "Add", func() { acc.Add(nil) })
	if acc.Len() != 0 {
		t.Fatalf("Len() = %d after nil Add and Offer, want 0", acc.Len())
	}
}

// TestNew_NilOption: a nil Option is no option, as in the other modules (it
// was a nil dereference).
func TestNew_NilOption(t *testing.T) {
	a := accumulate.New[int](nil, accumulate.WithMaxLen(2), nil)
	for range 3 {
		a.Add(func(context.Context, int) error { return nil })
	}
	if n := a.Len(); n != 2 {
		t.Fatalf("Len = %d, want the bound of 2 (the non-nil option applied)", n)
	}
}
