package cache

import (
	"math/rand/v2"
	"testing"
)

// hotSurvivors counts how many of the keys 0..hot-1 are in the policy.
func hotSurvivors(s *policySim, hot int) int {
	n := 0
	for k := range uint64(hot) {
		if _, ok := s.entries[k]; ok {
			n++
		}
	}
	return n
}

// TestPolicy_ScanResistance warms a cache of 1,000 up with a hot set of 500
// keys read over and over (between one-off cold keys), sweeps 10,000
// distinct keys through it once, and checks that the hot set survives. The
// same workload through LRU flushes the hot set: the test tells the two
// apart.
func TestPolicy_ScanResistance(t *testing.T) {
	const capacity, hot = 1000, 500
	rng := rand.New(rand.NewPCG(3, 4))
	ours, lru := newPolicySim(capacity), newLRUSim(capacity)
	cold := uint64(1 << 32)
	for range 20 {
		for _, k := range rng.Perm(hot) {
			ours.get(uint64(k))
			lru.get(uint64(k))
			ours.get(cold)
			lru.get(cold)
			cold++
		}
	}
	for range 10 * capacity {
		ours.get(cold)
		lru.get(cold)
		cold++
	}
	kept := hotSurvivors(ours, hot)
	lruKept := 0
	for k := range uint64(hot) {
		if _, ok := lru.entries[k]; ok {
			lruKept++
		}
	}
	t.Logf("hot keys kept after the sweep: W-TinyLFU %d of %d, LRU %d", kept, hot, lruKept)
	if kept < hot*95/100 {
		t.Errorf("only %d of %d hot keys survived the sweep", kept, hot)
	}
	if lruKept != 0 {
		t.Errorf("LRU kept %d hot keys: the sweep is too small to test anything", lruKept)
	}
}

// TestPolicy_HashFlooding runs an adversary that sends ten requests for
// each legitimate one: new keys, each re-read a few times to look warm,
// against a hot set of 200 keys that legitimate users read. The hot set must
// stay nearly whole: 88% of its reads hit (over 91% in 80 runs, median 96%),
// and at least 75% of it is in at the end (median: all of it). The
// flood's keys are each read less often than a hot key, and the admission
// filter compares exactly that. LRU, under the same traffic, misses much more
// often on the hot set.
func TestPolicy_HashFlooding(t *testing.T) {
	const capacity, hot, rounds = 1000, 200, 50_000
	rng := rand.New(rand.NewPCG(5, 6))
	ours, lru := newPolicySim(capacity), newLRUSim(capacity)
	var recent [8]uint64 // the adversary's last keys, re-read in turn
	next := uint64(1 << 40)
	hotHits, lruHotHits := 0, 0
	for i := range rounds {
		k := uint64(rng.IntN(hot))
		if ours.get(k) {
			hotHits++
		}
		if lru.get(k) {
			lruHotHits++
		}
		for j := range 10 {
			var a uint64
			if j < 3 { // re-read three of its recent keys
				a = recent[(i+j)%len(recent)]
			} else {
				a = next
				recent[next%uint64(len(recent))] = next
				next++
			}
			ours.get(a)
			lru.get(a)
		}
	}
	kept := hotSurvivors(ours, hot)
	ratio, lruRatio := 100*float64(hotHits)/float64(rounds), 100*float64(lruHotHits)/float64(rounds)
	t.Logf("under the flood: W-TinyLFU keeps %d of %d hot keys, hot hit ratio %.1f%%; LRU's %.1f%%",
		kept, hot, ratio, lruRatio)
	// The hit ratio is the measure; the survivors at the end are a snapshot,
	// and an unlucky one can find a few hot keys out for a moment.
	if kept < hot*75/100 || ratio < 88 {
		t.Errorf("the flood evicted %d of %d hot keys, hot hit ratio %.1f%%", hot-kept, hot, ratio)
	}
	if lruRatio > 70 {
		t.Errorf("LRU's hot hit ratio is %.1f%%: the flood is too weak to test anything", lruRatio)
	}
}

// TestPolicy_AdmissionJitter raises the victim's frequency to the maximum,
// as an attacker who found a collision with it would, and checks that warm
// candidates still get in now and then (about 1 in 128), and cold ones
// never: without the jitter, the cache would admit nothing new.
func TestPolicy_AdmissionJitter(t *testing.T) {
	p := newPolicy[*pEntry](1000)
	p.sketch.ensure(1000)
	const victim, warm, cold = 1, 2, 3
	for range 15 {
		p.sketch.increment(victim)
	}
	for range warmFrequency {
		p.sketch.increment(warm)
	}
	const tries = 100_000
	admitted := 0
	for range tries {
		if p.admit(warm, victim) {
			admitted++
		}
		if p.admit(cold, victim) {
			t.Fatal("a cold candidate beat a hot victim")
		}
	}
	if lo, hi := tries/jitterOdds/2, 2*tries/jitterOdds; admitted < lo || admitted > hi {
		t.Fatalf("%d of %d warm candidates admitted, want %d..%d", admitted, tries, lo, hi)
	}
}

// TestPolicy_ClimberAdapts checks that the adaptive window serves both kinds
// of workload, against the same policy with its window fixed at 1% (plain
// W-TinyLFU): on a recency-biased stream (each key read a few times in a
// burst, then never again) the window grows and the hit ratio with it; on a
// frequency-biased one (a fixed Zipf hot set), where a small window is
// right, adapting costs at most 2 points (0.2 in the median of 40 runs, 1.1
// at worst). The climber's walk on a stationary stream is noisy, so the
// second check is on the hit ratio, not the window.
func TestPolicy_ClimberAdapts(t *testing.T) {
	const capacity = 1000
	recency := make([]uint64, 0, 800_000)
	rng := rand.New(rand.NewPCG(7, 8))
	// Keys are reused at a distance of up to 1,500 requests: a cache of
	// 1,000 catches them only if most of it acts as an LRU window.
	for i := range 400_000 {
		recency = append(recency, uint64(i/3), uint64(max(0, i/3-rng.IntN(500))))
	}
	z := rand.NewZipf(rand.New(rand.NewPCG(9, 10)), 1.2, 1, 1<<20)
	frequency := make([]uint64, 400_000)
	for i := range frequency {
		frequency[i] = z.Uint64()
	}
	replay := func(keys []uint64, adaptive bool) (float64, int64) {
		s := newPolicySim(capacity)
		if !adaptive {
			s.p.climber.fullStep, s.p.climber.step = 0, 0
		}
		return 100 * hitRatio(keys, s.get), s.p.windowMax
	}
	rAdaptive, rWindow := replay(recency, true)
	rFixed, _ := replay(recency, false)
	fAdaptive, fWindow := replay(frequency, true)
	fFixed, _ := replay(frequency, false)
	t.Logf("recency-biased: %.2f%% (window %d of %d), fixed 1%% window %.2f%%", rAdaptive, rWindow, capacity, rFixed)
	t.Logf("frequency-biased: %.2f%% (window %d), fixed 1%% window %.2f%%", fAdaptive, fWindow, fFixed)
	if rWindow < capacity/4 || rAdaptive < rFixed+10 {
		t.Errorf("recency-biased stream: window %d, hit ratio %.2f%%, want the window past a quarter and 10 points over %.2f%%",
			rWindow, rAdaptive, rFixed)
	}
	if fAdaptive < fFixed-2 {
		t.Errorf("frequency-biased stream: hit ratio %.2f%%, more than 2 points below the fixed window's %.2f%%", fAdaptive, fFixed)
	}
}
