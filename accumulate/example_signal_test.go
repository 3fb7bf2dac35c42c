//go:build unix

package accumulate_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/asyncutils-go/asyncutils/accumulate"
)

// database stands for a *sql.DB: it answers until it is closed.
type database struct{ closed atomic.Bool }

func (d *database) Query() (string, error) {
	if d.closed.Load() {
		return "", errors.New("db is closed")
	}
	return "42 rows", nil
}

func (d *database) Close() error {
	d.closed.Store(true)
	fmt.Println("database closed")
	return nil
}

// serve is the service of the README's quick start: it serves until ctx
// ends, and its deferred Exit then runs the shutdown although ctx has
// ended: newest first, so the server drains the request in flight before
// the database it uses is closed. inFlight is the example's hook to send
// SIGTERM while a request runs.
func serve(ctx context.Context, ln net.Listener, inFlight chan<- struct{}) (err error) {
	shutdown := accumulate.New[error](
		accumulate.WithOrder(accumulate.NewestFirst),
		accumulate.WithExitTimeout(10*time.Second),
	)
	defer shutdown.Exit(ctx, &err, &err)

	db := &database{}
	shutdown.AddClosers(db)
	srv := &http.Server{ReadHeaderTimeout: time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		inFlight <- struct{}{}
		<-ctx.Done() // the service is stopping while this request runs
		rows, err := db.Query()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprint(w, rows)
	})}
	accumulate.AddMethodContext(shutdown, (*http.Server).Shutdown, srv)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
		return nil
	case err := <-errc:
		return err
	}
}

// A service that stops on SIGTERM: its ctx has ended when the deferred
// Exit runs, and every shutdown callback still runs, newest first, within
// the WithExitTimeout bound. The request in flight at SIGTERM is answered
// from the database, which closes only after the server has drained.
func Example_sigterm() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	inFlight := make(chan struct{})
	go func() {
		<-inFlight
		_ = syscall.Kill(syscall.Getpid(), syscall.SIGTERM)
	}()
	answer := make(chan string, 1)
	go func() {
		client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
		resp, err := client.Get("http://" + ln.Addr().String())
		if err != nil {
			answer <- err.Error()
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		answer <- fmt.Sprint(resp.StatusCode, " ", string(body))
	}()

	err = serve(ctx, ln, inFlight)
	fmt.Println("the request in flight at SIGTERM got:", <-answer)
	fmt.Println("serve returned:", err, "; ctx:", context.Cause(ctx))
	// Output:
	// database closed
	// the request in flight at SIGTERM got: 200 42 rows
	// serve returned: <nil> ; ctx: terminated signal received
}
