package cache

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/asyncutils-go/asyncutils/defaults"
)

// Option configures a [Cache] in [New].
type Option interface{ apply(*options) }

type options struct {
	ttl, refresh time.Duration
	refreshSet   bool // WithRefresh was given; otherwise refresh follows the TTL
	handler      func(err error, batched bool)
	clock        clock.Clock
	logger       *slog.Logger
	maxRefreshes int
	idle         time.Duration
	backoffMin   time.Duration
	backoffMax   time.Duration
	backoffSet   bool
	maxSize      int
	maxWeight    int64
	weigher      any // func(K, V) int64 of the cache's K and V; checked by New
	boundSet     int // how many of WithMaxSize and WithMaxWeight were given
}

// defaultMaxRefreshes is how many reloads the refresh loop runs at once by default.
const defaultMaxRefreshes = 16

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

// WithTTL sets how long an entry lives after it was loaded. It must be > 0.
// Default: defaults.Current().CacheTTL (60s builtin).
func WithTTL(ttl time.Duration) Option {
	return optionFunc(func(o *options) { o.ttl = ttl })
}

// WithRefresh sets the refresh window: an entry whose age is over TTL -
// refresh is reloaded in the background while readers keep getting the
// current value. It must be >= 0 and <= TTL; 0 turns refresh-ahead off (a
// plain TTL cache). Default: the TTL scaled by the defaults' ratio
// (defaults.Current().CacheRefresh / CacheTTL, 15s/60s builtin: TTL/4), so
// that WithTTL alone is always valid; a window given explicitly is kept and
// checked.
func WithRefresh(refresh time.Duration) Option {
	return optionFunc(func(o *options) { o.refresh, o.refreshSet = refresh, true })
}

// WithErrorHandler sets the function that receives the errors of background
// reloads: batched is true for reloads started by the refresh loop and false
// for single-key reloads (a Get in the refresh window, or Refresh). It runs
// on the reload's goroutine, with no lock of the cache held; a panic in it is
// recovered and logged. Without a handler, errors are logged at warning
// level.
func WithErrorHandler(handler func(err error, batched bool)) Option {
	return optionFunc(func(o *options) { o.handler = handler })
}

// WithClock sets the clock every time is read from. Default: the real clock.
func WithClock(c clock.Clock) Option {
	return optionFunc(func(o *options) { o.clock = c })
}

// WithLogger sets the logger for background errors that have no handler,
// and for panicking handlers. Default (or nil): slog.Default() at the time of
// the event.
func WithLogger(logger *slog.Logger) Option {
	return optionFunc(func(o *options) { o.logger = logger })
}

// WithMaxConcurrentRefreshes bounds how many reloads the refresh loop runs at
// once; due entries beyond the bound wait their turn. It must be > 0.
// Single-key reloads (Get in the refresh window, Refresh) are not counted:
// there is at most one per key. Default: 16.
func WithMaxConcurrentRefreshes(n int) Option {
	return optionFunc(func(o *options) { o.maxRefreshes = n })
}

// WithIdleTimeout stops refreshing entries nobody has read for d: when such
// an entry comes due, the loop lets it expire at its TTL instead of reloading
// it. It must be >= 0; 0 (the default) refreshes every entry.
func WithIdleTimeout(d time.Duration) Option {
	return optionFunc(func(o *options) { o.idle = d })
}

// WithBackoff bounds the delay before a failed background reload is retried:
// the first retry waits about minDelay, each further failure doubles it up to
// maxDelay, and each delay is jittered down by up to half. Retries stop when
// the entry expires. Both must be > 0 and minDelay <= maxDelay. Default:
// refresh/16 and refresh/2 (at least 1ms), so that a few retries fit in the
// refresh window.
func WithBackoff(minDelay, maxDelay time.Duration) Option {
	return optionFunc(func(o *options) { o.backoffMin, o.backoffMax, o.backoffSet = minDelay, maxDelay, true })
}

// WithMaxSize bounds the cache to at most n entries: when it is full, the
// eviction policy chooses which entries go. It must be > 0, and cannot be
// combined with [WithMaxWeight]. Default: unbounded.
func WithMaxSize(n int) Option {
	return optionFunc(func(o *options) { o.maxSize = n; o.boundSet++ })
}

// WithMaxWeight bounds the total weight of the entries to max, where weigher
// gives the weight of each entry (a size in bytes, say) when it is stored;
// when the bound is passed, the eviction policy chooses which entries go.
// max must be > 0 and weigher non-nil and of the cache's key and value
// types; it cannot be combined with [WithMaxSize]. Default: unbounded.
func WithMaxWeight[K comparable, V any](max int64, weigher func(key K, value V) int64) Option {
	return optionFunc(func(o *options) {
		o.maxWeight = max
		o.boundSet++
		if weigher != nil {
			o.weigher = weigher
		} else {
			o.weigher = nil
		}
	})
}

// config is the part of the options Configure can change; the hit path reads
// it through one atomic pointer.
type config struct {
	ttl          int64 // nanoseconds
	refresh      int64
	refreshAfter int64 // ttl - refresh: an entry older than this is due
	spread       int64 // the loop reloads an entry up to this long before it is due
	backoffMin   int64
	backoffMax   int64
	handler      func(err error, batched bool)
}

func newConfig(ttl, refresh time.Duration, handler func(error, bool), o *options) (*config, error) {
	var problems []string
	if ttl <= 0 {
		problems = append(problems, fmt.Sprintf("TTL is %v, must be > 0", ttl))
	}
	if refresh < 0 {
		problems = append(problems, fmt.Sprintf("refresh is %v, must be >= 0", refresh))
	} else if ttl > 0 && refresh > ttl {
		problems = append(problems, fmt.Sprintf("refresh is %v, must be <= TTL (%v)", refresh, ttl))
	}
	bmin, bmax := o.backoffMin, o.backoffMax
	if o.backoffSet {
		if bmin <= 0 || bmax <= 0 || bmin > bmax {
			problems = append(problems, fmt.Sprintf("backoff is %v..%v, must be > 0 with min <= max", bmin, bmax))
		}
	} else {
		bmin, bmax = max(refresh/16, time.Millisecond), max(refresh/2, time.Millisecond)
	}
	if o.maxRefreshes <= 0 {
		problems = append(problems, fmt.Sprintf("max concurrent refreshes is %d, must be > 0", o.maxRefreshes))
	}
	if o.idle < 0 {
		problems = append(problems, fmt.Sprintf("idle timeout is %v, must be >= 0", o.idle))
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrInvalidConfig, strings.Join(problems, "; "))
	}
	return &config{
		ttl:          int64(ttl),
		refresh:      int64(refresh),
		refreshAfter: int64(ttl - refresh),
		spread:       int64(min(refresh/8, ttl-refresh)),
		backoffMin:   int64(bmin),
		backoffMax:   int64(bmax),
		handler:      handler,
	}, nil
}

func buildOptions(opts []Option) *options {
	d := defaults.Current()
	o := &options{ttl: d.CacheTTL, refresh: d.CacheRefresh, maxRefreshes: defaultMaxRefreshes}
	for _, opt := range opts {
		if opt != nil {
			opt.apply(o)
		}
	}
	if !o.refreshSet {
		o.refresh = followTTL(o.ttl, d)
	}
	return o
}

// followTTL is the refresh window of a cache whose refresh was not given:
// the TTL scaled by the defaults' ratio (15s / 60s builtin: TTL/4), computed
// without overflow for any TTL, "forever" included.
func followTTL(ttl time.Duration, d defaults.Values) time.Duration {
	if ttl <= 0 || d.CacheTTL <= 0 {
		return 0
	}
	if ttl == d.CacheTTL {
		return d.CacheRefresh
	}
	r := float64(ttl) * (float64(d.CacheRefresh) / float64(d.CacheTTL))
	if r >= float64(ttl) {
		return ttl
	}
	return time.Duration(r)
}
