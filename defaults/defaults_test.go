package defaults_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asyncutils-go/asyncutils/defaults"
)

func TestBuiltin(t *testing.T) {
	b := defaults.Builtin()
	if b.CacheTTL != 60*time.Second || b.CacheRefresh != 15*time.Second || b.GatherLimit != 8 {
		t.Fatalf("Builtin() = %+v", b)
	}
	if err := b.Validate(); err != nil {
		t.Fatalf("Builtin().Validate() = %v", err)
	}
}

func TestValidate(t *testing.T) {
	ok := defaults.Builtin()
	tests := []struct {
		name   string
		mutate func(*defaults.Values)
		fields []string // fields the error must name; none means valid
	}{
		{name: "builtin", mutate: func(*defaults.Values) {}},
		{name: "refresh zero turns refresh off", mutate: func(v *defaults.Values) { v.CacheRefresh = 0 }},
		{name: "refresh equal to ttl", mutate: func(v *defaults.Values) { v.CacheRefresh = v.CacheTTL }},
		{name: "ttl zero", mutate: func(v *defaults.Values) { v.CacheTTL = 0; v.CacheRefresh = 0 }, fields: []string{"CacheTTL"}},
		{name: "ttl negative", mutate: func(v *defaults.Values) { v.CacheTTL = -time.Second; v.CacheRefresh = 0 }, fields: []string{"CacheTTL"}},
		{name: "refresh negative", mutate: func(v *defaults.Values) { v.CacheRefresh = -1 }, fields: []string{"CacheRefresh"}},
		{name: "refresh over ttl", mutate: func(v *defaults.Values) { v.CacheRefresh = v.CacheTTL + 1 }, fields: []string{"CacheRefresh"}},
		{name: "limit zero", mutate: func(v *defaults.Values) { v.GatherLimit = 0 }, fields: []string{"GatherLimit"}},
		{name: "limit negative", mutate: func(v *defaults.Values) { v.GatherLimit = -3 }, fields: []string{"GatherLimit"}},
		{name: "ttl zero, refresh over it", mutate: func(v *defaults.Values) { v.CacheTTL = 0; v.CacheRefresh = 5 * time.Second }, fields: []string{"CacheTTL", "CacheRefresh"}},
		{name: "ttl negative, refresh over it", mutate: func(v *defaults.Values) { v.CacheTTL = -time.Second }, fields: []string{"CacheTTL", "CacheRefresh"}},
		{name: "zero Values", mutate: func(v *defaults.Values) { *v = defaults.Values{} }, fields: []string{"CacheTTL", "GatherLimit"}},
		{name: "all wrong", mutate: func(v *defaults.Values) { *v = defaults.Values{CacheTTL: -1, CacheRefresh: -1, GatherLimit: -1} }, fields: []string{"CacheTTL", "CacheRefresh", "GatherLimit"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := ok
			tt.mutate(&v)
			err := v.Validate()
			if len(tt.fields) == 0 {
				if err != nil {
					t.Fatalf("Validate(%+v) = %v, want nil", v, err)
				}
				return
			}
			if !errors.Is(err, defaults.ErrInvalid) {
				t.Fatalf("Validate(%+v) = %v, want ErrInvalid", v, err)
			}
			if !strings.HasPrefix(err.Error(), "defaults: ") {
				t.Errorf("message %q lacks the package prefix", err)
			}
			for _, f := range tt.fields {
				if !strings.Contains(err.Error(), f) {
					t.Errorf("message %q does not name %s", err, f)
				}
			}
		})
	}
}

// setForTest sets v and restores the previous values when the test ends.
func setForTest(t *testing.T, v defaults.Values) {
	t.Helper()
	prev := defaults.Current()
	if err := defaults.Set(v); err != nil {
		t.Fatalf("Set(%+v) = %v", v, err)
	}
	t.Cleanup(func() {
		if err := defaults.Set(prev); err != nil {
			t.Errorf("restoring defaults: %v", err)
		}
	})
}

func TestSet(t *testing.T) {
	if got := defaults.Current(); got != defaults.Builtin() {
		t.Fatalf("Current() at start = %+v, want Builtin()", got)
	}
	want := defaults.Values{CacheTTL: time.Minute, CacheRefresh: 0, GatherLimit: 3}
	setForTest(t, want)
	if got := defaults.Current(); got != want {
		t.Fatalf("Current() after Set = %+v, want %+v", got, want)
	}

	bad := defaults.Values{CacheTTL: time.Second, CacheRefresh: time.Hour, GatherLimit: 1}
	if err := defaults.Set(bad); !errors.Is(err, defaults.ErrInvalid) {
		t.Fatalf("Set(invalid) = %v, want ErrInvalid", err)
	}
	if got := defaults.Current(); got != want {
		t.Fatalf("Current() after a rejected Set = %+v, want unchanged %+v", got, want)
	}
}

func TestContext(t *testing.T) {
	base := context.Background()
	if got := defaults.FromContext(base); got != defaults.Current() {
		t.Fatalf("FromContext(empty) = %+v, want Current()", got)
	}

	scoped := defaults.Values{CacheTTL: time.Second, CacheRefresh: time.Second / 2, GatherLimit: 2}
	ctx, err := defaults.NewContext(base, scoped)
	if err != nil {
		t.Fatalf("NewContext: %v", err)
	}
	if got := defaults.FromContext(ctx); got != scoped {
		t.Fatalf("FromContext(override) = %+v, want %+v", got, scoped)
	}

	// The innermost override wins; the outer one is untouched.
	inner := scoped
	inner.GatherLimit = 5
	ctx2, err := defaults.NewContext(ctx, inner)
	if err != nil {
		t.Fatalf("NewContext(inner): %v", err)
	}
	if got := defaults.FromContext(ctx2).GatherLimit; got != 5 {
		t.Fatalf("inner GatherLimit = %d, want 5", got)
	}
	if got := defaults.FromContext(ctx).GatherLimit; got != 2 {
		t.Fatalf("outer GatherLimit = %d, want 2", got)
	}

	// An override is not changed by a later Set; the fallback is.
	setForTest(t, defaults.Values{CacheTTL: time.Hour, GatherLimit: 16})
	if got := defaults.FromContext(ctx); got != scoped {
		t.Fatalf("FromContext(override) after Set = %+v, want %+v", got, scoped)
	}
	if got := defaults.FromContext(base).GatherLimit; got != 16 {
		t.Fatalf("FromContext(empty) after Set: GatherLimit = %d, want 16", got)
	}

	// Invalid: an error, and the ctx handed back carries nothing new.
	badCtx, err := defaults.NewContext(ctx, defaults.Values{})
	if !errors.Is(err, defaults.ErrInvalid) {
		t.Fatalf("NewContext(invalid) = %v, want ErrInvalid", err)
	}
	if got := defaults.FromContext(badCtx); got != scoped {
		t.Fatalf("FromContext after rejected NewContext = %+v, want %+v", got, scoped)
	}
}

func TestSetCurrent_ConcurrentSafe(t *testing.T) {
	a := defaults.Values{CacheTTL: time.Second, CacheRefresh: 0, GatherLimit: 1}
	b := defaults.Values{CacheTTL: time.Hour, CacheRefresh: time.Minute, GatherLimit: 64}
	setForTest(t, a)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 2000 {
				if (i+w)%2 == 0 {
					_ = defaults.Set(a)
				} else {
					_ = defaults.Set(b)
				}
			}
		})
		wg.Go(func() {
			for range 2000 {
				// A reader sees one whole Values, never a mix of two.
				if got := defaults.Current(); got != a && got != b {
					t.Errorf("torn read: %+v", got)
					return
				}
			}
		})
	}
	wg.Wait()
}
