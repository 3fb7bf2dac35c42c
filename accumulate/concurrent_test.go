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

// TestCall_NoOverlap_ConcurrentSafe calls one accumulator from many
// goroutines at once; an in-callback counter shows that no two callbacks
// ever run at the same time.
func TestCall_NoOverlap_ConcurrentSafe(t *testing.T) {
	tests := []struct {
		name string
		opts []accumulate.Option
	}{
		{name: "default executor, every time", opts: []accumulate.Option{accumulate.WithCallOnce(false)}},
		{name: "pool executor, every time", opts: []accumulate.Option{accumulate.WithCallOnce(false), accumulate.WithExecutor(goEach{})}},
		{name: "inline executor, every time", opts: []accumulate.Option{accumulate.WithCallOnce(false), accumulate.WithExecutor(inline)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var inside, peak, runs atomic.Int64
			acc := accumulate.New[error](tt.opts...)
			for range 8 {
				acc.Add(func(context.Context, error) error {
					n := inside.Add(1)
					for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
					}
					runs.Add(1)
					inside.Add(-1)
					return nil
				})
			}
			const callers, calls = 8, 50
			var wg sync.WaitGroup
			for range callers {
				wg.Go(func() {
					for range calls {
						if err := acc.Call(context.Background(), nil); err != nil {
							t.Error(err)
						}
					}
				})
			}
			wg.Wait()
			if peak.Load() != 1 {
				t.Fatalf("peak callbacks running at once = %d, want 1", peak.Load())
			}
			if runs.Load() != callers*calls*8 {
				t.Fatalf("ran %d callbacks, want %d", runs.Load(), callers*calls*8)
			}
		})
	}
}

// TestCallOnce_Exactness_ConcurrentSafe adds callbacks from some goroutines
// while others call: over all the calls, every callback runs exactly once.
func TestCallOnce_Exactness_ConcurrentSafe(t *testing.T) {
	const adders, perAdder, callers = 4, 500, 3
	counts := make([]atomic.Int32, adders*perAdder)
	acc := accumulate.New[error]()
	var addWG, callWG sync.WaitGroup
	stop := make(chan struct{})
	for a := range adders {
		addWG.Go(func() {
			for i := range perAdder {
				id := a*perAdder + i
				fn := func(context.Context, error) error { counts[id].Add(1); return nil }
				if i%2 == 0 {
					acc.Add(fn)
				} else if !acc.Offer(fn) {
					t.Error("Offer refused on an unbounded accumulator")
				}
				if i%16 == 0 {
					runtime.Gosched() // let the callers interleave
				}
			}
		})
	}
	for range callers {
		callWG.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if err := acc.Call(context.Background(), nil); err != nil {
					t.Error(err)
				}
			}
		})
	}
	addWG.Wait()
	close(stop)
	callWG.Wait()
	if err := acc.Call(context.Background(), nil); err != nil { // the rest
		t.Fatal(err)
	}
	for id := range counts {
		if n := counts[id].Load(); n != 1 {
			t.Fatalf("callback %d ran %d times, want exactly once", id, n)
		}
	}
	if acc.Len() != 0 {
		t.Fatalf("Len() = %d after draining, want 0", acc.Len())
	}
}

// TestCall_CancelWhileOthersAdd_ConcurrentSafe interrupts calls at random
// points, before they start and from inside a callback, while callbacks are
// added, in both orders: nothing is lost and nothing runs twice.
func TestCall_CancelWhileOthersAdd_ConcurrentSafe(t *testing.T) {
	for _, order := range []accumulate.Order{accumulate.OldestFirst, accumulate.NewestFirst} {
		t.Run(order.String(), func(t *testing.T) {
			const total = 600
			counts := make([]atomic.Int32, total)
			acc := accumulate.New[error](accumulate.WithOrder(order))
			var cancelCall atomic.Pointer[context.CancelFunc] // the running call's
			var wg sync.WaitGroup
			wg.Go(func() {
				for id := range total {
					acc.Add(func(context.Context, error) error {
						counts[id].Add(1)
						if c := cancelCall.Load(); id%7 == 0 && c != nil {
							(*c)() // interrupt the call in the middle
						}
						return nil
					})
					if id%16 == 0 {
						runtime.Gosched()
					}
				}
			})
			wg.Go(func() {
				for i := range 200 {
					ctx, cancel := context.WithCancel(context.Background())
					cancelCall.Store(&cancel)
					if i%3 == 0 {
						cancel()
					}
					err := acc.Call(ctx, nil)
					cancel()
					var ie *accumulate.InterruptedError
					if err != nil && !errors.As(err, &ie) {
						t.Error(err)
					}
				}
				cancelCall.Store(nil)
			})
			wg.Wait()
			if err := acc.Call(context.Background(), nil); err != nil {
				t.Fatal(err)
			}
			for id := range counts {
				if n := counts[id].Load(); n != 1 {
					t.Fatalf("callback %d ran %d times, want exactly once", id, n)
				}
			}
		})
	}
}

// TestReaders_ConcurrentSafe reads (Len, Callbacks) and clears while calls
// run, for the race detector.
func TestReaders_ConcurrentSafe(t *testing.T) {
	acc := accumulate.New[error](accumulate.WithMaxLen(16), accumulate.WithCallOnce(false))
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 300 {
				switch (g + i) % 5 {
				case 0:
					acc.Add(func(context.Context, error) error { return nil })
				case 1:
					acc.Offer(func(context.Context, error) error { return nil })
				case 2:
					if n := len(acc.Callbacks()); n > 16 {
						t.Errorf("Callbacks() has %d, more than the max length", n)
					}
				case 3:
					if n := acc.Len(); n > 16 {
						t.Errorf("Len() = %d, more than the max length", n)
					}
				case 4:
					if i%50 == 4 {
						acc.Clear()
					}
					if err := acc.Call(context.Background(), nil); err != nil {
						t.Error(err)
					}
				}
			}
		})
	}
	wg.Wait()
}

// TestCallOnce_EvictAndClear_ConcurrentSafe races one adder on a bounded
// accumulator (Add drops the oldest) against a clearer and callers, some of
// them cancelled: no callback ever runs twice, callbacks run in the order
// they were added, and the last one added (never dropped nor cleared) runs.
func TestCallOnce_EvictAndClear_ConcurrentSafe(t *testing.T) {
	const total = 2000
	var mu sync.Mutex
	var ran []int
	counts := make([]atomic.Int32, total)
	acc := accumulate.New[error](accumulate.WithMaxLen(8))
	cb := func(id int) accumulate.Func[error] {
		return func(context.Context, error) error {
			counts[id].Add(1)
			mu.Lock()
			ran = append(ran, id)
			mu.Unlock()
			return nil
		}
	}
	stopClearing := make(chan struct{})
	stopCalling := make(chan struct{})
	var clearer, callers sync.WaitGroup
	clearer.Go(func() {
		for {
			select {
			case <-stopClearing:
				return
			default:
			}
			acc.Clear()
			runtime.Gosched()
		}
	})
	for c := range 3 {
		callers.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stopCalling:
					return
				default:
				}
				ctx, cancel := context.WithCancel(context.Background())
				if (c+i)%4 == 0 {
					cancel()
				}
				err := acc.Call(ctx, nil)
				cancel()
				var ie *accumulate.InterruptedError
				if err != nil && !errors.As(err, &ie) {
					t.Error(err)
				}
			}
		})
	}
	for id := range total - 1 {
		acc.Add(cb(id))
		if id%8 == 0 {
			runtime.Gosched()
		}
	}
	close(stopClearing)
	clearer.Wait()
	acc.Add(cb(total - 1))
	close(stopCalling)
	callers.Wait()
	if err := acc.Call(context.Background(), nil); err != nil {
		t.Fatal(err)
	}

	for id := range counts {
		if n := counts[id].Load(); n > 1 {
			t.Fatalf("callback %d ran %d times", id, n)
		}
	}
	if counts[total-1].Load() != 1 {
		t.Fatal("the last callback added did not run")
	}
	for i := 1; i < len(ran); i++ {
		if ran[i] <= ran[i-1] {
			t.Fatalf("callback %d ran after %d: out of the order of Add", ran[i], ran[i-1])
		}
	}
	if acc.Len() != 0 {
		t.Fatalf("Len() = %d after draining, want 0", acc.Len())
	}
}

// TestCall_UnrulyExecutor_ConcurrentSafe races callers, each adding
// callbacks and calling, some cancelled mid-call, on an executor that runs
// each hand-off inline, on a goroutine, twice, or late (possibly during a
// later call): every callback still runs exactly once over the calls, in
// the order it was added.
func TestCall_UnrulyExecutor_ConcurrentSafe(t *testing.T) {
	const callers, rounds, perRound = 3, 150, 2
	late := make(chan func(), 64)
	var lateWG sync.WaitGroup
	lateWG.Go(func() {
		for fn := range late {
			runtime.Gosched()
			fn()
		}
	})
	var handOffs atomic.Int32
	unruly := accumulate.ExecutorFunc(func(fn func()) {
		switch handOffs.Add(1) % 4 {
		case 0:
			fn()
		case 1:
			go fn()
		case 2:
			go fn()
			go fn()
		case 3:
			late <- fn
		}
	})
	var mu sync.Mutex
	var ran []int
	counts := make([]atomic.Int32, callers*rounds*perRound)
	acc := accumulate.New[error](accumulate.WithExecutor(unruly))
	var addMu sync.Mutex // ids in the order of Add
	next := 0
	add := func() {
		addMu.Lock()
		defer addMu.Unlock()
		for range perRound {
			id := next
			next++
			acc.Add(func(context.Context, error) error {
				counts[id].Add(1)
				mu.Lock()
				ran = append(ran, id)
				mu.Unlock()
				return nil
			})
		}
	}
	var callWG sync.WaitGroup
	for c := range callers {
		callWG.Go(func() {
			var cancels sync.WaitGroup
			defer cancels.Wait()
			for i := range rounds {
				add()
				ctx, cancel := context.WithCancel(context.Background())
				if (c+i)%3 == 0 {
					cancels.Go(func() { runtime.Gosched(); cancel() })
				}
				err := acc.Call(ctx, nil)
				cancel()
				var ie *accumulate.InterruptedError
				if err != nil && !errors.As(err, &ie) {
					t.Error(err)
				}
			}
		})
	}
	callWG.Wait()
	if err := acc.Call(context.Background(), nil); err != nil { // the rest
		t.Fatal(err)
	}
	close(late)
	lateWG.Wait()

	for id := range counts {
		if c := counts[id].Load(); c != 1 {
			t.Fatalf("callback %d ran %d times, want exactly once", id, c)
		}
	}
	for i := 1; i < len(ran); i++ {
		if ran[i] <= ran[i-1] {
			t.Fatalf("callback %d ran after %d: out of the order of Add", ran[i], ran[i-1])
		}
	}
}

// TestCall_GiveUpCountIsExact_ConcurrentSafe: calls that give up waiting for
// their turn while another call runs count only the callbacks they would
// have run and that stay queued: not the running call's snapshot, which it
// runs itself.
func TestCall_GiveUpCountIsExact_ConcurrentSafe(t *testing.T) {
	tests := []struct {
		name     string
		callOnce bool
		before   int // give-up count before callbacks are added during the call
		after    int // and after 3 are
	}{
		{name: "call-once", callOnce: true, before: 0, after: 3},
		{name: "every time", callOnce: false, before: 2, after: 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			acc := accumulate.New[error](accumulate.WithCallOnce(tt.callOnce))
			rec := &recorder{}
			started, release := make(chan struct{}), make(chan struct{})
			acc.Add(func(ctx context.Context, err error) error { close(started); <-release; return rec.cb(0, nil)(ctx, err) })
			acc.Add(rec.cb(1, nil))
			first := make(chan error)
			go func() { first <- acc.Call(context.Background(), nil) }()
			<-started

			ended, cancel := context.WithCancel(context.Background())
			cancel()
			giveUp := func(want int) {
				t.Helper()
				var wg sync.WaitGroup
				for range 8 {
					wg.Go(func() {
						err := acc.Call(ended, nil)
						var ie *accumulate.InterruptedError
						switch {
						case want == 0 && err != nil:
							t.Errorf("gave up with %v, want nil: nothing queued is this call's", err)
						case want > 0 && (!errors.As(err, &ie) || ie.Skipped != want || ie.Total != want):
							t.Errorf("gave up with %v, want %d of %d not started", err, want, want)
						}
					})
				}
				wg.Wait()
			}
			giveUp(tt.before)
			for i := range 3 {
				acc.Add(rec.cb(100+i, nil))
			}
			giveUp(tt.after)

			close(release)
			if err := <-first; err != nil {
				t.Fatal(err)
			}
			if got := rec.take(); !equal(got, []int{0, 1}) {
				t.Fatalf("the running call ran %v, want [0 1]", got)
			}
			if acc.Len() != tt.after {
				t.Fatalf("Len() = %d, want the %d callbacks the give-ups counted", acc.Len(), tt.after)
			}
		})
	}
}
