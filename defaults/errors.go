package defaults

import "errors"

// ErrInvalid is wrapped by every error that [Values.Validate], [Set] and
// [NewContext] return for values that break a rule.
var ErrInvalid = errors.New("defaults: invalid values")
