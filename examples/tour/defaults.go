package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/asyncutils-go/asyncutils/defaults"
)

func init() { register(0, "defaults", tourDefaults) }

// tourDefaults shows the builtin defaults, a scoped override and a refused
// invalid value.
func tourDefaults(ctx context.Context, w io.Writer, _ config) error {
	b := defaults.Builtin()
	fmt.Fprintf(w, "builtin: cache TTL %v, refresh window %v, gather limit %d\n", b.CacheTTL, b.CacheRefresh, b.GatherLimit)

	v := defaults.Current()
	v.GatherLimit = 4
	scoped, err := defaults.NewContext(ctx, v)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "scoped override: gather limit %d inside, %d outside\n",
		defaults.FromContext(scoped).GatherLimit, defaults.FromContext(ctx).GatherLimit)

	bad := defaults.Current()
	bad.CacheRefresh = 2 * bad.CacheTTL
	err = defaults.Set(bad)
	if !errors.Is(err, defaults.ErrInvalid) {
		return fmt.Errorf("an invalid refresh window was accepted (err: %w)", err)
	}
	fmt.Fprintf(w, "refused: %v\n", err)
	if defaults.Current() != b {
		return errors.New("a refused Set changed the defaults")
	}
	return nil
}
