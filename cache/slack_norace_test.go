//go:build !race

package cache_test

import "time"

// staleSlack covers the few instructions between a loader's return and
// the cache's stamp of the value.
const staleSlack = time.Millisecond
