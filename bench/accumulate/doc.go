// Package accumulatebench compares the asyncutils accumulate module with the
// plain alternative: a []func slice guarded by a sync.Mutex (impl=slice).
//
// Scenarios:
//
//   - AccumulateAdd: Add to a full accumulator of 1024 (drop-oldest, the ring
//     does not grow) against append to a slice that is reset when it reaches
//     1024 entries.
//   - AccumulateOffer: Offer until the accumulator of 1024 is full, then
//     Clear, against the same bounded append on a slice.
//   - AccumulateCall16 and AccumulateCall256: Call with 16 or 256 trivial
//     callbacks that stay queued (WithCallOnce(false)), against ranging over
//     the slice under the same snapshot discipline. ns/callback is ns/op
//     divided by the number of callbacks; ours includes one hand-off to the
//     accumulator's goroutine per call.
//   - AccumulateCall16Inline and AccumulateCall256Inline: the same with an
//     inline executor (the callbacks run on the caller's goroutine), which
//     isolates the per-callback cost from the hand-off.
//   - AccumulateCallOnce16: Add 16 callbacks, then Call, which removes them,
//     against appending 16 and taking the slice.
package accumulatebench
