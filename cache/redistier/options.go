package redistier

import (
	"log/slog"
	"time"

	"github.com/benbjohnson/clock"
)

// Option configures a Tier; the With... functions make them.
type Option interface{ apply(*options) }

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

type options struct {
	codec             any // Codec[V], checked by New
	format, parse     any // func(K) string, func(string) (K, error), checked by New
	ttl, refresh      time.Duration
	timingSet         bool
	lease, timeout    time.Duration
	skew              time.Duration
	logger            *slog.Logger
	clock             clock.Clock
	codecSet, keySet  bool
	leaseSet, skewSet bool
	timeoutSet        bool
}

// Default values of the options.
const (
	DefaultLease   = time.Second            // WithLease
	DefaultTimeout = 100 * time.Millisecond // WithTimeout
	DefaultMaxSkew = 100 * time.Millisecond // WithMaxSkew
)

// WithCodec sets how values are written to Redis and read back. Its V must
// be the tier's value type, or New fails. Default: [JSON].
func WithCodec[V any](c Codec[V]) Option {
	return optionFunc(func(o *options) { o.codec, o.codecSet = c, true })
}

// WithKey sets the string form of keys in Redis (format) and its inverse
// (parse), with which a replica turns a key named in a fleet-wide change back
// into a key of its cache. format must be injective: two keys with one string
// form share one value in Redis. K must be the tier's key type, or New fails.
// Default: decimal or the string itself for keys whose type is a string or an
// integer kind; any other key type requires WithKey.
func WithKey[K comparable](format func(K) string, parse func(string) (K, error)) Option {
	return optionFunc(func(o *options) { o.format, o.parse, o.keySet = format, parse, true })
}

// WithTiming sets the TTL and the refresh window of the caches the tier
// feeds: give the same values to cache.New, most simply through
// [Tier.CacheOptions]. A value in Redis is used without calling the upstream
// while it is younger than the point where a cache may start reloading it,
// ttl - refresh - min(refresh/8, ttl-refresh) (the cache reloads up to an
// eighth of the refresh window early), less the skew bound. Default: the TTL
// and refresh of defaults.Current() at New.
func WithTiming(ttl, refresh time.Duration) Option {
	return optionFunc(func(o *options) { o.ttl, o.refresh, o.timingSet = ttl, refresh, true })
}

// WithLease sets how long one replica holds the right to load a key from the
// upstream, and so how long the others wait for its value before they load
// it themselves. Default: [DefaultLease].
func WithLease(d time.Duration) Option {
	return optionFunc(func(o *options) { o.lease, o.leaseSet = d, true })
}

// WithTimeout bounds each Redis call; a call that takes longer counts as a
// Redis error. Default: [DefaultTimeout]. It bounds a call through its ctx's
// deadline, which go-redis applies to the socket only with the client's
// ContextTimeoutEnabled option: without it a call to a hung Redis waits for
// the client's ReadTimeout (5s by default), and New logs a warning.
func WithTimeout(d time.Duration) Option {
	return optionFunc(func(o *options) { o.timeout, o.timeoutSet = d, true })
}

// WithMaxSkew sets the bound on the clock skew between replicas that the
// tier keeps the TTL for: every age read from Redis is counted that much
// older, and a value whose load time lies further than that in the future is
// treated as missing. 0 trusts the clocks to agree exactly. Default:
// [DefaultMaxSkew].
func WithMaxSkew(d time.Duration) Option {
	return optionFunc(func(o *options) { o.skew, o.skewSet = d, true })
}

// WithLogger sets the logger for Redis errors, values that do not decode and
// recoveries. Default (or nil): slog.Default() at the time of the event.
func WithLogger(logger *slog.Logger) Option {
	return optionFunc(func(o *options) { o.logger = logger })
}

// WithClock sets the clock that load times and ages are read from; every
// replica's clock must tell the same time, within the skew bound. Default:
// the real clock.
func WithClock(c clock.Clock) Option {
	return optionFunc(func(o *options) { o.clock = c })
}
