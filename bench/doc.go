// Package bench holds same-run, same-binary benchmarks of the asyncutils
// modules against their peers. It is a module of its own, outside go.work, so
// that the peers' dependencies never raise the versions the real modules
// build with. It is never tagged.
//
// Naming: every comparison is a benchmark named Benchmark<Scenario>, in the
// package of its module (bench/gather, bench/cache, ...), with one
// sub-benchmark impl=<name> per implementation; ours is impl=asyncutils.
// cmd/report groups the results by package and scenario and prints the
// ratio of every peer to ours.
package bench
