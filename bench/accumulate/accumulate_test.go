package accumulatebench_test

import (
	"context"
	"testing"

	"github.com/asyncutils-go/asyncutils/accumulate"
)

const ringSize = 1024

func nop(context.Context, error) error { return nil }

func BenchmarkAccumulateAdd(b *testing.B) {
	b.Run("impl=asyncutils", func(b *testing.B) {
		acc := accumulate.New[error](accumulate.WithMaxLen(ringSize))
		for range ringSize {
			acc.Add(nop)
		}
		b.ReportAllocs()
		for b.Loop() {
			acc.Add(nop)
		}
	})
	b.Run("impl=slice", func(b *testing.B) {
		s := &sliceAcc{max: ringSize, fns: make([]func(context.Context, error) error, 0, ringSize)}
		b.ReportAllocs()
		for b.Loop() {
			s.add(nop)
		}
	})
}

func BenchmarkAccumulateOffer(b *testing.B) {
	b.Run("impl=asyncutils", func(b *testing.B) {
		acc := accumulate.New[error](accumulate.WithMaxLen(ringSize))
		for range ringSize { // grow the ring once, outside the loop
			acc.Add(nop)
		}
		acc.Clear()
		b.ReportAllocs()
		for b.Loop() {
			if !acc.Offer(nop) {
				acc.Clear()
			}
		}
	})
	b.Run("impl=slice", func(b *testing.B) {
		s := &sliceAcc{max: ringSize, fns: make([]func(context.Context, error) error, 0, ringSize)}
		b.ReportAllocs()
		for b.Loop() {
			if !s.offer(nop) {
				s.clear()
			}
		}
	})
}

func BenchmarkAccumulateCall16(b *testing.B)  { benchCall(b, 16) }
func BenchmarkAccumulateCall256(b *testing.B) { benchCall(b, 256) }

// The Inline scenarios run the callbacks on the caller's goroutine
// (WithExecutor inline): the per-callback cost without the hand-off.
func BenchmarkAccumulateCall16Inline(b *testing.B) {
	benchCall(b, 16, accumulate.WithExecutor(inline))
}

func BenchmarkAccumulateCall256Inline(b *testing.B) {
	benchCall(b, 256, accumulate.WithExecutor(inline))
}

var inline = accumulate.ExecutorFunc(func(fn func()) { fn() })

func benchCall(b *testing.B, n int, opts ...accumulate.Option) {
	ctx := context.Background()
	b.Run("impl=asyncutils", func(b *testing.B) {
		acc := accumulate.New[error](append(opts, accumulate.WithCallOnce(false))...)
		for range n {
			acc.Add(nop)
		}
		b.ReportAllocs()
		for b.Loop() {
			if err := acc.Call(ctx, nil); err != nil {
				b.Fatal(err)
			}
		}
		perCallback(b, n)
	})
	b.Run("impl=slice", func(b *testing.B) {
		s := &sliceAcc{}
		for range n {
			s.add(nop)
		}
		b.ReportAllocs()
		for b.Loop() {
			if err := s.call(ctx, nil, true); err != nil {
				b.Fatal(err)
			}
		}
		perCallback(b, n)
	})
}

func BenchmarkAccumulateCallOnce16(b *testing.B) {
	const n = 16
	ctx := context.Background()
	b.Run("impl=asyncutils", func(b *testing.B) {
		acc := accumulate.New[error]()
		b.ReportAllocs()
		for b.Loop() {
			for range n {
				acc.Add(nop)
			}
			if err := acc.Call(ctx, nil); err != nil {
				b.Fatal(err)
			}
		}
		perCallback(b, n)
	})
	b.Run("impl=slice", func(b *testing.B) {
		s := &sliceAcc{}
		b.ReportAllocs()
		for b.Loop() {
			for range n {
				s.add(nop)
			}
			if err := s.call(ctx, nil, false); err != nil {
				b.Fatal(err)
			}
		}
		perCallback(b, n)
	})
}

// perCallback reports the time per callback of a call that runs n.
func perCallback(b *testing.B, n int) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/callback")
}
