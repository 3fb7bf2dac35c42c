// Package gatherbench compares the asyncutils gather module with its peers,
// in one binary and one run: golang.org/x/sync/errgroup with SetLimit,
// sourcegraph/conc (iter.Mapper.MapErr and pool.ResultPool with
// WithMaxGoroutines) and alitto/pond v2 (a result pool and a task group).
//
// Every implementation runs the same tasks with a limit of 8 and collects
// their values; each benchmark reports ns/task besides ns/op.
//
//   - BenchmarkTrivial: 10,000 tasks that return at once, which measures the
//     scheduling overhead per task.
//   - BenchmarkSpin: 1,000 tasks that each spin about 10µs of CPU (a
//     calibrated busy loop, not a sleep, so the cost is the work plus the
//     overhead, comparable across runs), which measures how well the
//     overhead hides behind real work.
//
// Notes on fairness: the pond pool is created once per benchmark and reused,
// as pond pools are meant to be (creating one per call would cost it more);
// conc's ResultPool returns values in completion order rather than input
// order, so it does less work than the others.
package gatherbench
