module github.com/asyncutils-go/asyncutils/fsm

go 1.26.0

require (
	github.com/asyncutils-go/asyncutils/internal v0.1.0
	go.uber.org/goleak v1.3.0
)

replace github.com/asyncutils-go/asyncutils/internal => ../internal
