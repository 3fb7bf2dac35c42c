//go:build unix

package gather_test

import (
	"context"
	"errors"
	"fmt"
	"os/signal"
	"syscall"

	"github.com/asyncutils-go/asyncutils/gather"
)

// A service that stops on SIGTERM, as in the README's quick start.
// MapSettled gives each URL its own outcome (a 404 stops nothing). Then
// SIGTERM ends ctx while Map runs: no further fetch starts, and Map returns
// the pages fetched so far, with the signal as its error. At most one fetch
// runs at a time here, so that the output is fixed.
func Example_sigterm() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()

	sigterm := false // send SIGTERM during the fetch of /c
	fetch := func(ctx context.Context, url string) (string, error) {
		switch {
		case url == "/missing":
			return "", errors.New("404")
		case url == "/c" && sigterm:
			_ = syscall.Kill(syscall.Getpid(), syscall.SIGTERM)
			<-ctx.Done()
			return "", context.Cause(ctx)
		}
		return "page " + url, nil
	}

	for _, r := range gather.MapSettled(ctx, 1, []string{"/a", "/missing", "/c"}, fetch) {
		fmt.Printf("%q %v\n", r.Value, r.Err)
	}

	sigterm = true
	pages, err := gather.Map(ctx, 1, []string{"/a", "/b", "/c", "/d"}, fetch)
	fmt.Printf("%q\n", pages)
	fmt.Println(errors.Is(err, context.Canceled), err)
	// Output:
	// "page /a" <nil>
	// "" 404
	// "page /c" <nil>
	// ["page /a" "page /b" "" ""]
	// true terminated signal received
}
