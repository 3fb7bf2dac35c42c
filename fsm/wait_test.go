package fsm_test

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/asyncutils-go/asyncutils/fsm"
)

// TestTransition_CancelledWaitersWakeNoOneLess: waiters that give up (their
// ctx ends) while the machine is held must not swallow the wake-up of the
// waiters that stay. In a synctest bubble a lost wake-up is a deadlock the
// bubble reports.
func TestTransition_CancelledWaitersWakeNoOneLess(t *testing.T) {
	tests := []struct {
		name        string
		cancelFirst bool // cancel the quitters before the holder releases, or just after
	}{
		{"cancelled before the release", true},
		{"cancelled at the release", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				const quitters, stayers = 5, 3
				m := fsm.New("a")
				m.Add("a", "a", nil)
				var ran atomic.Int32
				hold, held := make(chan struct{}), make(chan struct{})
				first := true
				m.OnEnter("a", func(context.Context, string, string) error {
					ran.Add(1)
					if first {
						first = false
						close(held)
						<-hold
					}
					return nil
				})
				go func() { _, _ = m.Transition(context.Background(), "a") }()
				<-held

				ctx, cancel := context.WithCancel(context.Background())
				var wg sync.WaitGroup
				var quit, stayed atomic.Int32
				for range quitters {
					wg.Go(func() {
						ok, err := m.Transition(ctx, "a")
						if errors.Is(err, context.Canceled) && !ok {
							quit.Add(1)
						} else if ok && err == nil && !tt.cancelFirst {
							stayed.Add(1) // got the machine before it saw the cancellation
						} else {
							t.Errorf("quitter: %v, %v", ok, err)
						}
					})
				}
				for range stayers {
					wg.Go(func() {
						if ok, err := m.Transition(context.Background(), "a"); !ok || err != nil {
							t.Errorf("stayer: %v, %v", ok, err)
						}
						stayed.Add(1)
					})
				}
				synctest.Wait() // everyone waits for the machine
				if tt.cancelFirst {
					cancel()
					synctest.Wait()
					if n := quit.Load(); n != quitters {
						t.Errorf("%d quitters returned, want %d", n, quitters)
					}
					close(hold)
				} else {
					close(hold)
					cancel()
				}
				wg.Wait()
				if got, want := ran.Load(), 1+stayed.Load(); got != want {
					t.Errorf("%d transitions ran, want %d (the first and every caller that got true)", got, want)
				}
				if quit.Load()+stayed.Load() != quitters+stayers {
					t.Errorf("%d quit, %d stayed; want %d calls in all", quit.Load(), stayed.Load(), quitters+stayers)
				}
			})
		})
	}
}

// TestTransition_CancelWhileWaiting_ConcurrentSafe: many callers, some with a
// ctx that another goroutine cancels at any moment. Each call either
// transitions (true, nil) or gives up with (false, context.Canceled) having
// changed nothing; the observer sees exactly the successful ones, as a
// chain; and the machine is free at the end.
func TestTransition_CancelWhileWaiting_ConcurrentSafe(t *testing.T) {
	const goroutines, attempts = 8, 300
	next := map[string]string{"a": "b", "b": "a"}
	m := fsm.New("a")
	m.Add("a", "b", nil)
	m.Add("b", "a", nil)
	m.Add("a", "a", nil)
	m.Add("b", "b", nil)
	var seen []fsm.Record[string] // written only by observers: serialized
	m.OnTransition(func(from, to string) { seen = append(seen, fsm.Record[string]{From: from, To: to}) })
	var permitted atomic.Int64
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range attempts {
				ctx, cancel := context.WithCancel(context.Background())
				if g%2 == 1 {
					go func() { runtime.Gosched(); cancel() }()
				}
				to := next[m.State()]
				if i%3 == 0 {
					to = m.State()
				}
				ok, err := m.Transition(ctx, to)
				cancel()
				switch {
				case ok && err == nil:
					permitted.Add(1)
				case !ok && (err == nil || errors.Is(err, context.Canceled)):
				default:
					t.Errorf("Transition = %v, %v", ok, err)
				}
			}
		})
	}
	wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if ok, err := m.Transition(ctx, next[m.State()]); !ok || err != nil {
		t.Fatalf("Transition on a machine that should be free = %v, %v", ok, err)
	}
	permitted.Add(1)
	if int64(len(seen)) != permitted.Load() {
		t.Fatalf("%d transitions observed, %d returned true", len(seen), permitted.Load())
	}
	state := "a"
	for i, r := range seen {
		if r.From != state {
			t.Fatalf("observed transition %d is %v, but the state was %q", i, r, state)
		}
		state = r.To
	}
	if state != m.State() {
		t.Errorf("observed transitions end in %q, State() = %q", state, m.State())
	}
}

// TestCan_GoexitReleases: runtime.Goexit in a condition evaluated by Can
// ends the caller's goroutine and releases the machine.
func TestCan_GoexitReleases(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := fsm.New("a")
		exited := false
		m.Add("a", "b", func(context.Context, string, string) (bool, error) {
			if !exited {
				exited = true
				runtime.Goexit()
			}
			return true, nil
		})
		done := make(chan struct{})
		go func() {
			defer close(done)
			_, _ = m.Can(context.Background(), "b")
			t.Error("Can returned although its goroutine called Goexit")
		}()
		<-done
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if ok, err := m.Transition(ctx, "b"); !ok || err != nil {
			t.Fatalf("next Transition = %v, %v; want true, nil", ok, err)
		}
	})
}
