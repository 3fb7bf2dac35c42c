package accumulate_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/asyncutils-go/asyncutils/accumulate"
)

// FuzzRing drives an accumulator with random Add, Offer, Clear, Call and
// interrupted Call operations and checks it against a plain slice model of a
// deque with a maxlen.
//
// data[0] is the max length (0..7, 0: unbounded), data[1] odd means
// call-once and data[1]&2 newest first; then each byte is one operation, op%5: Add, Offer, Clear, Call,
// Call whose ctx ends after (op/5)%8 callbacks.
func FuzzRing(f *testing.F) {
	f.Add([]byte{0, 1, 0, 0, 0, 3})
	f.Add([]byte{3, 1, 0, 0, 0, 0, 1, 3, 1, 1, 1, 1, 3})
	f.Add([]byte{2, 0, 0, 1, 0, 1, 3, 2, 0, 3})
	f.Add([]byte{4, 1, 0, 0, 0, 0, 0, 9, 3, 14, 4})
	f.Add([]byte{5, 0, 0, 0, 0, 0, 0, 0, 14, 9, 3, 2, 1, 3})
	f.Add([]byte{1, 1, 1, 1, 0, 0, 4, 3, 2, 3})
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 19, 3, 2, 3})
	// Newest first: interrupted calls leave the oldest queued; a full ring
	// wraps while the middle of it is removed.
	f.Add([]byte{0, 3, 0, 0, 0, 0, 9, 0, 0, 14, 3})
	f.Add([]byte{4, 3, 0, 0, 0, 0, 0, 0, 9, 1, 0, 9, 3})
	f.Add([]byte{3, 2, 0, 0, 0, 9, 0, 0, 3})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 2 {
			return
		}
		maxLen, callOnce, order := int(data[0]%8), data[1]%2 == 1, accumulate.OldestFirst
		if data[1]&2 != 0 {
			order = accumulate.NewestFirst
		}
		acc := accumulate.New[error](accumulate.WithMaxLen(maxLen), accumulate.WithCallOnce(callOnce),
			accumulate.WithOrder(order))
		// runOrder is the order a call runs the queued callbacks in.
		runOrder := func(model []int) []int {
			run := slices.Clone(model)
			if order == accumulate.NewestFirst {
				slices.Reverse(run)
			}
			return run
		}
		var (
			model  []int // queued ids, oldest first
			ran    []int // ids run by the current call
			stopAt = -1  // cancel the call's ctx after this many callbacks
			cancel context.CancelFunc
		)
		cb := func(id int) accumulate.Func[error] {
			return func(context.Context, error) error {
				ran = append(ran, id)
				if len(ran) == stopAt {
					cancel()
				}
				return nil
			}
		}
		for step, op := range data[2:] {
			id := step
			switch op % 5 {
			case 0: // Add
				acc.Add(cb(id))
				model = append(model, id)
				if maxLen > 0 && len(model) > maxLen {
					model = model[1:]
				}
			case 1: // Offer
				want := maxLen == 0 || len(model) < maxLen
				if got := acc.Offer(cb(id)); got != want {
					t.Fatalf("step %d: Offer = %v, want %v (model %v)", step, got, want, model)
				}
				if want {
					model = append(model, id)
				}
			case 2: // Clear
				acc.Clear()
				model = nil
			case 3, 4: // Call, possibly interrupted after k callbacks
				ctx, c := context.WithCancel(context.Background())
				cancel, stopAt, ran = c, -1, nil
				k := len(model)
				if op%5 == 4 {
					k = min(int(op/5)%8, len(model))
					stopAt = k
					if k == 0 {
						cancel()
					}
				}
				err := acc.Call(ctx, nil)
				c()
				if want := runOrder(model)[:k]; !slices.Equal(ran, want) {
					t.Fatalf("step %d: ran %v, want %v", step, ran, want)
				}
				var ie *accumulate.InterruptedError
				interrupted := errors.As(err, &ie)
				if wantInt := k < len(model); interrupted != wantInt || (wantInt && ie.Skipped != len(model)-k) {
					t.Fatalf("step %d: err = %v, want %d skipped", step, err, len(model)-k)
				}
				if !interrupted && err != nil {
					t.Fatalf("step %d: err = %v", step, err)
				}
				if callOnce && order == accumulate.NewestFirst {
					model = slices.Clone(model[:len(model)-k])
				} else if callOnce {
					model = slices.Clone(model[k:])
				}
			}
			if acc.Len() != len(model) {
				t.Fatalf("step %d: Len() = %d, want %d (model %v)", step, acc.Len(), len(model), model)
			}
		}
		// The queue, checked by running it in full.
		ran, stopAt = nil, -1
		if err := acc.Call(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		if want := runOrder(model); !slices.Equal(ran, want) {
			t.Fatalf("finally ran %v, want %v", ran, want)
		}
	})
}
