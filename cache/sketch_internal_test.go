package cache

import "testing"

// TestSketch_Frequency checks that the estimate counts up to 15 and no
// further, that keys counted different numbers of times are told apart, and
// that a key never counted reads (close to) zero.
func TestSketch_Frequency(t *testing.T) {
	var s sketch
	s.ensure(512)
	for i := range 20 {
		s.increment(1)
		if got, want := s.frequency(1), min(i+1, 15); got != want {
			t.Fatalf("after %d increments: frequency %d, want %d", i+1, got, want)
		}
	}
	for k := uint32(100); k < 200; k++ {
		for range k % 8 {
			s.increment(k)
		}
	}
	wrong := 0
	for k := uint32(100); k < 200; k++ {
		if s.frequency(k) != int(k%8) {
			wrong++
		}
	}
	// 100 keys in a table sized for 512: collisions are rare, and only
	// ever raise an estimate.
	if wrong > 5 {
		t.Fatalf("%d of 100 estimates wrong", wrong)
	}
	if f := s.frequency(1 << 30); f > 1 {
		t.Fatalf("a key never counted has frequency %d", f)
	}
}

// TestSketch_Halving checks the aging: after sampleSize increments every
// counter is halved, and the period counts on from about half.
func TestSketch_Halving(t *testing.T) {
	var s sketch
	s.ensure(16)
	for range 12 {
		s.increment(7)
	}
	k := uint32(1000)
	for s.additions != 0 && s.additions < s.sampleSize-1 {
		s.increment(k)
		k++
	}
	before := s.frequency(7)
	s.increment(k + 1)
	if after := s.frequency(7); after != before/2 && after != (before+1)/2 {
		t.Fatalf("frequency %d after halving, was %d", after, before)
	}
	if s.additions <= 0 || s.additions > s.sampleSize/2 {
		t.Fatalf("%d additions after halving, sample size %d", s.additions, s.sampleSize)
	}
}

// TestSketch_Ensure checks that the table grows to a power of two that
// holds at least a word per entry, and never shrinks.
func TestSketch_Ensure(t *testing.T) {
	var s sketch
	if s.frequency(1) != 0 {
		t.Fatal("an empty sketch estimates a frequency")
	}
	s.increment(1) // no table yet: ignored
	for _, tc := range []struct{ n, words int }{{1, 16}, {16, 16}, {17, 32}, {1000, 1024}, {10, 1024}} {
		s.ensure(tc.n)
		if len(s.table) != tc.words {
			t.Fatalf("ensure(%d): %d words, want %d", tc.n, len(s.table), tc.words)
		}
	}
	if s.sampleSize != 10_000 {
		t.Fatalf("sample size %d, want 10000", s.sampleSize)
	}
}
