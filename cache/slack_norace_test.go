//go:build !race

package cache_test

import "time"

// staleSlack covers the few instructions between a loader's return and
// the cache's stamp of the value.
const staleSlack = time.Millisecond

// floodKeys is how many keys TestBound_Memory floods a bounded cache with.
const floodKeys = 1_000_000
