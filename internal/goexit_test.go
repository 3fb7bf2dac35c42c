package internal_test

import "runtime"

// runtimeGoexit is a seam so tests read as what they do.
func runtimeGoexit() { runtime.Goexit() }
