package accumulate_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/asyncutils-go/asyncutils/accumulate"
)

// resource records its Close in a shared log.
type resource struct {
	name string
	log  *[]string
	err  error
}

func (r *resource) Close() error { *r.log = append(*r.log, "close "+r.name); return r.err }
func (r *resource) Flush() error { *r.log = append(*r.log, "flush "+r.name); return r.err }
func (r *resource) Shutdown(ctx context.Context) error {
	*r.log = append(*r.log, fmt.Sprintf("shutdown %s (ctx ok: %v)", r.name, ctx.Err() == nil))
	return r.err
}

func TestAddClosers(t *testing.T) {
	var log []string
	errB := errors.New("b failed")
	a, b, c := &resource{"a", &log, nil}, &resource{"b", &log, errB}, &resource{"c", &log, nil}
	acc := accumulate.New[error]()
	acc.AddClosers(a, b, c)
	err := acc.Call(context.Background(), nil)
	if strings.Join(log, ",") != "close a,close b,close c" {
		t.Fatalf("log %v", log)
	}
	var ce *accumulate.CallbackError
	if !errors.As(err, &ce) || ce.Index != 1 || !errors.Is(err, errB) {
		t.Fatalf("err = %v, want callback 1's error", err)
	}
}

func TestMethods(t *testing.T) {
	var log []string
	a, b := &resource{"a", &log, nil}, &resource{"b", &log, nil}
	acc := accumulate.New[string]()
	accumulate.AddMethod(acc, (*resource).Flush, a, b)
	accumulate.AddMethodContext(acc, (*resource).Shutdown, b)
	acc.Offer(accumulate.Closer[string](a))
	if err := acc.Call(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	want := "flush a,flush b,shutdown b (ctx ok: true),close a"
	if strings.Join(log, ",") != want {
		t.Fatalf("log %v, want %s", log, want)
	}
}

func TestClosers_NilPanicsAndAddsNothing(t *testing.T) {
	var log []string
	acc := accumulate.New[error]()
	tests := []struct {
		name string
		want string
		fn   func()
	}{
		{"nil closer", "closer 1 is nil", func() { acc.AddClosers(&resource{"a", &log, nil}, nil) }},
		{"nil typed closer list", "closer 0 is nil", func() { acc.AddClosers([]io.Closer{nil}...) }},
		{"Closer(nil)", "nil io.Closer", func() { accumulate.Closer[error](nil) }},
		{"nil method", "AddMethod: nil method", func() { accumulate.AddMethod[error, *resource](acc, nil, &resource{}) }},
		{"nil context method", "AddMethodContext: nil method", func() {
			accumulate.AddMethodContext[error, *resource](acc, nil, &resource{})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mustPanic(t, tt.want, tt.fn)
			if acc.Len() != 0 {
				t.Fatalf("Len() = %d: a refused batch added some", acc.Len())
			}
		})
	}
}
