module github.com/asyncutils-go/asyncutils/internal

go 1.26.0

require (
	github.com/benbjohnson/clock v1.3.5
	go.uber.org/goleak v1.3.0
)
