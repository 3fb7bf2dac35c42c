package gather_test

import (
	"bytes"
	"context"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asyncutils-go/asyncutils/gather"
)

// probe watches the tasks of one call: how many started, how many ran at
// once at most, and on how many distinct goroutines.
type probe struct {
	started atomic.Int64
	running atomic.Int64
	peak    atomic.Int64

	mu         sync.Mutex
	goroutines map[uint64]bool
}

func newProbe() *probe { return &probe{goroutines: map[uint64]bool{}} }

// enter records a task start; the returned func records its end.
func (p *probe) enter() func() {
	p.started.Add(1)
	n := p.running.Add(1)
	for {
		old := p.peak.Load()
		if n <= old || p.peak.CompareAndSwap(old, n) {
			break
		}
	}
	id := goroutineID()
	p.mu.Lock()
	p.goroutines[id] = true
	p.mu.Unlock()
	return func() { p.running.Add(-1) }
}

func (p *probe) distinctGoroutines() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.goroutines)
}

// goroutineID parses the id of the calling goroutine from its stack header
// ("goroutine 42 [running]:").
func goroutineID() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	b = b[:bytes.IndexByte(b, ' ')]
	id, err := strconv.ParseUint(string(b), 10, 64)
	if err != nil {
		panic("cannot parse goroutine id: " + err.Error())
	}
	return id
}

// sleepTasks returns n tasks that record themselves in p, sleep d (inside
// a synctest bubble, where sleeping is instant and deterministic) and
// return their index.
func sleepTasks(p *probe, n int, d time.Duration) []gather.Task[int] {
	tasks := make([]gather.Task[int], n)
	for i := range tasks {
		tasks[i] = func(ctx context.Context) (int, error) {
			defer p.enter()()
			time.Sleep(d)
			return i, nil
		}
	}
	return tasks
}

// runtimeGoexit is a seam so tests read as what they do.
func runtimeGoexit() { runtime.Goexit() }

// tracked wraps tasks so that ok[i] records that tasks[i] returned a nil
// error: the tasks whose value a failed All must keep.
func tracked[T any](tasks []gather.Task[T]) ([]gather.Task[T], []atomic.Bool) {
	ok := make([]atomic.Bool, len(tasks))
	out := make([]gather.Task[T], len(tasks))
	for i, task := range tasks {
		out[i] = func(ctx context.Context) (T, error) {
			v, err := task(ctx)
			ok[i].Store(err == nil)
			return v, err
		}
	}
	return out, ok
}

// partialMismatch returns the first index at which out does not hold want(i)
// for a task that succeeded (ok[i]) or the zero value for one that did not,
// or -1.
func partialMismatch[T comparable](out []T, ok []atomic.Bool, want func(i int) T) int {
	var zero T
	for i, v := range out {
		if ok[i].Load() && v != want(i) || !ok[i].Load() && v != zero {
			return i
		}
	}
	return -1
}
