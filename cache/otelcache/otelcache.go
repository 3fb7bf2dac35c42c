package otelcache

import (
	"context"
	"errors"
	"fmt"
	"reflect"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/asyncutils-go/asyncutils/cache"
	"github.com/asyncutils-go/asyncutils/internal"
)

// ScopeName is the instrumentation scope to name the meter after:
// provider.Meter(otelcache.ScopeName).
const ScopeName = "github.com/asyncutils-go/asyncutils/cache/otelcache"

// NameKey is the attribute that carries the name given to [Register], so
// that the figures of several caches on one meter are told apart.
const NameKey = attribute.Key("cache.name")

// Source is what Register exports: a set of figures, read on every
// collection. [*cache.Cache] is a Source for any key and value types; so is
// anything else that reports its figures as [cache.Metric] values, such as
// the statistics of a fleet tier.
//
// Metrics must return the same figures (name and attribute) on every call,
// only their values change; it must be safe to call from any goroutine,
// concurrently with the source's own work.
type Source interface {
	Metrics() []cache.Metric
}

// series is one figure Register exports: the instrument of its name and the
// attributes of its data point, computed once.
type series struct {
	inst metric.Int64Observable
	attr metric.ObserveOption
}

// figure names a figure: its name and attribute.
type figure struct {
	name, key, value string
}

// Register exports the figures of c on meter, under the attribute cache.name
// = name: each counter (a figure that is not a Gauge) as an asynchronous
// Int64ObservableCounter, each level (a Gauge, such as cache.entry.count) as
// an asynchronous Int64ObservableUpDownCounter, the instrument OpenTelemetry
// gives to additive levels (the entries of two caches add up) and which
// Prometheus shows as a gauge. Figures of one name are one instrument, told
// apart by their attribute (cache.requests with cache.request.result = hit
// and miss). Names, units and descriptions are the figures' own; see
// [cache.Stats.Metrics].
//
// Register reads c.Metrics once to create the instruments, then on every
// collection of the meter's readers, on the collecting goroutine; it starts
// no goroutine. A figure c returns later that it did not return at Register
// is not exported, and the collection reports an error naming it. A panic in
// c.Metrics is recovered: Register, or the collection, returns an error
// wrapping the [*cache.PanicError].
//
// Unregister on the returned registration stops the callback: from then on
// c is not read and its figures are not exported. Two sources registered
// under one name on one meter observe the same series; the OpenTelemetry SDK
// adds their values up (the shards of one logical cache), so give each
// cache its own name to see it alone.
//
// Bad input (nil meter or source, empty name, figures that cannot be
// exported, bad options) is an error wrapping [ErrInvalid]; instruments the
// meter refuses are its error. Either way no callback is registered and
// nothing is exported.
func Register(meter metric.Meter, name string, c Source, opts ...Option) (metric.Registration, error) {
	reg, err := register(meter, name, c, opts)
	if err != nil {
		return nil, fmt.Errorf("otelcache: Register %q: %w", name, err)
	}
	return reg, nil
}

func register(meter metric.Meter, name string, c Source, opts []Option) (metric.Registration, error) {
	switch {
	case meter == nil:
		return nil, fmt.Errorf("%w: nil meter", ErrInvalid)
	case name == "":
		return nil, fmt.Errorf("%w: empty cache name", ErrInvalid)
	case c == nil, isNilPointer(c):
		return nil, fmt.Errorf("%w: nil source", ErrInvalid)
	}
	var o options
	for _, opt := range opts {
		if opt == nil {
			return nil, fmt.Errorf("%w: nil option", ErrInvalid)
		}
		opt.apply(&o)
	}
	if err := o.check(); err != nil {
		return nil, err
	}
	ms, err := read(c)
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("%w: the source has no figures", ErrInvalid)
	}
	r := &registration{src: c, name: name, series: make(map[figure]series, len(ms))}
	insts := map[string]metric.Int64Observable{}
	first := map[string]cache.Metric{}
	var observables []metric.Observable
	for _, m := range ms {
		f := figure{m.Name, m.Attr.Key, m.Attr.Value}
		if m.Attr.Key == "" && m.Attr.Value != "" {
			return nil, fmt.Errorf("%w: figure %s has an attribute value but no key", ErrInvalid, f)
		}
		if _, dup := r.series[f]; dup {
			return nil, fmt.Errorf("%w: figure %s returned twice", ErrInvalid, f)
		}
		if p, ok := first[m.Name]; ok && (p.Unit != m.Unit || p.Description != m.Description || p.Gauge != m.Gauge || p.Attr.Key != m.Attr.Key) {
			return nil, fmt.Errorf("%w: figures %s and %s differ in unit, description, kind or attribute key",
				ErrInvalid, figure{p.Name, p.Attr.Key, p.Attr.Value}, f)
		}
		first[m.Name] = m
		if err := checkKey(m.Attr.Key, o.attrs); err != nil {
			return nil, err
		}
		inst, ok := insts[m.Name]
		if !ok {
			if inst, err = instrument(meter, m); err != nil {
				return nil, err
			}
			insts[m.Name] = inst
			observables = append(observables, inst)
		}
		r.series[f] = series{inst: inst, attr: metric.WithAttributeSet(attributes(name, o.attrs, m.Attr))}
	}
	reg, err := meter.RegisterCallback(r.observe, observables...)
	if err != nil {
		return nil, err
	}
	return reg, nil
}

// instrument creates the instrument of m's name.
func instrument(meter metric.Meter, m cache.Metric) (metric.Int64Observable, error) {
	if m.Gauge {
		return meter.Int64ObservableUpDownCounter(m.Name, metric.WithUnit(m.Unit), metric.WithDescription(m.Description))
	}
	return meter.Int64ObservableCounter(m.Name, metric.WithUnit(m.Unit), metric.WithDescription(m.Description))
}

// checkKey refuses a figure attribute that cache.name or an attribute of
// WithAttributes would overwrite.
func checkKey(key string, attrs []attribute.KeyValue) error {
	if key == "" {
		return nil
	}
	if attribute.Key(key) == NameKey {
		return fmt.Errorf("%w: a figure's attribute is %s, which Register sets", ErrInvalid, NameKey)
	}
	for _, a := range attrs {
		if string(a.Key) == key {
			return fmt.Errorf("%w: WithAttributes: %s is the attribute of the source's figures", ErrInvalid, key)
		}
	}
	return nil
}

// attributes is the attribute set of one figure's data point.
func attributes(name string, extra []attribute.KeyValue, a cache.Attr) attribute.Set {
	kv := make([]attribute.KeyValue, 0, 2+len(extra))
	kv = append(kv, NameKey.String(name))
	kv = append(kv, extra...)
	if a.Key != "" {
		kv = append(kv, attribute.String(a.Key, a.Value))
	}
	return attribute.NewSet(kv...)
}

// registration is the callback of one Register call.
type registration struct {
	src    Source
	name   string
	series map[figure]series // fixed by Register, read-only after
}

// observe is the callback: it reads the source once and observes each
// figure with the attribute set Register computed, so that no attribute set
// is built on a collection.
func (r *registration) observe(_ context.Context, o metric.Observer) error {
	ms, err := read(r.src)
	if err != nil {
		return fmt.Errorf("otelcache: %q: %w", r.name, err)
	}
	var errs []error
	for _, m := range ms {
		s, ok := r.series[figure{m.Name, m.Attr.Key, m.Attr.Value}]
		if !ok {
			errs = append(errs, fmt.Errorf("otelcache: %q: figure %s was not there at Register, not exported",
				r.name, figure{m.Name, m.Attr.Key, m.Attr.Value}))
			continue
		}
		o.ObserveInt64(s.inst, m.Value, s.attr)
	}
	return errors.Join(errs...)
}

// read calls src.Metrics, returning a panic in it as an error wrapping the
// *cache.PanicError.
func read(src Source) (ms []cache.Metric, err error) {
	err = internal.Guard(func() error {
		ms = src.Metrics()
		return nil
	}, nil)
	if err != nil {
		return nil, fmt.Errorf("the source's Metrics: %w", err)
	}
	return ms, nil
}

func (f figure) String() string {
	if f.key == "" {
		return f.name
	}
	return f.name + " " + f.key + "=" + f.value
}

// isNilPointer reports whether v, non-nil as an interface, holds a nil
// pointer (a nil *cache.Cache given as a Source).
func isNilPointer(v any) bool {
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}
