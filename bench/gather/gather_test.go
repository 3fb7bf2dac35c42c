package gatherbench_test

import (
	"context"
	"slices"
	"testing"

	"github.com/alitto/pond/v2"
	"github.com/sourcegraph/conc/iter"
	"github.com/sourcegraph/conc/pool"
	"golang.org/x/sync/errgroup"

	"github.com/asyncutils-go/asyncutils/gather"
)

// limit is the concurrency limit of every scenario (gather's default).
const limit = 8

// scenario is a set of tasks every implementation runs.
type scenario struct {
	tasks []gather.Task[int]
}

func newScenario(n int, task func(i int) int) scenario {
	s := scenario{tasks: make([]gather.Task[int], n)}
	for i := range s.tasks {
		s.tasks[i] = func(context.Context) (int, error) { return task(i), nil }
	}
	return s
}

// impl runs every task of s with the limit and returns the values.
type impl struct {
	name string
	run  func(ctx context.Context, s scenario, b *testing.B) []int
}

var impls = []impl{
	{"asyncutils", func(ctx context.Context, s scenario, b *testing.B) []int {
		out, err := gather.All(ctx, limit, s.tasks...)
		if err != nil {
			b.Fatal(err)
		}
		return out
	}},
	{"errgroup", func(ctx context.Context, s scenario, b *testing.B) []int {
		out := make([]int, len(s.tasks))
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(limit)
		for i, t := range s.tasks {
			g.Go(func() error {
				v, err := t(gctx)
				out[i] = v
				return err
			})
		}
		if err := g.Wait(); err != nil {
			b.Fatal(err)
		}
		return out
	}},
	{"conc-iter", func(ctx context.Context, s scenario, b *testing.B) []int {
		out, err := iter.Mapper[gather.Task[int], int]{MaxGoroutines: limit}.MapErr(s.tasks,
			func(t *gather.Task[int]) (int, error) { return (*t)(ctx) })
		if err != nil {
			b.Fatal(err)
		}
		return out
	}},
	{"conc-pool", func(ctx context.Context, s scenario, _ *testing.B) []int {
		p := pool.NewWithResults[int]().WithMaxGoroutines(limit)
		for _, t := range s.tasks {
			p.Go(func() int {
				v, _ := t(ctx)
				return v
			})
		}
		return p.Wait()
	}},
}

// pondImpl reuses one pond result pool for the whole benchmark.
func pondImpl(b *testing.B) impl {
	p := pond.NewResultPool[int](limit)
	b.Cleanup(p.StopAndWait)
	return impl{"pond", func(ctx context.Context, s scenario, b *testing.B) []int {
		g := p.NewGroup()
		for _, t := range s.tasks {
			g.SubmitErr(func() (int, error) { return t(ctx) })
		}
		out, err := g.Wait()
		if err != nil {
			b.Fatal(err)
		}
		return out
	}}
}

// bench runs every implementation on s as sub-benchmarks impl=<name>.
func bench(b *testing.B, s scenario) {
	ctx := context.Background()
	for _, im := range slices.Concat(impls, []impl{pondImpl(b)}) {
		b.Run("impl="+im.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if out := im.run(ctx, s, b); len(out) != len(s.tasks) {
					b.Fatalf("%d values, want %d", len(out), len(s.tasks))
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(s.tasks)), "ns/task")
		})
	}
}

// BenchmarkTrivial: 10,000 tasks that return at once, limit 8.
func BenchmarkTrivial(b *testing.B) {
	bench(b, newScenario(10_000, func(i int) int { return i }))
}

// BenchmarkSpin: 1,000 tasks of about 10µs of CPU each, limit 8.
func BenchmarkSpin(b *testing.B) {
	n := 1_000
	if testing.Short() {
		n = 50
	}
	iters := spinIterations()
	bench(b, newScenario(n, func(i int) int { return spin(i, iters) }))
}
