package redistest_test

import (
	"fmt"
	"testing"

	"github.com/asyncutils-go/asyncutils/internal/redistest"
)

// An outage test: the server is killed and started again, empty, on the
// same address, then frozen and resumed. The example needs redis-server on
// PATH and a test to run in, so it is compiled, not run; the tests of this
// package run the same steps.
func ExampleStart() {
	testOutage := func(t *testing.T) {
		srv := redistest.Start(t, "redis-server not found: install the Debian package redis-server")
		fmt.Println("redis at", srv.Addr()) // a client connects here

		srv.Kill()    // a crash: connections break, the port refuses
		srv.Restart() // back on the same address, empty

		srv.Stop()     // a hung host: connections stay open, nothing answers
		srv.Continue() // answering again
	} // the server is killed when the test ends
	_ = testOutage
}
