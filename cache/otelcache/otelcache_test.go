package otelcache_test

import (
	"errors"
	"maps"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/asyncutils-go/asyncutils/cache"
	"github.com/asyncutils-go/asyncutils/cache/otelcache"
)

// A cache of any key and value types is a Source.
var (
	_ otelcache.Source = (*cache.Cache[string, int])(nil)
	_ otelcache.Source = (*cache.Cache[struct{ a, b int }, []byte])(nil)
)

// TestRegister_AfterTraffic drives a real cache through hits, misses, a
// failed load and a refresh, and reads what the manual reader exports:
// every figure, with its kind, unit and cache.name; then more traffic, and
// the next collection has the new values.
func TestRegister_AfterTraffic(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newReader(t)
		c := newCache(t, cache.WithTTL(10*time.Second), cache.WithRefresh(4*time.Second))
		reg, err := otelcache.Register(r.provider.Meter(otelcache.ScopeName), "users", c)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = reg.Unregister() }()
		for _, k := range []string{"ann", "ann", "ann", "bob", "bad"} {
			_, _ = c.Get(bg, k)
		}
		if err := c.Refresh(bg, "ann"); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		got := r.mustCollect(t)
		want := map[string]point{
			"cache.requests cache.name=users,cache.request.result=hit":  {2, true, "{request}"},
			"cache.requests cache.name=users,cache.request.result=miss": {3, true, "{request}"},
			"cache.loads cache.name=users":                              {3, true, "{load}"},
			"cache.load.errors cache.name=users":                        {1, true, "{error}"},
			"cache.refreshes cache.name=users":                          {1, true, "{refresh}"},
			"cache.refresh.errors cache.name=users":                     {0, true, "{error}"},
			"cache.expirations cache.name=users":                        {int64(c.Stats().Expirations), true, "{expiration}"},
			"cache.evictions cache.name=users":                          {0, true, "{eviction}"},
			"cache.evicted.weight cache.name=users":                     {0, true, "{weight}"},
			"cache.negative.hits cache.name=users":                      {0, true, "{request}"},
			"cache.stale.hits cache.name=users":                         {0, true, "{request}"},
			"cache.entry.count cache.name=users":                        {2, false, "{entry}"},
		}
		if !maps.Equal(got, want) {
			t.Fatalf("exported:\n%v\nwant:\n%v", got, want)
		}

		for range 5 {
			_, _ = c.Get(bg, "ann")
		}
		_, _ = c.Get(bg, "cat")
		c.Invalidate("bob")
		got = r.mustCollect(t)
		if g := got["cache.requests cache.name=users,cache.request.result=hit"].Value; g != 7 {
			t.Errorf("hits after 5 more = %d, want 7", g)
		}
		if g := got["cache.requests cache.name=users,cache.request.result=miss"].Value; g != 4 {
			t.Errorf("misses after one more = %d, want 4", g)
		}
		if g := got["cache.entry.count cache.name=users"].Value; g != 2 {
			t.Errorf("entries after one added and one invalidated = %d, want 2", g)
		}
		if !maps.Equal(values(got), expected("users", c)) {
			t.Errorf("exported %v, want the cache's figures %v", values(got), expected("users", c))
		}
	})
}

// TestRegister_Unregister: after Unregister the source is not read and its
// figures are gone from the next collection; another registration on the
// same instruments goes on.
func TestRegister_Unregister(t *testing.T) {
	r := newReader(t)
	meter := r.provider.Meter(otelcache.ScopeName)
	a, b := newCache(t), newCache(t)
	_, _ = a.Get(bg, "x")
	_, _ = b.Get(bg, "y")
	_, _ = b.Get(bg, "y")
	regA, err := otelcache.Register(meter, "a", a)
	if err != nil {
		t.Fatal(err)
	}
	counted := &fixed{}
	counted.set(a.Metrics()...)
	regC, err := otelcache.Register(meter, "counted", counted)
	if err != nil {
		t.Fatal(err)
	}
	regB, err := otelcache.Register(meter, "b", b)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = regB.Unregister() }()
	want := expected("a", a)
	maps.Copy(want, expected("b", b))
	maps.Copy(want, expected("counted", counted))
	if got := values(r.mustCollect(t)); !maps.Equal(got, want) {
		t.Fatalf("three caches on one meter:\n%v\nwant:\n%v", got, want)
	}

	if err := regA.Unregister(); err != nil {
		t.Fatal(err)
	}
	if err := regC.Unregister(); err != nil {
		t.Fatal(err)
	}
	calls := counted.calls.Load()
	got := values(r.mustCollect(t))
	if n := counted.calls.Load(); n != calls {
		t.Errorf("the source was read %d times after Unregister", n-calls)
	}
	if want := expected("b", b); !maps.Equal(got, want) {
		t.Fatalf("after unregistering a and counted:\n%v\nwant only b:\n%v", got, want)
	}
}

// TestRegister_Source exports a source that is not a cache, as a fleet
// tier would: its own figures, with and without attributes, counters and
// levels.
func TestRegister_Source(t *testing.T) {
	r := newReader(t)
	tier := &fixed{}
	tier.set(
		cache.Metric{Name: "cache.remote.errors", Unit: "{error}", Description: "Remote calls that failed.",
			Attr: cache.Attr{Key: "error.type", Value: "timeout"}, Value: 4},
		cache.Metric{Name: "cache.remote.errors", Unit: "{error}", Description: "Remote calls that failed.",
			Attr: cache.Attr{Key: "error.type", Value: "refused"}, Value: 1},
		cache.Metric{Name: "cache.lease.waits", Unit: "{wait}", Description: "Waits for another node's lease.", Value: 9},
		cache.Metric{Name: "cache.lease.count", Unit: "{lease}", Description: "Leases held now.", Gauge: true, Value: 2},
	)
	reg, err := otelcache.Register(r.provider.Meter(otelcache.ScopeName), "fleet", tier,
		otelcache.WithAttributes(attribute.String("cache.tier", "redis")))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = reg.Unregister() }()
	want := map[string]point{
		"cache.remote.errors cache.name=fleet,cache.tier=redis,error.type=timeout": {4, true, "{error}"},
		"cache.remote.errors cache.name=fleet,cache.tier=redis,error.type=refused": {1, true, "{error}"},
		"cache.lease.waits cache.name=fleet,cache.tier=redis":                      {9, true, "{wait}"},
		"cache.lease.count cache.name=fleet,cache.tier=redis":                      {2, false, "{lease}"},
	}
	if got := r.mustCollect(t); !maps.Equal(got, want) {
		t.Fatalf("exported:\n%v\nwant:\n%v", got, want)
	}
}

// TestRegister_BadInput: every bad input is an error naming the package and
// the problem, wrapping ErrInvalid, and registers nothing.
func TestRegister_BadInput(t *testing.T) {
	good := cache.Metric{Name: "cache.loads", Unit: "{load}", Description: "Loads.", Value: 1}
	src := func(ms ...cache.Metric) *fixed {
		f := &fixed{}
		f.set(ms...)
		return f
	}
	hit := cache.Metric{Name: "cache.requests", Unit: "{request}", Description: "Gets.", Attr: cache.Attr{Key: "cache.request.result", Value: "hit"}}
	miss := hit
	miss.Attr.Value = "miss"
	tests := []struct {
		name    string
		meter   bool
		cache   string
		src     otelcache.Source
		opts    []otelcache.Option
		wantMsg string
	}{
		{"nil meter", false, "c", src(good), nil, "nil meter"},
		{"empty name", true, "", src(good), nil, "empty cache name"},
		{"nil source", true, "c", nil, nil, "nil source"},
		{"no figures", true, "c", src(), nil, "no figures"},
		{"a figure twice", true, "c", src(good, good), nil, "figure cache.loads returned twice"},
		{"one name, two units", true, "c", src(hit, func() cache.Metric { m := miss; m.Unit = "1"; return m }()), nil, "differ"},
		{"one name, counter and gauge", true, "c", src(hit, func() cache.Metric { m := miss; m.Gauge = true; return m }()), nil, "differ"},
		{"one name, two attribute keys", true, "c", src(hit, func() cache.Metric { m := miss; m.Attr.Key = "x"; return m }()), nil, "differ"},
		{"figure attribute cache.name", true, "c", src(func() cache.Metric { m := good; m.Attr = cache.Attr{Key: "cache.name", Value: "x"}; return m }()), nil, "cache.name"},
		{"WithAttributes cache.name", true, "c", src(good), []otelcache.Option{otelcache.WithAttributes(attribute.String("cache.name", "x"))}, "cache.name is given by Register"},
		{"WithAttributes over a figure attribute", true, "c", src(hit, miss), []otelcache.Option{otelcache.WithAttributes(attribute.String("cache.request.result", "x"))}, "cache.request.result is the attribute"},
		{"WithAttributes without a key", true, "c", src(good), []otelcache.Option{otelcache.WithAttributes(attribute.String("", "x"))}, "no key"},
		{"nil option", true, "c", src(good), []otelcache.Option{nil}, "nil option"},
		{"panicking source", true, "c", func() otelcache.Source { f := src(good); f.setPanic("boom"); return f }(), nil, "the source's Metrics: panic: boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newReader(t)
			var meter metric.Meter
			if tt.meter {
				meter = r.provider.Meter(otelcache.ScopeName)
			}
			reg, err := otelcache.Register(meter, tt.cache, tt.src, tt.opts...)
			if err == nil || reg != nil {
				t.Fatalf("Register = %v, %v; want nil and an error", reg, err)
			}
			if !strings.HasPrefix(err.Error(), "otelcache: ") || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q: want the prefix otelcache: and %q", err, tt.wantMsg)
			}
			var pe *cache.PanicError
			if tt.name == "panicking source" {
				if !errors.As(err, &pe) || pe.Value != "boom" {
					t.Errorf("error %v does not wrap the *cache.PanicError", err)
				}
			} else if !errors.Is(err, otelcache.ErrInvalid) {
				t.Errorf("error %v does not wrap ErrInvalid", err)
			}
			if got := r.mustCollect(t); len(got) != 0 {
				t.Errorf("a failed Register exported %v", got)
			}
		})
	}
}

// TestRegister_MeterRefuses: an instrument name the SDK refuses is the
// SDK's error, and nothing is registered.
func TestRegister_MeterRefuses(t *testing.T) {
	r := newReader(t)
	f := &fixed{}
	f.set(cache.Metric{Name: "9 lives", Unit: "1", Description: "Not a name."})
	reg, err := otelcache.Register(r.provider.Meter(otelcache.ScopeName), "c", f)
	if !errors.Is(err, sdkmetric.ErrInstrumentName) || reg != nil {
		t.Fatalf("Register = %v, %v; want an error wrapping the SDK's ErrInstrumentName", reg, err)
	}
}

// TestCollect_SourceFailures: a source that panics during a collection, or
// returns a figure it did not have at Register, makes that collection
// report an error naming the cache; the other registrations, and the
// source's other figures, are still exported.
func TestCollect_SourceFailures(t *testing.T) {
	r := newReader(t)
	meter := r.provider.Meter(otelcache.ScopeName)
	c := newCache(t)
	_, _ = c.Get(bg, "x")
	regC, err := otelcache.Register(meter, "good", c)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = regC.Unregister() }()
	f := &fixed{}
	loads := cache.Metric{Name: "cache.loads", Unit: "{load}", Description: "Synchronous loader calls: a missing or expired key, or Load.", Value: 5}
	f.set(loads)
	regF, err := otelcache.Register(meter, "flaky", f)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = regF.Unregister() }()

	f.set(loads, cache.Metric{Name: "cache.new", Unit: "1", Description: "New.", Value: 1})
	got, err := r.collect(t)
	if err == nil || !strings.Contains(errString(err), `otelcache: "flaky": figure cache.new was not there at Register`) {
		t.Errorf("Collect error = %v, want one naming the figure cache.new", err)
	}
	want := expected("good", c)
	want["cache.loads cache.name=flaky"] = 5
	if !maps.Equal(values(got), want) {
		t.Errorf("exported:\n%v\nwant:\n%v", values(got), want)
	}

	f.setPanic(errDown)
	got, err = r.collect(t)
	var pe *cache.PanicError
	if !errors.As(err, &pe) || !errors.Is(err, errDown) || !strings.Contains(errString(err), `otelcache: "flaky": the source's Metrics: panic:`) {
		t.Errorf("Collect error = %v, want the source's panic as a *cache.PanicError", err)
	}
	if want := expected("good", c); !maps.Equal(values(got), want) {
		t.Errorf("with a panicking source, exported:\n%v\nwant the good cache's:\n%v", values(got), want)
	}
}

// TestRegister_NoopMeter: a program without an SDK (the noop meter) gets a
// registration that does nothing, and no error.
func TestRegister_NoopMeter(t *testing.T) {
	c := newCache(t)
	reg, err := otelcache.Register(noop.NewMeterProvider().Meter(otelcache.ScopeName), "c", c)
	if err != nil {
		t.Fatal(err)
	}
	if err := reg.Unregister(); err != nil {
		t.Fatal(err)
	}
}

// TestRegister_ConcurrentSafe collects while caches serve traffic and while
// other caches register and unregister; under -race, and every collection
// sees counters that never go down.
func TestRegister_ConcurrentSafe(t *testing.T) {
	r := newReader(t)
	meter := r.provider.Meter(otelcache.ScopeName)
	c := newCache(t)
	reg, err := otelcache.Register(meter, "busy", c)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = reg.Unregister() }()
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for g := range 4 {
		wg.Go(func() {
			keys := []string{"a", "bb", "ccc", "bad"}
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				_, _ = c.Get(bg, keys[(i+g)%len(keys)])
				if i%50 == 0 {
					c.Invalidate(keys[i%len(keys)])
				}
			}
		})
	}
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			other := newCache(t)
			reg, err := otelcache.Register(meter, "churn", other)
			if err != nil {
				t.Error(err)
				return
			}
			if err := reg.Unregister(); err != nil {
				t.Error(err)
				return
			}
		}
	})
	prev := map[string]int64{}
	for range 200 {
		got := r.mustCollect(t)
		for k, p := range got {
			if !strings.Contains(k, "cache.name=busy") {
				continue
			}
			if p.Monotonic && p.Value < prev[k] {
				t.Fatalf("%s went down: %d after %d", k, p.Value, prev[k])
			}
			prev[k] = p.Value
		}
	}
	close(stop)
	wg.Wait()
	if prev["cache.requests cache.name=busy,cache.request.result=hit"] == 0 {
		t.Errorf("no hits exported after the traffic: %v", prev)
	}
}

// TestRegister_SameName: two caches under one name observe one series, and
// the SDK adds them up, as the doc says.
func TestRegister_SameName(t *testing.T) {
	r := newReader(t)
	meter := r.provider.Meter(otelcache.ScopeName)
	a, b := newCache(t), newCache(t)
	_, _ = a.Get(bg, "x")
	_, _ = b.Get(bg, "y")
	_, _ = b.Get(bg, "z")
	for _, c := range []*cache.Cache[string, int]{a, b} {
		reg, err := otelcache.Register(meter, "shards", c)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = reg.Unregister() }()
	}
	got := r.mustCollect(t)
	if g := got["cache.loads cache.name=shards"].Value; g != 3 {
		t.Errorf("loads of two caches named shards = %d, want 1 + 2", g)
	}
	if g := got["cache.entry.count cache.name=shards"].Value; g != 3 {
		t.Errorf("entries of two caches named shards = %d, want 1 + 2", g)
	}
}
