package cachebench_test

import (
	"context"
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"

	"github.com/maypok86/otter/v2"

	"github.com/asyncutils-go/asyncutils/cache"
)

// setKeys is the key space of the Set scenarios: present keys, replaced at
// random.
const setKeys = 1 << 17

// setter is the write side of the caches that have one.
type setter interface {
	set(key, value string)
	close()
}

type setImpl struct {
	name string
	make func() setter
}

func setImpls() []setImpl {
	return []setImpl{
		{"asyncutils", func() setter {
			c, err := cache.New(loadValue, cache.WithTTL(ttl), cache.WithRefresh(refresh))
			if err != nil {
				panic(err)
			}
			return oursSet{c}
		}},
		{"otter", func() setter {
			return otterSet{otter.Must(&otter.Options[string, string]{
				ExpiryCalculator:  otter.ExpiryWriting[string, string](ttl),
				RefreshCalculator: otter.RefreshWriting[string, string](ttl - refresh),
			})}
		}},
		{"rwmutex-map", func() setter { return &rwSet{m: map[string]string{}} }},
	}
}

type oursSet struct{ c *cache.Cache[string, string] }

func (o oursSet) set(k, v string) { o.c.Set(k, v) }
func (o oursSet) close()          { _ = o.c.Close() }

type otterSet struct{ c *otter.Cache[string, string] }

func (o otterSet) set(k, v string) { o.c.Set(k, v) }
func (o otterSet) close()          { o.c.StopAllGoroutines() }

type rwSet struct {
	mu sync.RWMutex
	m  map[string]string
}

func (r *rwSet) set(k, v string) { r.mu.Lock(); r.m[k] = v; r.mu.Unlock() }
func (r *rwSet) close()          {}

// BenchmarkSetParallel replaces random present keys among 128k from
// GOMAXPROCS goroutines (2 on the reference machine), the scenario of a
// write-heavy cache: it shows whether writes scale past one core.
func BenchmarkSetParallel(b *testing.B) {
	benchSet(b, true)
}

// BenchmarkSet is the same from one goroutine.
func BenchmarkSet(b *testing.B) {
	benchSet(b, false)
}

func benchSet(b *testing.B, parallel bool) {
	keys := makeKeys(setKeys)
	for _, im := range setImpls() {
		b.Run("impl="+im.name, func(b *testing.B) {
			s := im.make()
			defer s.close()
			for _, k := range keys {
				s.set(k, k)
			}
			b.ReportAllocs()
			b.ResetTimer()
			if !parallel {
				r := rand.New(rand.NewPCG(1, 2))
				for b.Loop() {
					k := keys[r.IntN(setKeys)]
					s.set(k, k)
				}
				return
			}
			b.RunParallel(func(pb *testing.PB) {
				r := rand.New(rand.NewPCG(rand.Uint64(), 2))
				for pb.Next() {
					k := keys[r.IntN(setKeys)]
					s.set(k, k)
				}
			})
		})
	}
}

// BenchmarkMiss is a Get of a key the cache has never seen, with a loader
// that returns at once: what a cache costs beyond the load itself on a miss
// (the lookup, the single-flight, storing and scheduling the entry). Each
// cache is rebuilt every missChunk keys, off the clock, so that memory does
// not grow with b.N.
func BenchmarkMiss(b *testing.B) {
	const missChunk = 1 << 16
	keys := make([]string, missChunk)
	for i := range keys {
		keys[i] = "miss-" + strconv.Itoa(i)
	}
	for _, im := range []impl{{"asyncutils", newOurs}, {"otter", newOtter}, {"rwmutex-map", newRWMap}} {
		b.Run("impl="+im.name, func(b *testing.B) {
			ctx := context.Background()
			g := im.make(b, loadValue)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if i == missChunk {
					b.StopTimer()
					g.close()
					g = im.make(b, loadValue)
					i = 0
					b.StartTimer()
				}
				if _, err := g.get(ctx, keys[i]); err != nil {
					b.Fatal(err)
				}
				i++
			}
			g.close()
		})
	}
}
