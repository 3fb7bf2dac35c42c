package cache

import (
	"fmt"
	"testing"
)

// BenchmarkPolicy measures the policy's own work per call, as the drain
// pays it under the policy's lock: op=hit is access on a linked entry,
// op=insert is miss then add on a full policy (so each one evicts), and
// op=zipf replays otter's Zipf stream (a hit or a miss and add per request).
// Every op allocates nothing once the policy is full; entries for op=insert
// and op=zipf are made before the timer starts.
func BenchmarkPolicy(b *testing.B) {
	for _, capacity := range []int{1000, 100_000} {
		b.Run(fmt.Sprintf("capacity=%d/op=hit", capacity), func(b *testing.B) {
			p, entries := fullPolicy(capacity)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				p.access(entries[i%capacity])
				i++
			}
		})
		b.Run(fmt.Sprintf("capacity=%d/op=insert", capacity), func(b *testing.B) {
			p, _ := fullPolicy(capacity)
			fresh := make([]*pEntry, 1<<16)
			for i := range fresh {
				fresh[i] = newPEntry(uint64(capacity+i), 1)
			}
			evict := func(*pEntry) {}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				e := fresh[i%len(fresh)]
				i++
				if e.n.queue != queueNone {
					p.remove(e) // a reuse of an entry still linked: start it over
				}
				p.miss(e.n.hash)
				p.add(e, evict)
			}
		})
		b.Run(fmt.Sprintf("capacity=%d/op=zipf", capacity), func(b *testing.B) {
			keys := zipfKeys(1 << 18)
			entries := make(map[uint64]*pEntry, len(keys))
			for _, k := range keys {
				if entries[k] == nil {
					entries[k] = newPEntry(k, 1)
				}
			}
			p := newPolicy[*pEntry](int64(capacity))
			evict := func(*pEntry) {}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				e := entries[keys[i%len(keys)]]
				i++
				if e.n.queue != queueNone {
					p.access(e)
				} else {
					p.miss(e.n.hash)
					p.add(e, evict)
				}
			}
		})
	}
}

// fullPolicy returns a policy of the given capacity holding that many
// entries of weight 1, each read once.
func fullPolicy(capacity int) (*policy[*pEntry], []*pEntry) {
	p := newPolicy[*pEntry](int64(capacity))
	entries := make([]*pEntry, capacity)
	evict := func(*pEntry) {}
	for i := range entries {
		entries[i] = newPEntry(uint64(i), 1)
		p.miss(entries[i].n.hash)
		p.add(entries[i], evict)
	}
	for _, e := range entries {
		p.access(e)
	}
	return p, entries
}
