package timing

import "github.com/benbjohnson/clock"

// Or returns c, or the real clock when c is nil. Modules read every time
// through the clock it returns, never through package time directly, so that
// tests can inject clock.Mock or run inside a testing/synctest bubble.
func Or(c clock.Clock) clock.Clock {
	if c == nil {
		return clock.New()
	}
	return c
}
