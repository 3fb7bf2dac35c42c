package cache

import "math/bits"

// sketch estimates how often a key hash was seen recently: a count-min
// sketch of 4-bit counters (TinyLFU's frequency filter, as in Einziger,
// Friedman and Manes, "TinyLFU: A Highly Efficient Cache Admission Policy").
//
// Each 64-bit word holds 16 counters, and the table is cut into blocks of
// eight words, one 64-byte cache line. A hash picks one block, and is
// counted in four rows of it: row i uses one counter of word 2i or 2i+1, so
// the rows never share a word, and counting or estimating a key touches one
// cache line, not four. The estimate is the smallest of the four counters:
// collisions only ever raise a counter, so the minimum is the closest to the
// truth.
//
// Aging: after sampleSize counted increments, every counter is halved, so
// that a key that was hot an hour ago does not outweigh one that is hot now.
// Counters saturate at 15: the sketch only has to tell a popular key from an
// unpopular one, not count exactly.
//
// The table grows with the number of entries the cache holds (ensure), up to
// the bound, so that a cache given a large bound it never reaches does not
// pay for a large table. Growing starts the counts over; it happens
// O(log n) times in a cache's life.
type sketch struct {
	table      []uint64
	shift      uint // 64 - log2(len(table)/blockWords): the top bits of a hash pick a block
	capacity   int  // the number of entries the table is sized for
	sampleSize int  // increments between two halvings
	additions  int  // increments since the last halving
}

const (
	sketchMinCapacity = 16
	// blockWords is the number of words in a block: 64 bytes.
	blockWords = 8
	// oneNibbles has the low bit of each 4-bit counter set.
	oneNibbles = 0x1111_1111_1111_1111
	// lowNibbleBits has the low three bits of each counter set: the counters
	// shifted right by one, masked with it, are halved without borrowing from
	// their neighbours.
	lowNibbleBits = 0x7777_7777_7777_7777
)

// ensure sizes the table for at least n entries (one word, 16 counters, per
// entry, as TinyLFU needs to be accurate) and the aging period to ten times
// that many increments. It does nothing when the table is already that big.
func (s *sketch) ensure(n int) {
	n = max(n, sketchMinCapacity)
	if n <= s.capacity {
		return
	}
	words := 1 << bits.Len(uint(n-1)) // the next power of two
	s.table = make([]uint64, words)
	s.shift = uint(64 - bits.TrailingZeros(uint(words/blockWords)))
	s.capacity = n
	s.sampleSize = 10 * n
	s.additions = 0
}

// spread derives from a key's hash the block of its counters (the top bits
// of a) and the choice of a counter in each row (b). The key's hash is mixed
// again, so a weak hash cannot line its keys up in one block.
func spread(hash uint32) (a, b uint64) {
	a = mix64(uint64(hash))
	b = mix64(a ^ 0x9e37_79b9_7f4a_7c15)
	return a, b
}

// mix64 is the finalizer of SplitMix64: every input bit affects every output
// bit.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58_476d_1ce4_e5b9
	x ^= x >> 27
	x *= 0x94d0_49bb_1331_11eb
	x ^= x >> 31
	return x
}

// slot returns the word and the bit offset of row i's counter for a hash:
// in the block that a picks, word 2i or 2i+1 (one bit of b) and one of its
// 16 counters (four more bits of b).
func (s *sketch) slot(a, b uint64, i int) (word int, offset uint) {
	r := b >> (uint(i) * 5)
	return int(a>>s.shift)*blockWords + 2*i + int(r&1), uint(r>>1&15) * 4
}

// frequency estimates how many times hash was counted since the last
// halving, from 0 to 15.
func (s *sketch) frequency(hash uint32) int {
	if s.table == nil {
		return 0
	}
	a, b := spread(hash)
	freq := uint64(15)
	for i := range 4 {
		w, off := s.slot(a, b, i)
		freq = min(freq, (s.table[w]>>off)&15)
	}
	return int(freq)
}

// increment counts one access of hash, and halves every counter once
// sampleSize increments have been counted. An increment that finds all four
// counters saturated does not count towards the period.
func (s *sketch) increment(hash uint32) {
	if s.table == nil {
		return
	}
	a, b := spread(hash)
	added := false
	for i := range 4 {
		w, off := s.slot(a, b, i)
		if (s.table[w]>>off)&15 < 15 {
			s.table[w] += 1 << off
			added = true
		}
	}
	if !added {
		return
	}
	s.additions++
	if s.additions >= s.sampleSize {
		s.halve()
	}
}

// halve ages the sketch: every counter is halved, and the number of
// increments since the last halving with them. Odd counters lose their half
// increment; a key has four counters, so a quarter of the odd counters is
// the number of increments lost that way.
func (s *sketch) halve() {
	odd := 0
	for i, w := range s.table {
		odd += bits.OnesCount64(w & oneNibbles)
		s.table[i] = (w >> 1) & lowNibbleBits
	}
	s.additions = (s.additions - odd/4) / 2
}
