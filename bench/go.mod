module github.com/asyncutils-go/asyncutils/bench

go 1.26.0

require (
	github.com/alitto/pond/v2 v2.7.1
	github.com/asyncutils-go/asyncutils/accumulate v0.1.0
	github.com/asyncutils-go/asyncutils/cache v0.1.0
	github.com/asyncutils-go/asyncutils/cache/redistier v0.1.0
	github.com/asyncutils-go/asyncutils/fsm v0.1.0
	github.com/asyncutils-go/asyncutils/gather v0.1.0
	github.com/asyncutils-go/asyncutils/internal v0.1.0
	github.com/hashicorp/golang-lru/arc/v2 v2.0.7
	github.com/hashicorp/golang-lru/v2 v2.0.7
	github.com/jellydator/ttlcache/v3 v3.4.1
	github.com/looplab/fsm v1.0.3
	github.com/maypok86/otter/v2 v2.4.0
	github.com/patrickmn/go-cache v2.1.0+incompatible
	github.com/qmuntal/stateless v1.7.2
	github.com/redis/go-redis/v9 v9.23.0
	github.com/sourcegraph/conc v0.3.0
	github.com/viccon/sturdyc v1.1.5
	go.uber.org/goleak v1.3.0
	golang.org/x/perf v0.0.0-20260908200009-22c9c6c9d4da
	golang.org/x/sync v0.25.0
)

require (
	github.com/aclements/go-moremath v0.0.0-20210112150236-f10218a38794 // indirect
	github.com/asyncutils-go/asyncutils/defaults v0.1.0 // indirect
	github.com/benbjohnson/clock v1.3.5 // indirect
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	go.uber.org/atomic v1.12.0 // indirect
	go.uber.org/multierr v1.9.0 // indirect
	golang.org/x/sys v0.48.0 // indirect
)

replace (
	github.com/asyncutils-go/asyncutils/accumulate => ../accumulate
	github.com/asyncutils-go/asyncutils/cache => ../cache
	github.com/asyncutils-go/asyncutils/cache/redistier => ../cache/redistier
	github.com/asyncutils-go/asyncutils/defaults => ../defaults
	github.com/asyncutils-go/asyncutils/fsm => ../fsm
	github.com/asyncutils-go/asyncutils/gather => ../gather
	github.com/asyncutils-go/asyncutils/internal => ../internal
)
