// Command tour shows every asyncutils module doing its job against an
// upstream HTTP service it starts in-process (slow, and sometimes failing).
// Run it from the repository root:
//
//	go run ./examples/tour
//	go run ./examples/tour -items 200 -duration 3s
//
// It exits non-zero when anything it shows went wrong.
package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"time"
)

// config is what the flags set; every section reads it.
type config struct {
	items    int           // how many items the sections fetch or handle
	duration time.Duration // how long the timed sections (the cache's readers) run
	readers  int           // concurrent readers in the cache section
}

func defaultConfig() config {
	return config{items: 64, duration: 1500 * time.Millisecond, readers: 8}
}

// section is one part of the tour. Each file registers its own section in
// init, so that adding one touches no other file.
type section struct {
	order int
	name  string
	run   func(ctx context.Context, w io.Writer, cfg config) error
}

var sections []section

func register(order int, name string, run func(context.Context, io.Writer, config) error) {
	sections = append(sections, section{order: order, name: name, run: run})
}

func main() {
	cfg := defaultConfig()
	flag.IntVar(&cfg.items, "items", cfg.items, "how many items the sections fetch or handle")
	flag.DurationVar(&cfg.duration, "duration", cfg.duration, "how long the cache section's readers run")
	flag.IntVar(&cfg.readers, "readers", cfg.readers, "concurrent readers in the cache section")
	flag.Parse()
	if cfg.items <= 0 || cfg.duration <= 0 || cfg.readers <= 0 {
		fmt.Fprintln(os.Stderr, "tour: -items, -duration and -readers must be > 0")
		os.Exit(2)
	}
	if err := run(context.Background(), os.Stdout, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "tour:", err)
		os.Exit(1)
	}
}

// run runs every section in order, writing to w, and returns the first
// section's failure.
func run(ctx context.Context, w io.Writer, cfg config) error {
	ordered := slices.Clone(sections)
	slices.SortFunc(ordered, func(a, b section) int { return cmp.Compare(a.order, b.order) })
	for _, s := range ordered {
		fmt.Fprintf(w, "== %s ==\n", s.name)
		if err := s.run(ctx, w, cfg); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "tour: all sections passed")
	return nil
}
