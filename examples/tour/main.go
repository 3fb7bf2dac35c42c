// Command tour shows every asyncutils module doing its job. Run it from the
// repository root:
//
//	go run ./examples/tour
//
// It exits non-zero when anything it shows went wrong.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	flag.Parse()
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "tour:", err)
		os.Exit(1)
	}
}

// run runs every section of the tour, writing to w, and returns the first
// section's failure.
func run(ctx context.Context, w io.Writer) error {
	sections := []struct {
		name string
		fn   func(context.Context, io.Writer) error
	}{
		{"defaults", tourDefaults},
	}
	for _, s := range sections {
		fmt.Fprintf(w, "== %s ==\n", s.name)
		if err := s.fn(ctx, w); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "tour: all sections passed")
	return nil
}
