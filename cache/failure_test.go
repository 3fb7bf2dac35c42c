package cache_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/asyncutils-go/asyncutils/cache"
)

func TestLoader_Panic(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := mustNew(t, func(context.Context, string) (string, error) { panic(errBoom) }, ttlOpts()...)
		_, err := c.Get(bg, "a")
		var pe *cache.PanicError
		if !errors.As(err, &pe) || !errors.Is(err, errBoom) || len(pe.Stack) == 0 {
			t.Fatalf("Get = %v, want a *PanicError wrapping errBoom", err)
		}
		if !strings.HasPrefix(err.Error(), "cache: loader: panic: ") {
			t.Fatalf("Get = %q, want the prefix %q", err, "cache: loader: panic: ")
		}
		if c.Contains("a") {
			t.Fatal("a panicking load cached something")
		}
		if st := c.Stats(); st.Loads != 1 || st.LoadErrors != 1 {
			t.Fatalf("stats = %+v", st)
		}
	})
}

// goexits are the two ways a loader can end its goroutine with
// runtime.Goexit: plainly, and with a deferred call that panics during the
// Goexit (recovering that panic resumes the Goexit).
var goexits = []struct {
	name string
	exit func()
}{
	{"plain", func() { runtime.Goexit() }},
	{"deferred panic", func() {
		defer func() { panic("during goexit") }()
		runtime.Goexit()
	}},
}

func TestLoader_Goexit(t *testing.T) {
	for _, g := range goexits {
		t.Run(g.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c := mustNew(t, func(context.Context, string) (string, error) {
					g.exit()
					return "", nil
				}, ttlOpts()...)
				// Callers that can be cancelled wait for a load on a goroutine
				// of the cache: every one of them gets ErrGoexit.
				ctx, cancel := context.WithCancel(bg)
				defer cancel()
				var wg sync.WaitGroup
				errs := make([]error, 5)
				for i := range errs {
					wg.Go(func() { _, errs[i] = c.Get(ctx, "a") })
				}
				wg.Wait()
				for _, err := range errs {
					if !errors.Is(err, cache.ErrGoexit) {
						t.Fatalf("Get = %v, want ErrGoexit", err)
					}
				}
				if c.Contains("a") {
					t.Fatal("a Goexit load cached something")
				}
			})
		})
		// A caller whose ctx cannot end runs the load on its own goroutine:
		// the loader's Goexit ends that goroutine; a waiter that joined gets
		// ErrGoexit and nobody hangs.
		t.Run(g.name+"/inline", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				release := make(chan struct{})
				c := mustNew(t, func(context.Context, string) (string, error) {
					<-release
					g.exit()
					return "", nil
				}, ttlOpts()...)
				returned := make(chan struct{})
				exited := make(chan struct{})
				go func() {
					defer close(exited)
					_, _ = c.Get(bg, "a")
					close(returned)
				}()
				synctest.Wait() // the inline load runs
				ctx, cancel := context.WithCancel(bg)
				defer cancel()
				joined := make(chan error)
				go func() { _, err := c.Get(ctx, "a"); joined <- err }()
				synctest.Wait()
				close(release)
				<-exited
				select {
				case <-returned:
					t.Fatal("the caller whose loader called Goexit returned from Get")
				default:
				}
				if err := <-joined; !errors.Is(err, cache.ErrGoexit) {
					t.Fatalf("the joined waiter got %v, want ErrGoexit", err)
				}
			})
		})
	}
}

// TestErrorHandler_Panic: a handler that panics or calls runtime.Goexit is
// logged, and the cache goes on refreshing (and Close does not hang).
func TestErrorHandler_Panic(t *testing.T) {
	for _, tc := range []struct {
		name    string
		handler func(error, bool)
		logged  string
	}{
		{"panic", func(error, bool) { panic("handler bug") }, "handler bug"},
		{"goexit", func(error, bool) { runtime.Goexit() }, "exited its goroutine"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var logs bytes.Buffer
				var logMu sync.Mutex
				logger := slog.New(slog.NewTextHandler(lockedWriter{&logMu, &logs}, nil))
				l := newCounting()
				c := mustNew(t, l.load, ttlOpts(cache.WithLogger(logger), cache.WithErrorHandler(tc.handler))...)
				mustGet(t, c, "a", "a#1")
				l.fail.Store(true)
				if err := c.Refresh(bg, "a"); !errors.Is(err, errBoom) {
					t.Fatalf("Refresh = %v", err)
				}
				l.fail.Store(false)
				if err := c.Refresh(bg, "a"); err != nil {
					t.Fatal(err)
				}
				mustGet(t, c, "a", "a#2")
				synctest.Wait() // the handler runs after the waiters are released
				logMu.Lock()
				defer logMu.Unlock()
				if !strings.Contains(logs.String(), tc.logged) {
					t.Fatalf("log lacks %q: %q", tc.logged, logs.String())
				}
			})
		})
	}
}

// TestNoHandler_Logs: without a handler, a background error goes to the
// logger at warning level.
func TestNoHandler_Logs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var logs bytes.Buffer
		var logMu sync.Mutex
		logger := slog.New(slog.NewTextHandler(lockedWriter{&logMu, &logs}, nil))
		l := newCounting()
		c := mustNew(t, l.load, ttlOpts(cache.WithLogger(logger), cache.WithKeepWarm())...)
		mustGet(t, c, "a", "a#1")
		l.fail.Store(true)
		_ = c.Refresh(bg, "a")
		synctest.Wait()
		logMu.Lock()
		defer logMu.Unlock()
		if out := logs.String(); !strings.Contains(out, "level=WARN") || !strings.Contains(out, "boom") || !strings.Contains(out, "batched=false") {
			t.Fatalf("log = %q", out)
		}
	})
}

// TestLogger_Panic: a logger whose handler panics loses the message; the
// reload's goroutine, the cache and the process go on.
func TestLogger_Panic(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int64
		logger := slog.New(panicHandler{&calls})
		l := newCounting()
		c := mustNew(t, l.load, ttlOpts(cache.WithLogger(logger), cache.WithKeepWarm())...)
		mustGet(t, c, "a", "a#1")
		l.fail.Store(true)
		if err := c.Refresh(bg, "a"); !errors.Is(err, errBoom) {
			t.Fatalf("Refresh = %v", err)
		}
		synctest.Wait()
		if calls.Load() != 1 {
			t.Fatalf("logger called %d times, want 1", calls.Load())
		}
		l.fail.Store(false)
		time.Sleep(10 * time.Second) // past the retry: reloaded, the cache works on
		mustGet(t, c, "a", "a#2")
	})
}

type panicHandler struct{ calls *atomic.Int64 }

func (h panicHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h panicHandler) Handle(context.Context, slog.Record) error {
	h.calls.Add(1)
	panic("logger down")
}
func (h panicHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h panicHandler) WithGroup(string) slog.Handler      { return h }

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// TestWithClock_Mock steps a clock.Mock through refresh and expiry.
func TestWithClock_Mock(t *testing.T) {
	mock := clock.NewMock()
	l := newCounting()
	h := &handlerLog{}
	c := mustNew(t, l.load, ttlOpts(cache.WithClock(mock), cache.WithErrorHandler(h.handle))...)
	mustGet(t, c, "a", "a#1")
	mock.Add(5 * time.Second)
	if c.ShouldRefresh("a") {
		t.Fatal("due at 5s")
	}
	l.fail.Store(true)
	mock.Add(2 * time.Second)
	if !c.ShouldRefresh("a") {
		t.Fatal("not due at 7s")
	}
	mustGet(t, c, "a", "a#1")
	mock.Add(3*time.Second + time.Millisecond)
	if c.Contains("a") {
		t.Fatal("contained after TTL")
	}
	if _, err := c.Get(bg, "a"); !errors.Is(err, errBoom) {
		t.Fatalf("Get after TTL = %v, want the loader's error", err)
	}
}

// TestGet_HitAllocatesNothing: a fresh hit, and a hit on an entry whose
// reload is in flight, allocate nothing and start no goroutine.
func TestGet_HitAllocatesNothing(t *testing.T) {
	release := make(chan struct{})
	var calls atomic.Int64
	// Refresh window = TTL: the entry is due as soon as it is loaded.
	c := mustNew(t, func(ctx context.Context, k string) (string, error) {
		if calls.Add(1) > 1 {
			select {
			case <-release:
			case <-ctx.Done():
			}
		}
		return k, nil
	}, cache.WithTTL(time.Hour), cache.WithRefresh(time.Hour), cache.WithErrorHandler(func(error, bool) {}))
	defer close(release)
	fresh := mustNew(t, func(_ context.Context, k string) (string, error) { return k, nil },
		cache.WithTTL(time.Hour), cache.WithRefresh(time.Minute))
	mustGet(t, fresh, "k", "k")
	if n := testing.AllocsPerRun(1000, func() { _, _ = fresh.Get(bg, "k") }); n != 0 {
		t.Errorf("fresh hit: %v allocations, want 0", n)
	}

	mustGet(t, c, "k", "k") // loaded
	mustGet(t, c, "k", "k") // due: starts the reload, which blocks
	for calls.Load() < 2 {
		runtime.Gosched()
	}
	before := runtime.NumGoroutine()
	if n := testing.AllocsPerRun(1000, func() { _, _ = c.Get(bg, "k") }); n != 0 {
		t.Errorf("hit during reload: %v allocations, want 0", n)
	}
	if after := runtime.NumGoroutine(); after > before {
		t.Errorf("hits during a reload started %d goroutines", after-before)
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("loader calls = %d, want 2 (one reload)", n)
	}
}

// TestLoader_Reentrant: a loader that waits for its own key, directly or
// through another key's loader, gets ErrReentrant instead of a deadlock.
func TestLoader_Reentrant(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var c *cache.Cache[string, string]
		c = mustNew(t, func(ctx context.Context, k string) (string, error) {
			switch k {
			case "self":
				return c.Get(ctx, "self")
			case "a":
				return c.Get(ctx, "b")
			case "b":
				return c.Get(ctx, "a")
			case "load":
				return "", c.Load(ctx, "load")
			}
			return c.Get(ctx, "leaf") // another key: fine
		}, ttlOpts()...)
		for _, k := range []string{"self", "a", "load"} {
			if _, err := c.Get(bg, k); !errors.Is(err, cache.ErrReentrant) {
				t.Fatalf("Get(%s) = %v, want ErrReentrant", k, err)
			}
		}
		c.RegisterLoader("leaf", func(context.Context, string) (string, error) { return "leaf", nil })
		mustGet(t, c, "root", "leaf")
	})
}

// TestGet_JoinInlineLoad: callers that join a load its first caller runs
// inline (a ctx with no Done channel) get its value when it ends, and one
// whose ctx ends first leaves with ctx.Err() while the load goes on.
func TestGet_JoinInlineLoad(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		calls := 0
		c := mustNew(t, func(_ context.Context, k string) (string, error) {
			calls++
			<-release
			return k + "!", nil
		}, ttlOpts()...)
		results := make(chan string, 3)
		get := func(ctx context.Context) {
			v, err := c.Get(ctx, "a")
			if err != nil {
				results <- "error: " + err.Error()
				return
			}
			results <- v
		}
		go get(bg) // runs the load inline
		synctest.Wait()
		go get(bg) // joins
		ctx, cancel := context.WithCancel(bg)
		go get(ctx) // joins, then leaves
		synctest.Wait()
		cancel()
		if r := <-results; r != "error: "+context.Canceled.Error() {
			t.Fatalf("the waiter whose ctx ended got %q first, want its ctx error", r)
		}
		close(release)
		for range 2 {
			if r := <-results; r != "a!" {
				t.Fatalf("Get = %q, want the inline load's value", r)
			}
		}
		if calls != 1 {
			t.Fatalf("%d loader calls, want 1", calls)
		}
	})
}
