//go:build race

package cache_test

import "time"

// staleSlack: under the race detector the few instructions between a
// loader's return and the cache's stamp can take milliseconds.
const staleSlack = 5 * time.Millisecond

// floodKeys is how many keys TestBound_Memory floods a bounded cache with.
const floodKeys = 200_000
