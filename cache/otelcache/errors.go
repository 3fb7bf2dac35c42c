package otelcache

import "errors"

// ErrInvalid is wrapped by the error of [Register] for bad input: no meter,
// an empty name, no source, a source whose figures cannot be exported
// (none, one figure twice, figures of one name that disagree), or a bad
// option.
var ErrInvalid = errors.New("invalid argument")
