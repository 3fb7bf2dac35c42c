package otelcache_test

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/asyncutils-go/asyncutils/cache/otelcache"
)

// BenchmarkCollect is one collection of a registered cache by the SDK's
// manual reader: the callback, the SDK's aggregation and the export data.
func BenchmarkCollect(b *testing.B) {
	reader := sdkmetric.NewManualReader()
	provider := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	b.Cleanup(func() { _ = provider.Shutdown(bg) })
	c, err := newBenchCache()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.Close() })
	reg, err := otelcache.Register(provider.Meter(otelcache.ScopeName), "bench", c)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = reg.Unregister() })
	var rm metricdata.ResourceMetrics
	b.ReportAllocs()
	for b.Loop() {
		if err := reader.Collect(bg, &rm); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCollect_HandWritten is the same collection with the callback a
// program would write by hand for the same figures: the baseline that
// shows what Register adds.
func BenchmarkCollect_HandWritten(b *testing.B) {
	reader := sdkmetric.NewManualReader()
	provider := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	b.Cleanup(func() { _ = provider.Shutdown(bg) })
	c, err := newBenchCache()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.Close() })
	meter := provider.Meter(otelcache.ScopeName)
	ms := c.Metrics()
	insts := make([]metric.Int64Observable, len(ms))
	opts := make([]metric.ObserveOption, len(ms))
	var observables []metric.Observable
	byName := map[string]metric.Int64Observable{}
	for i, m := range ms {
		inst, ok := byName[m.Name]
		if !ok {
			if m.Gauge {
				inst, err = meter.Int64ObservableUpDownCounter(m.Name, metric.WithUnit(m.Unit), metric.WithDescription(m.Description))
			} else {
				inst, err = meter.Int64ObservableCounter(m.Name, metric.WithUnit(m.Unit), metric.WithDescription(m.Description))
			}
			if err != nil {
				b.Fatal(err)
			}
			byName[m.Name] = inst
			observables = append(observables, inst)
		}
		insts[i] = inst
		kv := []attribute.KeyValue{otelcache.NameKey.String("bench")}
		if m.Attr.Key != "" {
			kv = append(kv, attribute.String(m.Attr.Key, m.Attr.Value))
		}
		opts[i] = metric.WithAttributeSet(attribute.NewSet(kv...))
	}
	reg, err := meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		st := c.Stats()
		vals := [...]uint64{st.Hits, st.Misses, st.Loads, st.LoadErrors, st.Refreshes, st.RefreshErrors, st.Expirations, uint64(c.Len())}
		for i, v := range vals {
			o.ObserveInt64(insts[i], int64(v), opts[i])
		}
		return nil
	}, observables...)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = reg.Unregister() })
	var rm metricdata.ResourceMetrics
	b.ReportAllocs()
	for b.Loop() {
		if err := reader.Collect(bg, &rm); err != nil {
			b.Fatal(err)
		}
	}
}
