package defaults_test

import (
	"context"
	"fmt"
	"time"

	"github.com/asyncutils-go/asyncutils/defaults"
)

func ExampleBuiltin() {
	b := defaults.Builtin()
	fmt.Println(b.CacheTTL, b.CacheRefresh, b.GatherLimit)
	// Output: 1m0s 15s 8
}

func ExampleValues_Validate() {
	v := defaults.Builtin()
	v.CacheRefresh = 2 * time.Minute // longer than the TTL
	fmt.Println(v.Validate())
	// Output: defaults: invalid values: CacheRefresh is 2m0s, must be <= CacheTTL (1m0s)
}

func ExampleSet() {
	prev := defaults.Current()
	defer func() { _ = defaults.Set(prev) }()

	v := defaults.Current()
	v.GatherLimit = 32
	if err := defaults.Set(v); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(defaults.Current().GatherLimit)

	// Invalid values are refused and change nothing.
	v.GatherLimit = 0
	fmt.Println(defaults.Set(v))
	fmt.Println(defaults.Current().GatherLimit)
	// Output:
	// 32
	// defaults: invalid values: GatherLimit is 0, must be > 0
	// 32
}

func ExampleNewContext() {
	v := defaults.Current()
	v.GatherLimit = 2
	ctx, err := defaults.NewContext(context.Background(), v)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(defaults.FromContext(ctx).GatherLimit)                  // the override
	fmt.Println(defaults.FromContext(context.Background()).GatherLimit) // the process-wide value
	// Output:
	// 2
	// 8
}
