package accumulatebench_test

import (
	"context"
	"errors"
	"sync"
)

// sliceAcc is the plain alternative: a []func guarded by a mutex, run in
// order on the caller's goroutine, errors joined.
type sliceAcc struct {
	mu  sync.Mutex
	fns []func(context.Context, error) error
	max int // 0: unbounded
}

// add appends fn; a full slice is emptied first, which is cheaper than the
// drop-oldest of a ring, so the Add comparison favours the slice.
func (s *sliceAcc) add(fn func(context.Context, error) error) {
	s.mu.Lock()
	if s.max > 0 && len(s.fns) == s.max {
		clear(s.fns)
		s.fns = s.fns[:0]
	}
	s.fns = append(s.fns, fn)
	s.mu.Unlock()
}

func (s *sliceAcc) offer(fn func(context.Context, error) error) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.max > 0 && len(s.fns) == s.max {
		return false
	}
	s.fns = append(s.fns, fn)
	return true
}

func (s *sliceAcc) clear() {
	s.mu.Lock()
	clear(s.fns)
	s.fns = s.fns[:0]
	s.mu.Unlock()
}

// call runs the callbacks in order; keep leaves them queued (every-time
// mode), otherwise they are taken (call-once mode).
func (s *sliceAcc) call(ctx context.Context, arg error, keep bool) error {
	s.mu.Lock()
	fns := s.fns
	if !keep {
		s.fns = nil
	}
	s.mu.Unlock()
	var errs []error
	for _, fn := range fns {
		if err := fn(ctx, arg); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
