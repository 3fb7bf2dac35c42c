module github.com/asyncutils-go/asyncutils/examples

go 1.26.0

require (
	github.com/asyncutils-go/asyncutils/accumulate v0.1.0
	github.com/asyncutils-go/asyncutils/cache v0.1.0
	github.com/asyncutils-go/asyncutils/defaults v0.1.0
	github.com/asyncutils-go/asyncutils/fsm v0.1.0
	github.com/asyncutils-go/asyncutils/gather v0.1.0
	go.uber.org/goleak v1.3.0
)

require (
	github.com/asyncutils-go/asyncutils/internal v0.1.0 // indirect
	github.com/benbjohnson/clock v1.3.5 // indirect
)

replace (
	github.com/asyncutils-go/asyncutils/accumulate => ../accumulate
	github.com/asyncutils-go/asyncutils/cache => ../cache
	github.com/asyncutils-go/asyncutils/defaults => ../defaults
	github.com/asyncutils-go/asyncutils/fsm => ../fsm
	github.com/asyncutils-go/asyncutils/gather => ../gather
	github.com/asyncutils-go/asyncutils/internal => ../internal
)
