package cache

import (
	"math/rand/v2"
	"testing"
	"unsafe"
)

// pEntry is the tests' entry: the policy's node (first, so that fromNode
// can convert) and a key.
type pEntry struct {
	n   policyNode[*pEntry]
	key uint64
	w   int64
	hit bool // a hit the policy was not told of (a lost read)
}

func (e *pEntry) weight() int64 { return e.w }

func (e *pEntry) setWeight(w int64) { e.w = w }

func (e *pEntry) node() *policyNode[*pEntry] { return &e.n }

func (*pEntry) fromNode(n *policyNode[*pEntry]) *pEntry { return (*pEntry)(unsafe.Pointer(n)) }

func (e *pEntry) takeHit() bool {
	hit := e.hit
	e.hit = false
	return hit
}

func newPEntry(key uint64, weight int64) *pEntry {
	e := &pEntry{key: key}
	e.n.hash = keyHash(mix64(key ^ 0x5bd1_e995))
	e.w = weight
	return e
}

// FuzzPolicy runs random operations on a small weighted policy and checks it
// against a model after each (see runPolicyOps).
func FuzzPolicy(f *testing.F) {
	f.Add([]byte{5, 0, 1, 0, 2, 0, 3, 1, 0, 1, 1, 4, 0})
	f.Add([]byte{1, 0, 1, 0, 1, 0, 1, 1, 0, 5, 9, 0, 1})
	f.Add([]byte{20, 0, 255, 0, 3, 3, 0, 9, 4, 1, 2, 7, 1, 0})
	f.Add([]byte{12, 0, 1, 0, 1, 0, 1, 0, 1, 5, 0, 5, 1, 0, 2, 3, 1, 200})
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) == 0 {
			return
		}
		// Zero weights never leave, and each step checks every entry:
		// long inputs would take quadratic time to say nothing new.
		ops = ops[:min(len(ops), 4096)]
		runPolicyOps(t, int64(ops[0]%40)+1, ops[1:])
	})
}

// TestPolicy_Model runs long random operation sequences through policies of
// several bounds, with weights 1 (a size bound) and uneven weights.
func TestPolicy_Model(t *testing.T) {
	for _, maxWeight := range []int64{1, 2, 7, 50, 300} {
		rng := rand.New(rand.NewPCG(uint64(maxWeight), 7))
		ops := make([]byte, 20_000)
		for i := range ops {
			ops[i] = byte(rng.Uint32())
		}
		t.Run("", func(t *testing.T) { runPolicyOps(t, maxWeight, ops) })
	}
}

// runPolicyOps decodes ops as pairs (operation, argument) and applies them
// to a policy bounded by maxWeight, tracking in a model which entries are
// linked. After each operation: every linked entry is in exactly one queue,
// its node says which, the links run both ways, the queues' weights and
// lengths add up, the total is within the bound, the shares are sane, and an
// evicted entry was linked (or just added) and is unlinked.
func runPolicyOps(t *testing.T, maxWeight int64, ops []byte) {
	t.Helper()
	p := newPolicy[*pEntry](maxWeight)
	p.rng.Seed(1, 2)
	linked := map[*pEntry]bool{}
	var all []*pEntry
	var adding *pEntry
	evict := func(e *pEntry) {
		if !linked[e] && e != adding {
			t.Fatalf("evicted %d, which is not in the policy", e.key)
		}
		if e.n.queue != queueNone {
			t.Fatalf("evicted %d still in queue %d", e.key, e.n.queue)
		}
		delete(linked, e)
	}
	pick := func(arg byte) *pEntry {
		if len(all) == 0 {
			return nil
		}
		return all[int(arg)%len(all)]
	}
	for i := 0; i+1 < len(ops); i += 2 {
		op, arg := ops[i]%6, ops[i+1]
		switch op {
		case 0: // a new entry; 255 makes one heavier than the bound
			w := int64(arg % 4)
			if maxWeight > 8 && arg%4 == 3 {
				w = int64(arg) % (maxWeight / 2)
			}
			if arg == 255 {
				w = maxWeight + 1
			}
			e := newPEntry(uint64(len(all)), w)
			all = append(all, e)
			adding = e
			linked[e] = true
			p.miss(e.n.hash)
			p.add(e, evict)
			adding = nil
			if w > maxWeight && linked[e] {
				t.Fatalf("entry of weight %d > %d kept", w, maxWeight)
			}
		case 1: // a hit, perhaps late, for an entry perhaps gone
			if e := pick(arg); e != nil {
				p.access(e)
			}
		case 2:
			p.miss(keyHash(mix64(uint64(arg))))
		case 3: // a new weight, perhaps heavier than the bound
			if e := pick(arg); e != nil {
				w := int64(arg % 5)
				if arg == 254 {
					w = maxWeight + 1
				}
				p.update(e, w, evict)
				if e.w != w {
					t.Fatalf("update left weight %d, want %d", e.w, w)
				}
			}
		case 4:
			if e := pick(arg); e != nil {
				p.remove(e)
				delete(linked, e)
			}
		case 5: // a burst of hits and misses, so that the climber moves
			for j := range 40 {
				if e := pick(arg + byte(j)); e != nil && j%3 != 0 {
					p.access(e)
				} else {
					p.miss(uint32(j))
				}
			}
		}
		checkPolicy(t, p, linked, i/2)
	}
}

func checkPolicy(t *testing.T, p *policy[*pEntry], linked map[*pEntry]bool, step int) {
	t.Helper()
	seen := map[*pEntry]bool{}
	var total int64
	for q := queueWindow; q <= queueProtected; q++ {
		var weight int64
		count := 0
		var prev *policyNode[*pEntry]
		for n := p.queues[q].head; n != nil; n = n.next {
			e := entryOf(n)
			if e.node() != n {
				t.Fatalf("step %d: a node leads back to another entry", step)
			}
			if seen[e] {
				t.Fatalf("step %d: entry %d twice in the queues", step, e.key)
			}
			seen[e] = true
			if e.n.queue != q {
				t.Fatalf("step %d: entry %d in queue %d says %d", step, e.key, q, e.n.queue)
			}
			if e.n.prev != prev {
				t.Fatalf("step %d: entry %d: prev link broken", step, e.key)
			}
			prev = n
			weight += e.w
			count++
		}
		if p.queues[q].tail != prev {
			t.Fatalf("step %d: queue %d: tail is not the last entry", step, q)
		}
		if weight != p.queues[q].weight || count != p.queues[q].len {
			t.Fatalf("step %d: queue %d holds %d entries of weight %d, records %d of %d",
				step, q, count, weight, p.queues[q].len, p.queues[q].weight)
		}
		total += weight
	}
	if len(seen) != len(linked) || p.len() != len(linked) {
		t.Fatalf("step %d: %d entries in the queues, len() %d, model %d", step, len(seen), p.len(), len(linked))
	}
	for e := range linked {
		if !seen[e] {
			t.Fatalf("step %d: entry %d is missing from the queues", step, e.key)
		}
	}
	if total != p.weight() {
		t.Fatalf("step %d: weights add up to %d, weight() says %d", step, total, p.weight())
	}
	if p.weight() > p.maxWeight {
		t.Fatalf("step %d: weight %d over the bound %d", step, p.weight(), p.maxWeight)
	}
	if p.windowMax < 1 || p.protectedMax < 0 || p.windowMax+p.protectedMax > max(p.maxWeight, 1) {
		t.Fatalf("step %d: shares window %d protected %d of %d", step, p.windowMax, p.protectedMax, p.maxWeight)
	}
}

// TestPolicy_Weights checks the bound with uneven weights: an entry heavier
// than the bound is evicted at once, an update that makes one too heavy
// evicts it, and an update to a lighter weight frees room.
func TestPolicy_Weights(t *testing.T) {
	p := newPolicy[*pEntry](10)
	var evicted []uint64
	evict := func(e *pEntry) { evicted = append(evicted, e.key) }

	heavy := newPEntry(1, 11)
	p.add(heavy, evict)
	if len(evicted) != 1 || evicted[0] != 1 || p.len() != 0 || heavy.n.queue != queueNone {
		t.Fatalf("heavy entry: evicted %v, len %d", evicted, p.len())
	}

	evicted = nil
	a, b := newPEntry(2, 4), newPEntry(3, 4)
	p.add(a, evict)
	p.add(b, evict)
	if len(evicted) != 0 || p.weight() != 8 {
		t.Fatalf("two of 4 in 10: evicted %v, weight %d", evicted, p.weight())
	}
	p.update(a, 1, evict)
	if p.weight() != 5 {
		t.Fatalf("after a lighter update: weight %d, want 5", p.weight())
	}
	p.update(b, 12, evict)
	if len(evicted) != 1 || evicted[0] != 3 || p.weight() != 1 || b.n.queue != queueNone {
		t.Fatalf("update over the bound: evicted %v, weight %d", evicted, p.weight())
	}
	// A late update of an entry already gone only records its weight.
	p.update(b, 2, evict)
	if p.weight() != 1 || b.w != 2 {
		t.Fatalf("late update: weight %d, entry weight %d", p.weight(), b.w)
	}
	p.remove(a)
	p.remove(a)
	if p.weight() != 0 || p.len() != 0 {
		t.Fatalf("after remove: weight %d, len %d", p.weight(), p.len())
	}
}

// TestPolicy_Misuse checks the panics on what the cache must never do.
func TestPolicy_Misuse(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"bound", func() { newPolicy[*pEntry](0) }},
		{"twice", func() {
			p := newPolicy[*pEntry](5)
			e := newPEntry(1, 1)
			p.add(e, func(*pEntry) {})
			p.add(e, func(*pEntry) {})
		}},
		{"negative", func() { newPolicy[*pEntry](5).add(newPEntry(1, -1), func(*pEntry) {}) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if r, _ := recover().(string); len(r) < 7 || r[:7] != "cache: " {
					t.Fatalf("panic %q, want one prefixed with the package", r)
				}
			}()
			tc.f()
		})
	}
}

// TestPolicy_NoAllocs checks that once the sketch is sized, adding,
// evicting, hitting and missing allocate nothing.
func TestPolicy_NoAllocs(t *testing.T) {
	const n = 1000
	p := newPolicy[*pEntry](n)
	entries := make([]*pEntry, 4*n)
	for i := range entries {
		entries[i] = newPEntry(uint64(i), 1)
	}
	evict := func(*pEntry) {}
	for _, e := range entries[:n] {
		p.add(e, evict)
	}
	i := n
	allocs := testing.AllocsPerRun(2*n, func() {
		e := entries[i%len(entries)]
		i++
		if e.n.queue == queueNone {
			p.miss(e.n.hash)
			p.add(e, evict)
		} else {
			p.access(e)
		}
		p.access(entries[i%n])
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per operation, want 0", allocs)
	}
}

// TestPolicy_Frequency checks that frequency reports the reads the policy
// was told of, hits and misses alike, and nothing for updates.
func TestPolicy_Frequency(t *testing.T) {
	p := newPolicy[*pEntry](100)
	e := newPEntry(1, 1)
	p.miss(e.n.hash)
	p.add(e, func(*pEntry) { t.Fatal("nothing should be evicted") })
	for range 3 {
		p.access(e)
	}
	p.update(e, 2, func(*pEntry) { t.Fatal("nothing should be evicted") })
	if f := p.frequency(e.n.hash); f != 4 {
		t.Fatalf("frequency %d after a miss and 3 hits, want 4", f)
	}
	if f := p.frequency(newPEntry(2, 1).n.hash); f != 0 {
		t.Fatalf("frequency %d of a key never read", f)
	}
}

// TestPolicy_LostHitRescues: an entry about to be evicted whose hit was lost
// (takeHit) is counted as read instead, and another entry goes; the rescues
// are bounded, so that entries that are all marked still leave and the bound
// holds.
func TestPolicy_LostHitRescues(t *testing.T) {
	t.Run("one", func(t *testing.T) {
		p := newPolicy[*pEntry](100)
		entries := make([]*pEntry, 100)
		for i := range entries {
			entries[i] = newPEntry(uint64(i), 1)
			p.add(entries[i], func(*pEntry) { t.Fatal("evicted within the bound") })
		}
		victim := p.queues[queueProbation].front()
		victim.hit = true
		// Every other key is read more often, so that the victim loses
		// its duel with the candidate.
		for _, e := range entries {
			if e != victim {
				for range 3 {
					p.miss(e.n.hash)
				}
			}
		}
		before := p.frequency(victim.n.hash)
		var evicted []*pEntry
		p.add(newPEntry(1000, 1), func(e *pEntry) { evicted = append(evicted, e) })
		if len(evicted) != 1 || evicted[0] == victim {
			t.Fatalf("evicted %d entries, the marked victim among them: %v", len(evicted), len(evicted) == 1)
		}
		if victim.n.queue != queueProtected || victim.hit {
			t.Fatalf("the marked victim is in queue %d, still marked %v; want protected, unmarked", victim.n.queue, victim.hit)
		}
		if f := p.frequency(victim.n.hash); f != before+1 {
			t.Fatalf("the rescued entry's frequency went from %d to %d, want one more", before, f)
		}
	})
	t.Run("bounded", func(t *testing.T) {
		const n = 1000
		p := newPolicy[*pEntry](n)
		entries := make([]*pEntry, n)
		for i := range entries {
			entries[i] = newPEntry(uint64(i), 1)
			p.add(entries[i], func(*pEntry) {})
		}
		for _, e := range entries {
			e.hit = true
		}
		evicted := 0
		p.add(newPEntry(n, 1), func(*pEntry) { evicted++ })
		if evicted != 1 || p.weight() != n {
			t.Fatalf("%d evicted, weight %d, want 1 and %d", evicted, p.weight(), n)
		}
		marked := 0
		for _, e := range entries {
			if !e.hit {
				marked++
			}
		}
		if marked > maxRescues+1 {
			t.Fatalf("%d marks taken by one add, want at most %d", marked, maxRescues+1)
		}
	})
}
