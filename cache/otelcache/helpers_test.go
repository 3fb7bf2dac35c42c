package otelcache_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/asyncutils-go/asyncutils/cache"
)

var bg = context.Background()

// reader is a meter provider with a manual reader: the test decides when
// the callbacks run.
type reader struct {
	*sdkmetric.ManualReader
	provider *sdkmetric.MeterProvider
}

func newReader(t *testing.T) *reader {
	t.Helper()
	r := sdkmetric.NewManualReader()
	p := sdkmetric.NewMeterProvider(sdkmetric.WithReader(r))
	t.Cleanup(func() {
		if err := p.Shutdown(bg); err != nil {
			t.Error(err)
		}
	})
	return &reader{r, p}
}

// point is one data point as a test compares it.
type point struct {
	Value     int64
	Monotonic bool // a counter; false: an up-down counter
	Unit      string
}

// collect runs the callbacks and returns every int64 sum data point, keyed
// by "name attr=value,attr=value" with the attributes sorted, and the
// collection's error.
func (r *reader) collect(t *testing.T) (map[string]point, error) {
	t.Helper()
	var rm metricdata.ResourceMetrics
	err := r.Collect(bg, &rm)
	out := map[string]point{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			sum, ok := m.Data.(metricdata.Sum[int64])
			if !ok {
				t.Fatalf("%s: data is %T, want metricdata.Sum[int64]", m.Name, m.Data)
			}
			if sum.Temporality != metricdata.CumulativeTemporality {
				t.Fatalf("%s: temporality %v, want cumulative", m.Name, sum.Temporality)
			}
			for _, dp := range sum.DataPoints {
				k := m.Name + " " + attrString(dp.Attributes)
				if _, dup := out[k]; dup {
					t.Fatalf("data point %s twice", k)
				}
				out[k] = point{Value: dp.Value, Monotonic: sum.IsMonotonic, Unit: m.Unit}
			}
		}
	}
	return out, err
}

// mustCollect is collect for a collection that must not fail.
func (r *reader) mustCollect(t *testing.T) map[string]point {
	t.Helper()
	got, err := r.collect(t)
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	return got
}

func attrString(s attribute.Set) string {
	var parts []string
	for _, kv := range s.ToSlice() {
		parts = append(parts, string(kv.Key)+"="+kv.Value.String())
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

// values keeps the value of each point.
func values(ps map[string]point) map[string]int64 {
	out := make(map[string]int64, len(ps))
	for k, p := range ps {
		out[k] = p.Value
	}
	return out
}

// fixed is a Source with figures set by the test, counting its calls; it
// panics with panicWith when that is set.
type fixed struct {
	mu        sync.Mutex
	ms        []cache.Metric
	calls     atomic.Int64
	panicWith any
}

func (f *fixed) Metrics() []cache.Metric {
	f.calls.Add(1)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.panicWith != nil {
		panic(f.panicWith)
	}
	return append([]cache.Metric(nil), f.ms...)
}

func (f *fixed) set(ms ...cache.Metric) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ms = ms
}

func (f *fixed) setPanic(v any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.panicWith = v
}

// loader is the tests' cache loader: the key's length; "bad" fails.
func loader(_ context.Context, k string) (int, error) {
	if k == "bad" {
		return 0, errDown
	}
	return len(k), nil
}

var errDown = errors.New("upstream down")

func newCache(t *testing.T, opts ...cache.Option) *cache.Cache[string, int] {
	t.Helper()
	c, err := cache.New(loader, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Error(err)
		}
	})
	return c
}

// expected is what the exported points of cache c, registered as name,
// must be: one point per figure of c.Metrics.
func expected(name string, c interface{ Metrics() []cache.Metric }) map[string]int64 {
	out := map[string]int64{}
	for _, m := range c.Metrics() {
		attrs := []string{"cache.name=" + name}
		if m.Attr.Key != "" {
			attrs = append(attrs, m.Attr.Key+"="+m.Attr.Value)
		}
		sort.Strings(attrs)
		out[m.Name+" "+strings.Join(attrs, ",")] = m.Value
	}
	return out
}

func errString(err error) string { return fmt.Sprint(err) }

func newBenchCache() (*cache.Cache[string, int], error) {
	c, err := cache.New(loader)
	if err != nil {
		return nil, err
	}
	for _, k := range []string{"a", "a", "bb", "bad"} {
		_, _ = c.Get(bg, k)
	}
	return c, nil
}
