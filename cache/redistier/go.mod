module github.com/asyncutils-go/asyncutils/cache/redistier

go 1.26.0

require (
	github.com/alicebob/miniredis/v2 v2.40.0
	github.com/asyncutils-go/asyncutils/cache v0.1.0
	github.com/asyncutils-go/asyncutils/defaults v0.1.0
	github.com/asyncutils-go/asyncutils/internal v0.1.0
	github.com/benbjohnson/clock v1.3.5
	github.com/redis/go-redis/v9 v9.23.0
	go.uber.org/goleak v1.3.0
)

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/yuin/gopher-lua v1.1.1 // indirect
	go.uber.org/atomic v1.12.0 // indirect
	golang.org/x/sys v0.48.0 // indirect
)

replace (
	github.com/asyncutils-go/asyncutils/cache => ../
	github.com/asyncutils-go/asyncutils/defaults => ../../defaults
	github.com/asyncutils-go/asyncutils/internal => ../../internal
)
