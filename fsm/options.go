package fsm

import "fmt"

// Option configures a [Machine] in [New].
type Option interface{ apply(*options) }

type options struct {
	history int
}

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

// WithHistory makes the machine remember its last n transitions, readable
// with [Machine.History]. 0 (the default) remembers nothing and costs
// nothing; n < 0 panics. The first 1,024 records are allocated with the
// machine, so that transitions allocate nothing; a longer history grows as
// it fills.
func WithHistory(n int) Option {
	if n < 0 {
		panic(fmt.Sprintf("fsm: WithHistory: negative size %d", n))
	}
	return optionFunc(func(o *options) { o.history = n })
}
