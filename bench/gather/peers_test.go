package gatherbench_test

// Placeholder: pins the peers in go.mod until the benchmarks land.
import (
	_ "github.com/alitto/pond/v2"
	_ "github.com/asyncutils-go/asyncutils/gather"
	_ "github.com/sourcegraph/conc/iter"
	_ "github.com/sourcegraph/conc/pool"
	_ "golang.org/x/sync/errgroup"
)
