package fsm

import "context"

// The machine is held by the transition (or the Can) whose marked context
// is in m.running; nil means free. Taking it is one compare-and-swap when it
// is free; a caller that finds it held waits on m.wake, a one-token channel
// the releaser signals when someone waits, so that waiting can also end
// with ctx. Unlike a sync.Mutex, this honours ctx; unlike a channel used as
// a semaphore, an uncontended transition costs one CAS and one store.
//
// No wake-up is lost: a waiter counts itself in m.waiters before it tries
// the CAS, and the releaser clears m.running before it reads m.waiters, so
// either the waiter's CAS sees the machine free or the releaser sees the
// waiter and leaves a token. A woken waiter that loses the CAS to a newcomer
// waits again; the newcomer's release leaves another token. The channel is
// made by the first waiter, before it counts itself in, so a releaser that
// sees a waiter also sees the channel.

// acquire waits for the machine (step 1 of a transition) and marks it held
// by ctx, returning the marked context given to conditions and handlers. A
// ctx already done fails even when the machine is free, so that a cancelled
// caller never changes anything.
func (m *Machine[S]) acquire(ctx context.Context) (*heldCtx, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	h := m.last.Load()
	if h == nil || !sameContext(h.Context, ctx) {
		h = m.newHeld(ctx)
	}
	if !m.running.CompareAndSwap(nil, h) {
		if err := m.wait(ctx, h); err != nil {
			return nil, err
		}
	}
	// Only the holder writes m.last; reusing it is what keeps a transition
	// with the same ctx as the last one free of allocations.
	if m.last.Load() != h {
		m.last.Store(h)
	}
	return h, nil
}

// newHeld returns a new marked context for ctx. The first one a machine
// makes is the machine's own field, so that a machine made per request
// (Definition.New, then a transition) costs one allocation in all. The
// field is claimed once, by a CAS, and written only by its claimer before
// it publishes the pointer (m.running, m.last), so it is as immutable as
// the allocated ones; the price is that the machine keeps that first ctx
// for as long as it lives.
func (m *Machine[S]) newHeld(ctx context.Context) *heldCtx {
	if m.firstClaimed.CompareAndSwap(false, true) {
		m.first = heldCtx{Context: ctx, key: &m.key}
		return &m.first
	}
	return &heldCtx{Context: ctx, key: &m.key}
}

// wait is acquire's slow path: the machine is held by someone else.
func (m *Machine[S]) wait(ctx context.Context, h *heldCtx) error {
	wake := m.wakeChan() // before counting in: release reads m.wake once it sees a waiter
	m.waiters.Add(1)
	defer m.waiters.Add(-1)
	for {
		if m.running.CompareAndSwap(nil, h) {
			return nil
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// release frees the machine and wakes a waiter, if any. Transition and Can
// defer it, so it also runs when a condition or a handler calls
// runtime.Goexit.
func (m *Machine[S]) release() {
	m.running.Store(nil)
	if m.waiters.Load() > 0 {
		select {
		case *m.wake.Load() <- struct{}{}:
		default: // a token is already there for the next waiter
		}
	}
}

// wakeChan returns m's wake channel, making it on first use: a machine
// that is never contended (most machines of a definition, made per request)
// never pays for it.
func (m *Machine[S]) wakeChan() chan struct{} {
	if p := m.wake.Load(); p != nil {
		return *p
	}
	c := make(chan struct{}, 1)
	if m.wake.CompareAndSwap(nil, &c) {
		return c
	}
	return *m.wake.Load()
}

// holding returns the marked context when ctx is (or derives from) the
// marked context of the transition that holds m right now: a call with it
// is taken to come from inside that transition, whose goroutine is waiting
// for the call. It returns nil otherwise. A marked context kept past the
// transition that made it matches again while a later transition with the
// same caller ctx holds m, since acquire reuses it: that is the price of
// allocation-free transitions, and why Detach exists.
func (m *Machine[S]) holding(ctx context.Context) *heldCtx {
	h, _ := ctx.Value(&m.key).(*heldCtx)
	if h == nil || m.running.Load() != h {
		return nil
	}
	return h
}
