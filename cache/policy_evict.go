package cache

// Eviction and admission: what the policy does when the window or the
// protected queue is over its share, or the cache over its bound (see the
// overview in policy.go).

// transferLimit bounds how many entries one call moves between queues when
// the climber has just changed the shares (a move of up to 6.25% of the
// bound): the rest moves at the following calls, so that no drain holds the
// policy's lock for long. A queue over its share meanwhile costs hit ratio
// for a moment, not the bound, which only evictEntries keeps.
const transferLimit = 1000

// maxRescues bounds how many entries one evictEntries call saves from
// eviction because they were read (see evictEntries), so that readers that
// keep reading cannot keep a drain holding the policy's lock.
const maxRescues = 64

// demoteProtected moves protected's least recently used entries to
// probation while protected is over its share (at most transferLimit).
func (p *policy[E]) demoteProtected() {
	protected := &p.queues[queueProtected]
	for moved := 0; protected.weight > p.protectedMax && protected.len > 0 && moved < transferLimit; moved++ {
		e := protected.front()
		p.unlink(e)
		p.link(e, queueProbation)
	}
}

// evictEntries moves the window's overflow to probation, as candidates, and
// then evicts one entry at a time until the total weight is within the bound:
// the loser of each candidate-victim duel, or, when no candidate is left,
// the least recently used entry of probation, protected or the window.
//
// An entry about to be evicted that was read since the policy last counted
// a read of it (takeHit) gets the access instead, at most maxRescues times
// a call: the read buffers are lossy, and this keeps a lost hit from
// costing the entry its place. Each rescue is paid for by a hit.
func (p *policy[E]) evictEntries(evict func(E)) {
	var zero E
	rescues := 0
	candidate := p.shrinkWindow()
	for p.total > p.maxWeight {
		victim := p.queues[queueProbation].front()
		var loser E
		switch {
		case candidate == zero:
			loser = p.lruOfAll()
		case victim == candidate, candidate.weight() > p.maxWeight-p.windowMax:
			// Only candidates are left in probation, or the candidate
			// could only stay by evicting most of the main space.
			loser = candidate
		case victim.weight() > p.maxWeight-p.windowMax:
			loser = victim
		case p.admit(candidate.node().hash, victim.node().hash):
			loser = victim
		default:
			loser = candidate
		}
		if loser == candidate {
			candidate = entryOf(candidate.node().next)
		}
		if rescues < maxRescues && loser.takeHit() {
			// Read since the policy last counted a read of it (the hit
			// was lost from a full read buffer): count it now, which
			// moves it away from the victim's place, and choose again.
			rescues++
			p.accessNode(loser.node())
			continue
		}
		p.total -= loser.weight()
		p.unlink(loser)
		evict(loser)
	}
}

// shrinkWindow moves the window's least recently used entries to the back
// of probation while the window is over its share (at most transferLimit),
// and returns the first one
// moved (the oldest candidate), or the zero E.
func (p *policy[E]) shrinkWindow() E {
	var first, zero E
	window := &p.queues[queueWindow]
	for moved := 0; window.weight > p.windowMax && window.len > 0 && moved < transferLimit; moved++ {
		e := window.front()
		p.unlink(e)
		p.link(e, queueProbation)
		if first == zero {
			first = e
		}
	}
	return first
}

// lruOfAll returns the entry to evict when no candidate is left: main's
// least recently used, or the window's if the main space is empty.
func (p *policy[E]) lruOfAll() E {
	for _, q := range [...]uint8{queueProbation, queueProtected, queueWindow} {
		if p.queues[q].len > 0 {
			return p.queues[q].front()
		}
	}
	panic("cache: policy over its bound with no entry")
}

// Admission jitter (Caffeine's defence against hash flooding): an attacker
// who knows or raises the victim's frequency would otherwise have every new
// entry rejected. A losing candidate whose own frequency is at least
// warmFrequency is admitted with probability 1/jitterOdds, which costs a cold
// candidate nothing and a warm one little.
const (
	warmFrequency = 6
	jitterOdds    = 128
)

// admit reports whether the candidate should replace the victim in the main
// space: it is more frequent, or warm and lucky.
func (p *policy[E]) admit(candidate, victim uint32) bool {
	cf, vf := p.sketch.frequency(candidate), p.sketch.frequency(victim)
	if cf > vf {
		return true
	}
	if cf < warmFrequency {
		return false
	}
	return p.rng.Uint64()%jitterOdds == 0
}
