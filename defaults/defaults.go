package defaults

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"
)

// Values are the tunable defaults. The zero Values is invalid; start from
// [Builtin] or [Current] and change the fields you need.
type Values struct {
	CacheTTL     time.Duration // how long a cache entry lives; builtin 60s
	CacheRefresh time.Duration // how long before expiry a cache entry is reloaded; builtin 15s; 0 turns refresh-ahead off
	GatherLimit  int           // how many gather tasks run at once; builtin 8
}

// Builtin returns the documented builtin values: CacheTTL 60s, CacheRefresh
// 15s, GatherLimit 8. They are the Python asyncutils defaults.
func Builtin() Values {
	return Values{CacheTTL: 60 * time.Second, CacheRefresh: 15 * time.Second, GatherLimit: 8}
}

// Validate reports whether v is usable: CacheTTL > 0, 0 <= CacheRefresh <=
// CacheTTL, GatherLimit > 0. The error wraps [ErrInvalid] and names each
// field that breaks a rule.
func (v Values) Validate() error {
	var problems []string
	if v.CacheTTL <= 0 {
		problems = append(problems, fmt.Sprintf("CacheTTL is %v, must be > 0", v.CacheTTL))
	}
	if v.CacheRefresh < 0 {
		problems = append(problems, fmt.Sprintf("CacheRefresh is %v, must be >= 0", v.CacheRefresh))
	} else if v.CacheRefresh > v.CacheTTL {
		problems = append(problems, fmt.Sprintf("CacheRefresh is %v, must be <= CacheTTL (%v)", v.CacheRefresh, v.CacheTTL))
	}
	if v.GatherLimit <= 0 {
		problems = append(problems, fmt.Sprintf("GatherLimit is %d, must be > 0", v.GatherLimit))
	}
	if len(problems) == 0 {
		return nil
	}
	msg := problems[0]
	for _, p := range problems[1:] {
		msg += "; " + p
	}
	return fmt.Errorf("%w: %s", ErrInvalid, msg)
}

var current atomic.Pointer[Values]

func init() {
	b := Builtin()
	current.Store(&b)
}

// Current returns the process-wide values: [Builtin] until [Set] changes
// them. It is lock-free.
func Current() Values {
	return *current.Load()
}

// Set validates v and, when it is valid, makes it the process-wide values in
// one atomic swap. Invalid values return the validation error and change
// nothing. Set does not change objects already built from the old values.
func Set(v Values) error {
	if err := v.Validate(); err != nil {
		return err
	}
	current.Store(&v)
	return nil
}

type ctxKey struct{}

// NewContext returns a copy of ctx that carries v as the defaults for
// whatever reads [FromContext] of it, such as gather with a limit of 0.
// Invalid values return ctx itself and the validation error.
func NewContext(ctx context.Context, v Values) (context.Context, error) {
	if err := v.Validate(); err != nil {
		return ctx, err
	}
	return context.WithValue(ctx, ctxKey{}, v), nil
}

// FromContext returns the values carried by ctx (the innermost
// [NewContext]), or [Current] when ctx carries none.
func FromContext(ctx context.Context) Values {
	if v, ok := ctx.Value(ctxKey{}).(Values); ok {
		return v
	}
	return Current()
}
