package accumulate_test

import (
	"context"
	"errors"
	"runtime"
	"strings"
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

// TestExecutor_Panics: a panic in Execute ends the call with a *PanicError
// and leaves the callbacks not started queued; a hand-off the executor
// started before panicking is waited for, so callbacks never overlap.
func TestExecutor_Panics(t *testing.T) {
	tests := []struct {
		name       string
		exec       func(fn func(), started <-chan struct{})
		wantRan    []int
		wantQueued int
		wantMsg    string
	}{
		{
			name:    "before running it",
			exec:    func(func(), <-chan struct{}) { panic("pool closed") },
			wantRan: nil, wantQueued: 3, wantMsg: "3 of 3 callbacks not started",
		},
		{
			name:    "after running it inline",
			exec:    func(fn func(), _ <-chan struct{}) { fn(); panic("pool closed") },
			wantRan: []int{0, 1, 2}, wantQueued: 0, wantMsg: "0 of 3 callbacks not started",
		},
		{
			name: "after starting it on a goroutine",
			exec: func(fn func(), started <-chan struct{}) {
				go fn()
				<-started
				panic("pool closed")
			},
			wantRan: []int{0, 1, 2}, wantQueued: 0, wantMsg: "0 of 3 callbacks not started",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			started := make(chan struct{})
			exec := func(fn func()) { tt.exec(fn, started) }
			acc := accumulate.New[error](accumulate.WithExecutor(accumulate.ExecutorFunc(exec)))
			var running atomic.Bool
			for i := range 3 {
				acc.Add(func(ctx context.Context, err error) error {
					if i == 0 {
						close(started)
					}
					running.Store(true)
					runtime.Gosched() // let a Call that did not wait see it
					running.Store(false)
					return rec.cb(i, nil)(ctx, err)
				})
			}
			err := acc.Call(context.Background(), nil)
			if running.Load() {
				t.Fatal("Call returned while a callback ran")
			}
			var pe *accumulate.PanicError
			if !errors.As(err, &pe) || pe.Value != "pool closed" {
				t.Fatalf("err = %v, want the executor's panic as a *PanicError", err)
			}
			if !strings.HasPrefix(err.Error(), "accumulate: ") || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Fatalf("err = %q, want the prefix and %q", err.Error(), tt.wantMsg)
			}
			if got := rec.take(); !equal(got, tt.wantRan) {
				t.Fatalf("ran %v, want %v", got, tt.wantRan)
			}
			if acc.Len() != tt.wantQueued {
				t.Fatalf("Len() = %d, want %d", acc.Len(), tt.wantQueued)
			}
		})
	}
}

// TestExecutor_GoexitInExecute: an executor that calls runtime.Goexit ends
// the caller's goroutine, as Go defines; the accumulator is left in order,
// and a hand-off it had started is waited for before the turn is released.
func TestExecutor_GoexitInExecute(t *testing.T) {
	tests := []struct {
		name       string
		exec       func(fn func(), started <-chan struct{})
		wantQueued int
	}{
		{name: "before running it", exec: func(func(), <-chan struct{}) { runtime.Goexit() }, wantQueued: 2},
		{name: "after starting it on a goroutine", exec: func(fn func(), started <-chan struct{}) {
			go fn()
			<-started
			runtime.Goexit()
		}, wantQueued: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ran, running atomic.Int32
			started := make(chan struct{})
			exec := func(fn func()) { tt.exec(fn, started) }
			acc := accumulate.New[error](accumulate.WithExecutor(accumulate.ExecutorFunc(exec)))
			for i := range 2 {
				acc.Add(func(context.Context, error) error {
					if i == 0 {
						close(started)
					}
					running.Add(1)
					runtime.Gosched()
					running.Add(-1)
					ran.Add(1)
					return nil
				})
			}
			var wg sync.WaitGroup
			wg.Go(func() { _ = acc.Call(context.Background(), nil) })
			wg.Wait()
			if running.Load() != 0 {
				t.Fatal("the turn was released while a callback ran")
			}
			if acc.Len() != tt.wantQueued || int(ran.Load()) != 2-tt.wantQueued {
				t.Fatalf("Len() = %d, ran %d; want %d queued", acc.Len(), ran.Load(), tt.wantQueued)
			}
		})
	}
}

// TestExecutor_RunsTwice: an executor that runs each function twice, one
// after the other or at once, still runs each callback exactly once.
func TestExecutor_RunsTwice(t *testing.T) {
	tests := []struct {
		name string
		exec func(fn func())
	}{
		{name: "inline, twice", exec: func(fn func()) { fn(); fn() }},
		{name: "two goroutines", exec: func(fn func()) { go fn(); go fn() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			acc := accumulate.New[error](accumulate.WithExecutor(accumulate.ExecutorFunc(tt.exec)))
			for round := range 50 {
				for i := range 4 {
					acc.Add(rec.cb(round*4+i, nil))
				}
				if err := acc.Call(context.Background(), nil); err != nil {
					t.Fatal(err)
				}
				if got := rec.take(); !equal(got, seq(round*4, round*4+4)) {
					t.Fatalf("round %d ran %v, want %v", round, got, seq(round*4, round*4+4))
				}
			}
		})
	}
}

// TestExecutor_RunsLate: a function abandoned by a call whose ctx ended may
// run during a later call; it then runs that call's callbacks in place of
// the later call's own function, which does nothing: every callback still
// runs exactly once, in order.
func TestExecutor_RunsLate(t *testing.T) {
	held := make(chan func(), 2)
	stall := accumulate.ExecutorFunc(func(fn func()) { held <- fn })
	rec := &recorder{}
	acc := accumulate.New[error](accumulate.WithExecutor(stall))
	acc.Add(rec.cb(0, nil))
	acc.Add(rec.cb(1, nil))

	ctx, cancel := context.WithCancel(context.Background())
	first := make(chan error)
	go func() { first <- acc.Call(ctx, nil) }()
	abandoned := <-held
	cancel()
	var ie *accumulate.InterruptedError
	if err := <-first; !errors.As(err, &ie) || ie.Skipped != 2 {
		t.Fatalf("first call: %v, want 2 skipped", err)
	}

	second := make(chan error)
	go func() { second <- acc.Call(context.Background(), nil) }()
	own := <-held
	abandoned() // late: runs the second call's callbacks
	if err := <-second; err != nil {
		t.Fatal(err)
	}
	own() // later still: nothing to run
	if got := rec.take(); !equal(got, []int{0, 1}) || acc.Len() != 0 {
		t.Fatalf("ran %v, Len() = %d; want [0 1] once, nothing queued", got, acc.Len())
	}
}
