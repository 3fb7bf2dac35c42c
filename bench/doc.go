// Package bench holds same-run, same-binary benchmarks of the asyncutils
// modules against their peers. It is a module of its own, outside go.work, so
// that the peers' dependencies never raise the versions the real modules
// build with. It is never tagged.
//
// Naming: every comparison is a benchmark named Benchmark<Scenario>, in the
// package of its module (bench/gather, bench/cache, ...), with one
// sub-benchmark impl=<name> per implementation; ours is impl=asyncutils.
// Other sub-benchmark parts (BenchmarkHitRatio/capacity=1000/trace=gli/
// impl=otter) belong to the scenario: each combination is a table of its
// own. A new scenario or package needs no change to the report command.
//
// bench/fleet measures the cache's fleet tier (cache/redistier) against a
// real redis-server, which its benchmarks start from PATH and kill; without
// one they skip (fail with REDISTIER_REQUIRE=1, as scripts/bench.sh and CI
// set it).
//
// Metrics: cmd/report shows every unit a benchmark reports (ns/op, B/op,
// allocs/op and each b.ReportMetric) as the median of the rounds with its
// 95% confidence interval, and compares each peer with ours in one unit,
// with benchstat's significance test (alpha 0.05):
//
//   - ns/op, unless the scenario reports a headline unit, which says what
//     it measures better than its time: a percentage (hit%) or a quantity
//     per something other than an operation that is not a time (B/entry,
//     calls/key, calls/key/period). A time per thing (ns/task) or a count
//     per operation (loads/op, goroutines-started) is a column, not
//     compared.
//   - Lower is better, except for a unit ending in % or /s (hit%, ops/s),
//     so every ratio reads "how many times better asyncutils is". A package
//     can state a unit's direction and statistics with a Unit line of the
//     Go benchmark format printed before its benchmarks run, from TestMain:
//     "Unit hit% better=higher assume=exact" for a simulated hit ratio that
//     is the same in every round, "Unit miss% better=lower" for a
//     percentage where lower is better.
//
// Figures: bash scripts/bench.sh runs every benchmark in interleaved rounds
// and writes docs/benchmarks.txt (the raw output, the one source of every
// figure), docs/benchmarks.md and its charts, and the generated blocks of
// the README and the guides; bash scripts/figures.sh (in CI) fails when any
// of them is not what docs/benchmarks.txt gives, or when a Markdown file or
// a Go comment quotes a measured figure outside a generated block.
package bench
