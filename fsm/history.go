package fsm

import (
	"slices"
	"sync"
)

// Record is one transition that changed the state, as kept by
// [WithHistory].
type Record[S ~string] struct {
	From, To S
}

// history is a ring of the last transitions. It has its own lock, so that
// History works from inside handlers while the machine is held.
type history[S ~string] struct {
	mu   sync.Mutex
	ring []Record[S] // its slots: preallocatedRecords, then grown as it fills, up to max
	max  int
	next int  // where the next record goes
	full bool // the ring has wrapped
}

// preallocatedRecords is how many records of a history are allocated with
// it, so that transitions allocate nothing; a longer history grows as it
// fills, so that WithHistory(n) with a large n costs memory only for the
// transitions that happen.
const preallocatedRecords = 1024

func newHistory[S ~string](n int) *history[S] {
	return &history[S]{ring: make([]Record[S], min(n, preallocatedRecords)), max: n}
}

func (h *history[S]) add(from, to S) {
	h.mu.Lock()
	r := Record[S]{From: from, To: to}
	if h.next == len(h.ring) { // not full, and every slot so far is used: grow
		if len(h.ring) == cap(h.ring) {
			h.ring = slices.Grow(h.ring, min(len(h.ring), h.max-len(h.ring)))
		}
		h.ring = append(h.ring, r)
	} else {
		h.ring[h.next] = r
	}
	h.next++
	if h.next == h.max {
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
