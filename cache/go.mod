module github.com/asyncutils-go/asyncutils/cache

go 1.26.0

require go.uber.org/goleak v1.3.0

replace (
	github.com/asyncutils-go/asyncutils/defaults => ../defaults
	github.com/asyncutils-go/asyncutils/internal => ../internal
)
