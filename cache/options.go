package cache

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/asyncutils-go/asyncutils/defaults"
)

// Option configures a [Cache] in [New] and [Cache.Configure].
type Option interface{ apply(*options) }

// Which options were given, so that Configure changes only those and can
// refuse the ones a running cache cannot change.
type optionSet uint32

const (
	setTTL optionSet = 1 << iota
	setRefresh
	setHandler
	setClock
	setLogger
	setMaxRefreshes
	setIdle
	setKeepWarm
	setBackoff
	setBound
	setRemoval
	setBatch
	setNegativeTTL
	setStaleIfError

	// fixedOptions cannot change on a running cache.
	fixedOptions = setClock | setLogger | setBound | setRemoval | setBatch
)

var optionNames = map[optionSet]string{
	setTTL: "WithTTL", setRefresh: "WithRefresh", setHandler: "WithErrorHandler",
	setClock: "WithClock", setLogger: "WithLogger", setMaxRefreshes: "WithMaxConcurrentRefreshes",
	setIdle: "WithIdleTimeout", setKeepWarm: "WithKeepWarm", setBackoff: "WithBackoff",
	setBound: "WithMaxSize/WithMaxWeight", setRemoval: "WithOnRemoval", setBatch: "WithBatch",
	setNegativeTTL: "WithNegativeTTL", setStaleIfError: "WithStaleIfError",
}

type options struct {
	set          optionSet
	ttl, refresh time.Duration
	handler      func(err error, batched bool)
	clock        clock.Clock
	logger       *slog.Logger
	maxRefreshes int
	idle         time.Duration
	keepWarm     bool
	backoffMin   time.Duration
	backoffMax   time.Duration
	maxSize      int
	maxWeight    int64
	weigher      any  // func(K, V) int64 of the cache's K and V; checked by New
	bounds       int  // how many of WithMaxSize and WithMaxWeight were given
	weighted     bool // the last of them was WithMaxWeight
	onRemoval    any  // func(K, V, RemovalCause); checked by New
	batchKeys    int
	batchWait    time.Duration
	negativeTTL  time.Duration
	staleIfError time.Duration
}

// Batching defaults of a bulk cache (NewBulk): a batch is sent when it holds
// 100 keys (a common bound of an SQL IN list or a multi-get) or 1ms after its
// first key joined it, so that a miss waits at most about a millisecond
// longer than it would alone, a fraction of the round trip it saves.
const (
	defaultBatchKeys = 100
	defaultBatchWait = time.Millisecond
)

// WithBatch bounds the batches of a cache made by [NewBulk]: a batch is sent
// to the bulk loader when it holds maxKeys keys, or maxWait after its first
// key joined it. maxKeys must be > 0 and maxWait >= 0 (0: a batch holds the
// keys that arrive while the previous one is being sent). Default: 100 keys,
// 1ms. It cannot be changed by Configure, and is an error for New.
func WithBatch(maxKeys int, maxWait time.Duration) Option {
	return optionFunc(func(o *options) { o.batchKeys, o.batchWait = maxKeys, maxWait; o.set |= setBatch })
}

// WithNegativeTTL caches "not found" answers for d: when a loader returns
// an error matching [ErrNotFound] (or a bulk loader leaves a key out), Gets
// of that key return [ErrNotFound] for d without reaching the loader. It
// must be >= 0; 0 (the default) caches nothing. Negative hits are counted
// in Stats.NegativeHits; a cached answer is never refreshed, and Peek,
// Contains and All do not see it. Under [WithMaxSize] or [WithMaxWeight] a
// cached answer is an entry of weight 1 (the weigher is not called: there is
// no value), evicted like any other, so that a flood of keys the loader does
// not find stays within the bound.
func WithNegativeTTL(d time.Duration) Option {
	return optionFunc(func(o *options) { o.negativeTTL = d; o.set |= setNegativeTTL })
}

// WithStaleIfError keeps serving a value past its TTL, for up to d more,
// while its background reloads keep failing: a Get of such a value returns
// it (counted in Stats.StaleHits) and the retries go on with backoff; once
// a reload succeeds the fresh value replaces it, and after TTL + d it
// expires as usual. This is the one exception to the TTL's hard bound, and
// it applies only to values whose last background reload failed. It must be
// >= 0; 0 (the default) turns it off.
func WithStaleIfError(d time.Duration) Option {
	return optionFunc(func(o *options) { o.staleIfError = d; o.set |= setStaleIfError })
}

// defaultMaxRefreshes is how many reloads the refresh loop runs at once by default.
const defaultMaxRefreshes = 16

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

// WithTTL sets how long an entry lives after it was loaded. It must be > 0;
// math.MaxInt64 means forever. Default: defaults.Current().CacheTTL (60s
// builtin).
func WithTTL(ttl time.Duration) Option {
	return optionFunc(func(o *options) { o.ttl = ttl; o.set |= setTTL })
}

// WithRefresh sets the refresh window: an entry whose age is over TTL -
// refresh is reloaded in the background while readers keep getting the
// current value. It must be >= 0 and <= TTL; 0 turns refresh-ahead off (a
// plain TTL cache). Default: the TTL scaled by the defaults' ratio
// (defaults.Current().CacheRefresh / CacheTTL, 15s/60s builtin: TTL/4), in
// New and in Configure alike, so that WithTTL alone is always valid; a
// window given explicitly is kept and checked.
func WithRefresh(refresh time.Duration) Option {
	return optionFunc(func(o *options) { o.refresh = refresh; o.set |= setRefresh })
}

// WithErrorHandler sets the function that receives the errors of background
// reloads: batched is true for reloads started by the refresh loop and false
// for single-key reloads (a Get in the refresh window, or Refresh). It runs
// on the reload's goroutine, with no lock of the cache held; a panic in it is
// recovered and logged. Without a handler (or nil), errors are logged at
// warning level. Reloads cancelled by Close are not failures: they are
// reported nowhere.
func WithErrorHandler(handler func(err error, batched bool)) Option {
	return optionFunc(func(o *options) { o.handler = handler; o.set |= setHandler })
}

// WithClock sets the clock every time is read from. Default: the real clock.
// It cannot be changed by Configure.
func WithClock(c clock.Clock) Option {
	return optionFunc(func(o *options) { o.clock = c; o.set |= setClock })
}

// WithLogger sets the logger for background errors that have no handler,
// and for panicking handlers. Default (or nil): slog.Default() at the time of
// the event. It cannot be changed by Configure.
func WithLogger(logger *slog.Logger) Option {
	return optionFunc(func(o *options) { o.logger = logger; o.set |= setLogger })
}

// WithMaxConcurrentRefreshes bounds how many reloads the refresh loop runs at
// once; due entries beyond the bound wait their turn. It must be > 0.
// Single-key reloads (Get in the refresh window, Refresh) are not counted:
// there is at most one per key. Default: 16.
func WithMaxConcurrentRefreshes(n int) Option {
	return optionFunc(func(o *options) { o.maxRefreshes = n; o.set |= setMaxRefreshes })
}

// WithIdleTimeout keeps the refresh loop reloading entries that were read
// within the last d, even if not since their last load. By default (0) the
// loop reloads an entry only if a Get was served from it since it was last
// loaded; the Get that caused a load counts as a read for the timeout, a Set
// or a Peek does not. A hit marks its value read without noting when (that
// keeps hits free of writes), so the reload of a value read since its load
// counts as its last read: an entry stays warm for at most d plus the
// refresh window after its last read. It must be >= 0.
func WithIdleTimeout(d time.Duration) Option {
	return optionFunc(func(o *options) { o.idle = d; o.set |= setIdle })
}

// WithKeepWarm makes the refresh loop reload every entry when it comes due,
// read or not, until it is removed (the Python cache's behaviour). The
// upstream's load then follows the number of keys stored, not the reads.
func WithKeepWarm() Option {
	return optionFunc(func(o *options) { o.keepWarm = true; o.set |= setKeepWarm })
}

// WithBackoff bounds the delay before a failed background reload is retried:
// the first retry waits about minDelay, each further failure doubles it up to
// maxDelay, and each delay is jittered down by up to half. Retries stop when
// the entry expires. Both must be > 0 and minDelay <= maxDelay;
// math.MaxInt64 means never. Default: refresh/16 and refresh/2 (at least
// 1ms), so that a few retries fit in the refresh window.
func WithBackoff(minDelay, maxDelay time.Duration) Option {
	return optionFunc(func(o *options) { o.backoffMin, o.backoffMax = minDelay, maxDelay; o.set |= setBackoff })
}

// WithMaxSize bounds the cache to at most n entries: when it is full, the
// eviction policy chooses which entries go. It must be > 0, and cannot be
// combined with [WithMaxWeight]. Default: unbounded.
func WithMaxSize(n int) Option {
	return optionFunc(func(o *options) { o.maxSize, o.weighted = n, false; o.bounds++; o.set |= setBound })
}

// WithMaxWeight bounds the total weight of the entries to max, where weigher
// gives the weight of each entry (a size in bytes, say) when it is stored;
// when the bound is passed, the eviction policy chooses which entries go.
// max must be > 0 and weigher non-nil and of the cache's key and value
// types; it cannot be combined with [WithMaxSize]. Default: unbounded.
//
// A max above math.MaxInt64/2 counts as math.MaxInt64/2, so that no sum of
// weights overflows. The weigher is called when a value is stored, and
// again for a value the policy evicts (for Stats.EvictedWeight): it must be
// a cheap, pure function of its arguments. A weigher that panics fails the
// load that stored the value (its callers get the panic as a *PanicError),
// and in Set the panic reaches Set's caller, with nothing stored.
//
// A weight of 0 or less counts as 0: the entry takes no share of the bound,
// so the bound does not limit how many such entries stay (they leave by
// expiry, Invalidate or Clear, or when the policy picks one as a victim). With
// an open key space, give every entry a weight of at least 1, or the bound
// does not bound memory.
func WithMaxWeight[K comparable, V any](max int64, weigher func(key K, value V) int64) Option {
	return optionFunc(func(o *options) {
		o.maxWeight, o.weighted = max, true
		o.bounds++
		o.set |= setBound
		o.weigher = nil
		if weigher != nil {
			o.weigher = weigher
		}
	})
}

// config is the part of the options Configure can change; the hit path reads
// it through one atomic pointer. Times are in nanoseconds.
type config struct {
	ttl          int64
	refresh      int64
	refreshAfter int64 // ttl - refresh: an entry older than this is due
	spread       int64 // the loop reloads an entry up to this long before it is due
	backoffMin   int64
	backoffMax   int64
	idle         int64
	keepWarm     bool
	maxRefreshes int
	handler      func(err error, batched bool)
	negativeTTL  int64
	staleIfError int64

	// What Get serves: a value up to serveFresh old as fresh, up to serveTTL
	// old from the refresh window. Close swaps in a copy with both at -1, so
	// that every Get takes the slow path, which reports ErrClosed, at no cost
	// to the hit path.
	serveFresh, serveTTL int64
}

// newConfig validates o and returns the configuration it makes.
func newConfig(o *options) (*config, error) {
	var problems []string
	ttl, refresh := o.ttl, o.refresh
	if ttl <= 0 {
		problems = append(problems, fmt.Sprintf("TTL is %v, must be > 0", ttl))
	}
	if refresh < 0 {
		problems = append(problems, fmt.Sprintf("refresh is %v, must be >= 0", refresh))
	} else if ttl > 0 && refresh > ttl {
		problems = append(problems, fmt.Sprintf("refresh is %v, must be <= TTL (%v)", refresh, ttl))
	}
	bmin, bmax := o.backoffMin, o.backoffMax
	if o.set&setBackoff != 0 {
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
	if o.negativeTTL < 0 {
		problems = append(problems, fmt.Sprintf("negative TTL is %v, must be >= 0", o.negativeTTL))
	}
	if o.staleIfError < 0 {
		problems = append(problems, fmt.Sprintf("stale-if-error is %v, must be >= 0", o.staleIfError))
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
		idle:         int64(o.idle),
		keepWarm:     o.keepWarm,
		maxRefreshes: o.maxRefreshes,
		handler:      o.handler,
		negativeTTL:  int64(o.negativeTTL),
		staleIfError: int64(o.staleIfError),
		serveFresh:   int64(ttl - refresh),
		serveTTL:     int64(ttl),
	}, nil
}

// closedConfig is cfg as Get sees it after Close.
func closedConfig(cfg *config) *config {
	c := *cfg
	c.serveFresh, c.serveTTL, c.negativeTTL, c.staleIfError = -1, -1, -1, 0
	return &c
}

// buildOptions applies opts to the defaults.
func buildOptions(opts []Option) *options {
	d := defaults.Current()
	o := &options{ttl: d.CacheTTL, maxRefreshes: defaultMaxRefreshes}
	applyOptions(o, opts)
	o.followTTL(d)
	return o
}

func applyOptions(o *options, opts []Option) {
	for _, opt := range opts {
		if opt != nil {
			opt.apply(o)
		}
	}
}

// followTTL sets the refresh window of a cache whose refresh was never given
// explicitly: the TTL scaled by the defaults' ratio (15s / 60s builtin:
// TTL/4), computed without overflow for any TTL, "forever" included.
func (o *options) followTTL(d defaults.Values) {
	if o.set&setRefresh != 0 {
		return
	}
	switch {
	case o.ttl <= 0 || d.CacheTTL <= 0:
		o.refresh = 0
	case o.ttl == d.CacheTTL:
		o.refresh = d.CacheRefresh
	case d.CacheRefresh >= d.CacheTTL:
		o.refresh = o.ttl
	default:
		r := float64(o.ttl) * (float64(d.CacheRefresh) / float64(d.CacheTTL))
		if r >= float64(o.ttl) {
			o.refresh = o.ttl
		} else {
			o.refresh = time.Duration(r)
		}
	}
}

// fixedNames names the options in set that cannot change on a running cache.
func fixedNames(set optionSet) []string {
	var names []string
	for bit := optionSet(1); bit <= setStaleIfError; bit <<= 1 {
		if set&bit&fixedOptions != 0 {
			names = append(names, optionNames[bit])
		}
	}
	return names
}
