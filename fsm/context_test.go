package fsm_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/asyncutils-go/asyncutils/fsm"
)

// Contexts of several dynamic types: the machine recognizes the caller's
// ctx to reuse the context it gives to handlers, and must do so without
// comparing the values with == (which panics for a type that is not
// comparable).
type (
	// valueCtx is a comparable value type (boxed when converted).
	valueCtx struct {
		context.Context
		id int
	}
	// sliceCtx is a value type that is not comparable.
	sliceCtx struct {
		context.Context
		tags []string
	}
	// funcCtx is not comparable either, and is a non-struct type.
	funcCtx func()
)

func (funcCtx) Deadline() (time.Time, bool) { return time.Time{}, false }
func (funcCtx) Done() <-chan struct{}       { return nil }
func (funcCtx) Err() error                  { return nil }
func (funcCtx) Value(any) any               { return nil }

// TestTransition_ContextTypes: whatever the dynamic type of ctx, repeated
// transitions with it work, and a nested Transition with the ctx a handler
// was given returns ErrReentrant every time, also when the marked context
// is the one reused from the previous transition; one with a different
// caller ctx in between is recognized too, and the handlers always see the
// ctx of their own caller, never a reused one of another caller.
func TestTransition_ContextTypes(t *testing.T) {
	bg := context.Background()
	cancelled, cancel := context.WithCancel(bg)
	defer cancel()
	tests := []struct {
		name string
		ctx  func() context.Context // called once per transition
	}{
		{"Background", func() context.Context { return bg }},
		{"pointer type", func() context.Context { return cancelled }},
		{"comparable value, boxed once", func() func() context.Context {
			var c context.Context = valueCtx{bg, 1}
			return func() context.Context { return c }
		}()},
		{"comparable value, boxed every time", func() context.Context { return valueCtx{bg, 1} }},
		{"not comparable, boxed once", func() func() context.Context {
			var c context.Context = sliceCtx{bg, []string{"x"}}
			return func() context.Context { return c }
		}()},
		{"not comparable, boxed every time", func() context.Context { return sliceCtx{bg, []string{"x"}} }},
		{"func type", func() context.Context { return funcCtx(func() {}) }},
		{"detached", func() context.Context { return fsm.Detach(bg) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := fsm.New("a")
			m.Add("a", "b", nil)
			m.Add("b", "a", nil)
			m.Add("a", "c", nil)
			m.Add("b", "c", nil)
			var nested []error
			var values []any // what the handlers see of the caller's ctx
			inner := func(ctx context.Context, _, _ string) error {
				_, err := m.Transition(ctx, "c")
				nested = append(nested, err)
				values = append(values, ctx.Value(ctxKey{}))
				return nil
			}
			m.OnEnter("a", inner)
			m.OnEnter("b", inner)
			to := [2]string{"b", "a"}
			for i := range 6 {
				ctx := tt.ctx()
				if i == 3 {
					ctx = context.WithValue(bg, ctxKey{}, i) // another caller ctx in between
				}
				if ok, err := m.Transition(ctx, to[i&1]); !ok || err != nil {
					t.Fatalf("transition %d = %v, %v", i, ok, err)
				}
			}
			if len(nested) != 6 {
				t.Fatalf("%d nested calls, want 6", len(nested))
			}
			for i, err := range nested {
				if !errors.Is(err, fsm.ErrReentrant) {
					t.Errorf("nested call %d: %v, want ErrReentrant", i, err)
				}
				want := any(nil)
				if i == 3 {
					want = 3
				}
				if values[i] != want {
					t.Errorf("transition %d: the handler's ctx has the value %v, want %v (the caller's ctx)", i, values[i], want)
				}
			}
			if m.State() != "a" {
				t.Errorf("State() = %q, want a", m.State())
			}
		})
	}
}
