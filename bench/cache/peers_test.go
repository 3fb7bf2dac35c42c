package cachebench_test

// Placeholder: pins the peers in go.mod until the benchmarks land.
import (
	_ "github.com/asyncutils-go/asyncutils/cache"
	_ "github.com/jellydator/ttlcache/v3"
	_ "github.com/maypok86/otter/v2"
	_ "github.com/patrickmn/go-cache"
	_ "github.com/viccon/sturdyc"
)
