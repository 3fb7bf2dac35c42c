package cachebench_test

import (
	"context"
	"math/rand/v2"
	"testing"
)

const hitKeys = 1 << 14 // 16k keys, read in a sequential pattern masked to the key count

func warm(b *testing.B, g getter, keys []string) {
	ctx := context.Background()
	for _, k := range keys {
		if _, err := g.get(ctx, k); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFreshHit reads fresh entries from one goroutine.
func BenchmarkFreshHit(b *testing.B) {
	keys := makeKeys(hitKeys)
	for _, im := range impls() {
		b.Run("impl="+im.name, func(b *testing.B) {
			g := im.make(b, loadValue)
			defer g.close()
			warm(b, g, keys)
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			i := 0
			for b.Loop() {
				if _, err := g.get(ctx, keys[i&(hitKeys-1)]); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkFreshHitParallel reads fresh entries from GOMAXPROCS goroutines,
// each starting at a random key.
func BenchmarkFreshHitParallel(b *testing.B) {
	keys := makeKeys(hitKeys)
	for _, im := range impls() {
		b.Run("impl="+im.name, func(b *testing.B) {
			g := im.make(b, loadValue)
			defer g.close()
			warm(b, g, keys)
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				ctx := context.Background()
				i := rand.IntN(hitKeys)
				for pb.Next() {
					if _, err := g.get(ctx, keys[i&(hitKeys-1)]); err != nil {
						b.Error(err)
						return
					}
					i++
				}
			})
		})
	}
}
