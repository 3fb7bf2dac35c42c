package cache

import (
	"context"
	"time"
)

// SetAge tells the cache that the value the running loader is about to
// return is already age old: it was produced that long ago, for example by
// another replica that stored it in a shared tier. The cache then counts
// the entry's age, its refresh time and its TTL from when the value was
// produced, not from when the loader returned it, so that the TTL bounds the
// value's true age.
//
// Call it from a loader, with the ctx the loader was given; it reports
// whether ctx is a load's context (false: nothing happens). The last call
// before the loader returns wins; a negative age counts as 0. A value whose
// age already exceeds the TTL when the loader returns is not stored, and the
// load fails with an error wrapping [ErrTooOld].
func SetAge(ctx context.Context, age time.Duration) bool {
	l, _ := ctx.Value(loadingKey{}).(*loadContext)
	if l == nil {
		return false
	}
	l.age.Store(int64(max(age, 0)))
	return true
}
