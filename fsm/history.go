package fsm

import "sync"

// Record is one transition that changed the state, as kept by
// [WithHistory].
type Record[S ~string] struct {
	From, To S
}

// history is a ring of the last transitions. It has its own lock, so that
// History works from inside handlers while the machine is held.
type history[S ~string] struct {
	mu   sync.Mutex
	ring []Record[S]
	next int  // where the next record goes
	full bool // the ring has wrapped
}

func newHistory[S ~string](n int) *history[S] {
	return &history[S]{ring: make([]Record[S], n)}
}

func (h *history[S]) add(from, to S) {
	h.mu.Lock()
	h.ring[h.next] = Record[S]{From: from, To: to}
	h.next++
	if h.next == len(h.ring) {
		h.next, h.full = 0, true
	}
	h.mu.Unlock()
}

// History returns the last transitions that changed the state, oldest first,
// at most the n given to [WithHistory] (nil without it). A transition is
// recorded when the state changes (step 5 of [Machine.Transition]), before
// its enter handlers run, so a transition whose enter handler fails is in
// the history. The slice is a copy.
func (m *Machine[S]) History() []Record[S] {
	h := m.history
	if h == nil {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.full {
		return append([]Record[S](nil), h.ring[:h.next]...)
	}
	out := make([]Record[S], 0, len(h.ring))
	out = append(out, h.ring[h.next:]...)
	return append(out, h.ring[:h.next]...)
}
