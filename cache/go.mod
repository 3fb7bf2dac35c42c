module github.com/asyncutils-go/asyncutils/cache

go 1.26.0

require (
	github.com/asyncutils-go/asyncutils/defaults v0.1.0
	github.com/asyncutils-go/asyncutils/internal v0.1.0
	github.com/benbjohnson/clock v1.3.5
	go.uber.org/goleak v1.3.0
)

replace (
	github.com/asyncutils-go/asyncutils/defaults => ../defaults
	github.com/asyncutils-go/asyncutils/internal => ../internal
)
