package cache_test

import "github.com/benbjohnson/clock"

func newMock() *clock.Mock { return clock.NewMock() }
