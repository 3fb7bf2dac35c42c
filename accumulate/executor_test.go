package accumulate_test

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/asyncutils-go/asyncutils/accumulate"
)

// inline runs the callbacks on the caller's goroutine.
var inline = accumulate.ExecutorFunc(func(fn func()) { fn() })

// goEach starts a goroutine per hand-off, like a pool with unlimited workers.
type goEach struct{}

func (goEach) Execute(fn func()) { go fn() }

// pool is a one-worker executor the test starts and stops.
type pool struct {
	work    chan func()
	handed  atomic.Int32
	stopped sync.WaitGroup
}

func newPool() *pool {
	p := &pool{work: make(chan func())}
	p.stopped.Go(func() {
		for fn := range p.work {
			fn()
		}
	})
	return p
}

func (p *pool) Execute(fn func()) { p.handed.Add(1); p.work <- fn }
func (p *pool) Close()            { close(p.work); p.stopped.Wait() }

func TestExecutor_Custom(t *testing.T) {
	p := newPool()
	defer p.Close()
	rec := &recorder{}
	acc := accumulate.New[error](accumulate.WithExecutor(p))
	for i := range 4 {
		acc.Add(rec.cb(i, nil))
	}
	if err := acc.Call(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if got := rec.take(); !equal(got, seq(0, 4)) {
		t.Fatalf("ran %v, want %v", got, seq(0, 4))
	}
	if n := p.handed.Load(); n != 1 {
		t.Fatalf("the executor got %d hand-offs for one call, want 1", n)
	}
	if err := acc.Call(context.Background(), nil); err != nil || p.handed.Load() != 1 {
		t.Fatalf("an empty call handed off work (err %v, hand-offs %d)", err, p.handed.Load())
	}
}

func TestExecutor_Inline(t *testing.T) {
	rec := &recorder{}
	acc := accumulate.New[error](accumulate.WithExecutor(inline))
	acc.Add(rec.cb(0, nil))
	acc.Add(func(context.Context, error) error { panic("boom") })
	acc.Add(rec.cb(2, nil))
	err := acc.Call(context.Background(), nil)
	var pe *accumulate.PanicError
	if !errors.As(err, &pe) || pe.Value != "boom" {
		t.Fatalf("err = %v, want the panic", err)
	}
	if got := rec.take(); !equal(got, []int{0, 2}) {
		t.Fatalf("ran %v, want [0 2]", got)
	}
}

// TestExecutor_InlineGoexit: a Goexit on the caller's own goroutine ends that
// goroutine, as Go defines; the accumulator is left in order.
func TestExecutor_InlineGoexit(t *testing.T) {
	rec := &recorder{}
	acc := accumulate.New[error](accumulate.WithExecutor(inline))
	acc.Add(rec.cb(0, nil))
	acc.Add(func(context.Context, error) error { runtime.Goexit(); return nil })
	acc.Add(rec.cb(2, nil))
	returned := false
	var wg sync.WaitGroup
	wg.Go(func() {
		_ = acc.Call(context.Background(), nil)
		returned = true
	})
	wg.Wait()
	if returned {
		t.Fatal("Call returned on a goroutine that ran Goexit")
	}
	if got := rec.take(); !equal(got, []int{0}) {
		t.Fatalf("ran %v, want [0]", got)
	}
	// The two started callbacks are gone; the third is still queued and the
	// next call, with the turn released, runs it.
	if acc.Len() != 1 {
		t.Fatalf("Len() = %d, want 1", acc.Len())
	}
	if err := acc.Call(context.Background(), nil); err != nil || !equal(rec.take(), []int{2}) {
		t.Fatalf("the next call: %v", err)
	}
}

// TestExecutor_NeverRuns: an executor that has not started the hand-off
// when ctx ends does not hold Call; nothing is lost, and a late run of the
// abandoned function does nothing.
func TestExecutor_NeverRuns(t *testing.T) {
	var held []func()
	handed := make(chan struct{}, 1)
	stall := accumulate.ExecutorFunc(func(fn func()) { held = append(held, fn); handed <- struct{}{} })
	rec := &recorder{}
	acc := accumulate.New[error](accumulate.WithExecutor(stall))
	acc.Add(rec.cb(0, nil))
	acc.Add(rec.cb(1, nil))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- acc.Call(ctx, nil) }()
	<-handed
	cancel()
	err := <-done
	var ie *accumulate.InterruptedError
	if !errors.As(err, &ie) || ie.Skipped != 2 || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want 2 skipped, context.Canceled", err)
	}
	if len(held) != 1 {
		t.Fatalf("%d hand-offs, want 1", len(held))
	}
	held[0]() // late: must not run anything
	if got := rec.take(); len(got) != 0 || acc.Len() != 2 {
		t.Fatalf("after a late run: ran %v, Len() = %d; want nothing run, 2 queued", got, acc.Len())
	}
}

func TestExecutor_NilIsDefault(t *testing.T) {
	rec := &recorder{}
	acc := accumulate.New[error](accumulate.WithExecutor(nil))
	acc.Add(rec.cb(0, nil))
	if err := acc.Call(context.Background(), nil); err != nil || !equal(rec.take(), []int{0}) {
		t.Fatalf("WithExecutor(nil): %v", err)
	}
}
