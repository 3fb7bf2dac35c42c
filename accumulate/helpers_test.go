package accumulate_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/asyncutils-go/asyncutils/accumulate"
)

// recorder logs which callbacks ran, in order.
type recorder struct {
	mu  sync.Mutex
	ran []int
}

// cb returns a callback that records id and returns err.
func (r *recorder) cb(id int, err error) accumulate.Func[error] {
	return func(context.Context, error) error {
		r.mu.Lock()
		r.ran = append(r.ran, id)
		r.mu.Unlock()
		return err
	}
}

func (r *recorder) take() []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	ran := r.ran
	r.ran = nil
	return ran
}

// ids runs a copy of acc's queued callbacks against a fresh recorder each
// and returns what they record, which identifies them without running acc.
// Callbacks made by recorder.cb only record, so running them is harmless.
func ids(t *testing.T, fns []accumulate.Func[error], rec *recorder) []int {
	t.Helper()
	before := rec.take()
	for _, fn := range fns {
		_ = fn(context.Background(), nil)
	}
	got := rec.take()
	rec.mu.Lock()
	rec.ran = before
	rec.mu.Unlock()
	return got
}

// mustPanic runs fn and fails unless it panics with a message that starts
// with "accumulate: " and contains want.
func mustPanic(t *testing.T, want string, fn func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		msg, ok := r.(string)
		if !ok || !strings.HasPrefix(msg, "accumulate: ") || !strings.Contains(msg, want) {
			t.Fatalf("panic = %#v, want a string starting with %q containing %q", r, "accumulate: ", want)
		}
	}()
	fn()
}

func seq(from, to int) []int {
	var s []int
	for i := from; i < to; i++ {
		s = append(s, i)
	}
	return s
}

func equal(a, b []int) bool { return slices.Equal(a, b) }
