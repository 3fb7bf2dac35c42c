package cache

import (
	"bufio"
	"compress/gzip"
	"container/list"
	"hash/maphash"
	mrand "math/rand"
	"os"
	"strconv"
	"strings"
	"testing"
)

// policySim replays keys through a policy bounded by a number of entries,
// the way the cache uses it: a hit is an access, a miss is a miss and an
// add.
type policySim struct {
	p       *policy[*pEntry]
	entries map[uint64]*pEntry
	seed    maphash.Seed
	evict   func(*pEntry)
}

func newPolicySim(capacity int) *policySim {
	s := &policySim{p: newPolicy[*pEntry](int64(capacity)), entries: map[uint64]*pEntry{}, seed: maphash.MakeSeed()}
	s.evict = func(e *pEntry) { delete(s.entries, e.key) }
	return s
}

func (s *policySim) get(key uint64) bool {
	if e, ok := s.entries[key]; ok {
		s.p.access(e)
		return true
	}
	e := &pEntry{key: key}
	e.n.hash, e.w = keyHash(maphash.Comparable(s.seed, key)), 1
	s.p.miss(e.n.hash)
	s.entries[key] = e
	s.p.add(e, s.evict)
	return false
}

// lruSim is a plain LRU, the baseline.
type lruSim struct {
	capacity int
	order    *list.List // front: most recent
	entries  map[uint64]*list.Element
}

func newLRUSim(capacity int) *lruSim {
	return &lruSim{capacity: capacity, order: list.New(), entries: map[uint64]*list.Element{}}
}

func (s *lruSim) get(key uint64) bool {
	if el, ok := s.entries[key]; ok {
		s.order.MoveToFront(el)
		return true
	}
	s.entries[key] = s.order.PushFront(key)
	if s.order.Len() > s.capacity {
		delete(s.entries, s.order.Remove(s.order.Back()).(uint64))
	}
	return false
}

func hitRatio(keys []uint64, get func(uint64) bool) float64 {
	hits := 0
	for _, k := range keys {
		if get(k) {
			hits++
		}
	}
	return float64(hits) / float64(len(keys))
}

// readTrace reads a gzip-compressed trace in testdata: one decimal key a
// line (blank lines are skipped).
func readTrace(t *testing.T, name string) []uint64 {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var keys []uint64
	sc := bufio.NewScanner(z)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		k, err := strconv.ParseUint(line, 10, 64)
		if err != nil {
			t.Fatalf("%s line %d: %v", name, len(keys)+1, err)
		}
		keys = append(keys, k)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return keys
}

// zipfKeys is otter's Zipf stream: s=1.0001, v=10, imax=50,000,000.
func zipfKeys(n int) []uint64 {
	z := mrand.NewZipf(mrand.New(mrand.NewSource(1)), 1.0001, 10, 50_000_000)
	keys := make([]uint64, n)
	for i := range keys {
		keys[i] = z.Uint64()
	}
	return keys
}

// TestPolicy_HitRatio replays the LIRS traces (gli, loop) and otter's Zipf
// stream through the policy and through a plain LRU, logs both, and checks
// that the policy is never worse than LRU by more than a point, and beats it
// where frequency matters: on loop (a loop larger than the cache, where LRU
// gets nothing) and on average over Zipf. Under the race detector the
// replays are shorter.
func TestPolicy_HitRatio(t *testing.T) {
	small := []int{250, 500, 750, 1000, 1250, 1500, 1750, 2000}
	zipf, zipfCapacities := zipfKeys(1_000_000), []int{1000, 10_000, 100_000}
	loopCapacities := small
	if raceEnabled {
		zipf, zipfCapacities = zipf[:200_000], zipfCapacities[:2]
		loopCapacities = []int{250, 750, 1000, 2000}
	}
	traces := []struct {
		name       string
		keys       []uint64
		capacities []int
		minGain    float64 // the least average gain over LRU, in points
	}{
		{"gli", readTrace(t, "gli.gz"), small, 5},
		{"loop", readTrace(t, "loop.gz"), loopCapacities, 20},
		{"zipf", zipf, zipfCapacities, 1},
	}
	for _, tr := range traces {
		t.Run(tr.name, func(t *testing.T) {
			gain := 0.0
			for _, c := range tr.capacities {
				ours := 100 * hitRatio(tr.keys, newPolicySim(c).get)
				lru := 100 * hitRatio(tr.keys, newLRUSim(c).get)
				t.Logf("%s capacity=%d: W-TinyLFU %.2f%%, LRU %.2f%%", tr.name, c, ours, lru)
				if ours < lru-1 {
					t.Errorf("capacity %d: %.2f%% is more than a point below LRU's %.2f%%", c, ours, lru)
				}
				gain += ours - lru
			}
			if gain /= float64(len(tr.capacities)); gain < tr.minGain {
				t.Errorf("average gain over LRU %.2f points, want at least %.0f", gain, tr.minGain)
			}
		})
	}
}
