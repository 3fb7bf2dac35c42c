package redistier

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asyncutils-go/asyncutils/cache"
	"github.com/asyncutils-go/asyncutils/defaults"
	"github.com/benbjohnson/clock"
	"github.com/redis/go-redis/v9"
)

var (
	// ErrClosed is returned by Attach, Set and Invalidate after Close.
	ErrClosed = errors.New("redistier: closed")

	// ErrInvalidConfig is wrapped by the error of New for a bad argument or
	// option; the message names each problem.
	ErrInvalidConfig = errors.New("redistier: invalid configuration")
)

// Tier is the shared, Redis-backed tier under the local caches of a fleet.
// All its methods may be called concurrently.
type Tier[K comparable, V any] struct {
	client   redis.UniversalClient
	upstream cache.Loader[K, V]
	codec    Codec[V]
	format   func(K) string
	parse    func(string) (K, error)
	prefix   string // of every Redis key: "asyncutils:tier:" + name + ":"
	channel  string // of fleet-wide changes
	origin   uint64 // this tier's id in the messages it publishes
	logger   *slog.Logger
	clock    clock.Clock

	ttl, refresh time.Duration
	freshFor     time.Duration // a value read from Redis younger than this is used
	lease        time.Duration
	timeout      time.Duration
	skew         time.Duration

	health health
	stats  counters
	ownMu  sync.Mutex
	own    map[string]*sent[V] // per key's string form, this replica's changes on their way back (changes.go), under ownMu
	sends  uint64              // the changes this replica counted with sending, under ownMu

	mu      sync.Mutex
	caches  atomic.Pointer[[]*cache.Cache[K, V]] // copied on Attach
	psMu    sync.Mutex                           // held while the subscriber dials: not mu, which Attach takes
	ps      *redis.PubSub                        // the subscriber's, under psMu
	closed  atomic.Bool
	ready   chan struct{}      // closed when the subscriber first subscribed
	done    chan struct{}      // closed by Close
	stopped chan struct{}      // closed when the subscriber returns
	cancel  context.CancelFunc // of the subscriber's context
}

// New returns the tier named name (the namespace of its keys and channel in
// Redis: every replica of one cache uses the same name) over client, loading
// missing values with loader. It subscribes to the fleet's changes at once,
// on one goroutine that Close stops; Redis need not be up.
func New[K comparable, V any](client redis.UniversalClient, name string, loader cache.Loader[K, V], opts ...Option) (*Tier[K, V], error) {
	d := defaults.Current()
	o := &options{ttl: d.CacheTTL, refresh: d.CacheRefresh, lease: DefaultLease, timeout: DefaultTimeout, skew: DefaultMaxSkew}
	for _, opt := range opts {
		if opt != nil {
			opt.apply(o)
		}
	}
	t := &Tier[K, V]{
		client: client, upstream: loader, logger: o.logger, clock: o.clock,
		ttl: o.ttl, refresh: o.refresh, lease: o.lease, timeout: o.timeout, skew: o.skew,
		prefix: "asyncutils:tier:" + name + ":", channel: "asyncutils:tier:" + name + ":changes",
		origin: rand.Uint64(), ready: make(chan struct{}), done: make(chan struct{}), stopped: make(chan struct{}),
	}
	if t.clock == nil {
		t.clock = clock.New()
	}
	if err := t.configure(name, o); err != nil {
		return nil, err
	}
	if on, known := contextTimeouts(client); known && !on {
		t.log().Warn("redistier: the Redis client does not enable ContextTimeoutEnabled: WithTimeout cannot cut a call short, " +
			"and a hung Redis holds each load for the client's ReadTimeout; set ContextTimeoutEnabled: true in its options")
	}
	t.caches.Store(&[]*cache.Cache[K, V]{})
	ctx, cancel := context.WithCancel(context.Background())
	t.cancel = cancel
	go t.subscribe(ctx)
	return t, nil
}

// configure checks the arguments and options and sets what they decide.
func (t *Tier[K, V]) configure(name string, o *options) error {
	var problems []string
	if t.client == nil || isNilPointer(t.client) {
		problems = append(problems, "client is nil")
	}
	if name == "" || strings.ContainsAny(name, "{}") {
		problems = append(problems, fmt.Sprintf("name %q must be non-empty, without braces", name))
	}
	if t.upstream == nil {
		problems = append(problems, "loader is nil")
	}
	t.codec = JSON[V]()
	if o.codecSet {
		c, ok := o.codec.(Codec[V])
		if !ok || c == nil {
			problems = append(problems, fmt.Sprintf("WithCodec needs a non-nil Codec[%s], got %T", typeName[V](), o.codec))
		}
		t.codec = c
	}
	t.format, t.parse = defaultKey[K]()
	if o.keySet {
		f, fok := o.format.(func(K) string)
		p, pok := o.parse.(func(string) (K, error))
		if !fok || !pok || f == nil || p == nil {
			problems = append(problems, fmt.Sprintf("WithKey needs non-nil functions of key type %s, got %T and %T", typeName[K](), o.format, o.parse))
		}
		t.format, t.parse = f, p
	} else if t.format == nil {
		problems = append(problems, fmt.Sprintf("key type %s is neither a string nor an integer: give WithKey", typeName[K]()))
	}
	spread := min(t.refresh/8, t.ttl-t.refresh)
	t.freshFor = t.ttl - t.refresh - spread
	switch {
	case t.ttl <= 0 || t.refresh < 0 || t.refresh > t.ttl:
		problems = append(problems, fmt.Sprintf("timing is TTL %v, refresh %v: must be TTL > 0, 0 <= refresh <= TTL", t.ttl, t.refresh))
	case t.skew < 0:
		problems = append(problems, fmt.Sprintf("max skew is %v, must be >= 0", t.skew))
	case t.freshFor <= t.skew:
		problems = append(problems, fmt.Sprintf("TTL %v less refresh %v, its eighth and the max skew %v leaves no time a shared value is fresh", t.ttl, t.refresh, t.skew))
	}
	if t.lease <= 0 {
		problems = append(problems, fmt.Sprintf("lease is %v, must be > 0", t.lease))
	}
	if t.timeout <= 0 {
		problems = append(problems, fmt.Sprintf("timeout is %v, must be > 0", t.timeout))
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: %s", ErrInvalidConfig, strings.Join(problems, "; "))
	}
	return nil
}

func typeName[T any]() string { return fmt.Sprintf("%T", (*T)(nil))[1:] }

// Loader returns the loader to give to cache.New (or to use as a per-key
// loader): a load through it reads Redis first, and calls the upstream
// loader on one replica of the fleet at a time (see the package doc). It must
// run as a loader of a cache, so that the age of values from Redis reaches
// the cache; after Close it calls the upstream loader directly.
func (t *Tier[K, V]) Loader() cache.Loader[K, V] { return t.load }

// CacheOptions returns the cache options that make a cache agree with the
// tier's timing: cache.WithTTL and cache.WithRefresh with the values of
// [WithTiming]. Give them to cache.New with the tier's Loader.
func (t *Tier[K, V]) CacheOptions() []cache.Option {
	return []cache.Option{cache.WithTTL(t.ttl), cache.WithRefresh(t.refresh)}
}

// Attach makes the fleet-wide changes (Set and Invalidate on any replica's
// tier) reach c: an invalidation removes the key from c, a Set replaces the
// value c holds. Attaching c twice attaches it once. It fails with ErrClosed
// after Close.
func (t *Tier[K, V]) Attach(c *cache.Cache[K, V]) error {
	if c == nil {
		return errors.New("redistier: Attach: cache is nil")
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed.Load() {
		return ErrClosed
	}
	old := *t.caches.Load()
	for _, a := range old {
		if a == c {
			return nil
		}
	}
	caches := slices.Concat(old, []*cache.Cache[K, V]{c})
	t.caches.Store(&caches)
	return nil
}

// Close stops the subscriber and waits for it; loads in flight through the
// tier stop waiting for other replicas and load from the upstream. It does
// not close the client or the attached caches. Close is idempotent and
// returns nil.
func (t *Tier[K, V]) Close() error {
	t.mu.Lock()
	if !t.closed.Swap(true) {
		close(t.done)
		t.cancel()
	}
	t.mu.Unlock()
	t.psMu.Lock()
	if t.ps != nil {
		_ = t.ps.Close() // ends a receive in progress
	}
	t.psMu.Unlock()
	<-t.stopped
	return nil
}

// WaitSubscribed waits until the tier receives the fleet's changes (its
// subscription was confirmed once; after a reconnection it subscribes again
// by itself), for ctx, or until Close (ErrClosed). Changes published before
// are not received. Loads do not need it; a readiness check or a test that
// changes keys at once may.
func (t *Tier[K, V]) WaitSubscribed(ctx context.Context) error {
	if t.closed.Load() {
		return ErrClosed // ready and done may both be closed: select would pick either
	}
	select {
	case <-t.ready:
		return nil
	case <-t.done:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (t *Tier[K, V]) log() *slog.Logger {
	if t.logger != nil {
		return t.logger
	}
	return slog.Default()
}

// valueKey and leaseKey are the Redis keys of a key's record and lease. The
// key's string form is a Cluster hash tag ("=" keeps the tag non-empty for an
// empty key; a "}" in the key ends the tag at the same place in both), so
// both keys share a slot and the scripts that touch both run on one node.
func (t *Tier[K, V]) valueKey(ks string) string { return t.prefix + "{=" + ks + "}:v" }
func (t *Tier[K, V]) leaseKey(ks string) string { return t.prefix + "{=" + ks + "}:l" }

// call runs one Redis call under the tier's timeout.
func (t *Tier[K, V]) call(ctx context.Context, fn func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	return fn(ctx)
}

// isNilPointer reports whether v, non-nil as an interface, holds a nil
// pointer (a nil *redis.Client passed as a redis.UniversalClient).
func isNilPointer(v any) bool {
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}

// contextTimeouts reports whether client honours a ctx's deadline on its
// socket reads and writes (go-redis's ContextTimeoutEnabled), when client is
// one of go-redis's own clients (known).
func contextTimeouts(client redis.UniversalClient) (on, known bool) {
	switch c := client.(type) {
	case *redis.Client:
		return c.Options().ContextTimeoutEnabled, true
	case *redis.ClusterClient:
		return c.Options().ContextTimeoutEnabled, true
	case *redis.Ring:
		return c.Options().ContextTimeoutEnabled, true
	}
	return false, false
}
