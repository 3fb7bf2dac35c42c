package otelcache

import (
	"fmt"

	"go.opentelemetry.io/otel/attribute"
)

// Option configures [Register].
type Option interface {
	apply(*options)
}

type options struct {
	attrs []attribute.KeyValue
}

type attrsOption []attribute.KeyValue

func (a attrsOption) apply(o *options) { o.attrs = append(o.attrs, a...) }

// WithAttributes adds attributes to every figure Register exports, after
// cache.name: the tier of a two-tier cache, the service's shard. An attribute
// may not be named cache.name (Register's name says it) nor use the key of
// a figure's own attribute (cache.request.result), and needs a key and a
// value; Register returns an error wrapping [ErrInvalid] otherwise.
func WithAttributes(kv ...attribute.KeyValue) Option {
	return attrsOption(append([]attribute.KeyValue(nil), kv...))
}

// check reports what is wrong with the options.
func (o *options) check() error {
	for _, a := range o.attrs {
		if a.Key == NameKey {
			return fmt.Errorf("%w: WithAttributes: %s is given by Register's name", ErrInvalid, NameKey)
		}
		if !a.Valid() {
			return fmt.Errorf("%w: WithAttributes: attribute %q has no key or no value", ErrInvalid, a.Key)
		}
	}
	return nil
}
