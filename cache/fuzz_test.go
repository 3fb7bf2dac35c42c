package cache_test

import (
	"context"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/asyncutils-go/asyncutils/cache"
)

// FuzzCache runs random operations against a plain TTL cache (refresh 0,
// so that nothing reloads behind the model's back) inside a synctest bubble,
// and checks every result, Len, Contains and the counters against a map.
func FuzzCache(f *testing.F) {
	f.Add([]byte{0, 1, 0, 1, 3, 50, 0, 1})
	f.Add([]byte{1, 2, 0, 2, 2, 2, 0, 2, 3, 101, 0, 2})
	f.Add([]byte{5, 3, 0, 3, 4, 0, 0, 3, 3, 100, 0, 3, 3, 1, 0, 3})
	f.Add([]byte{0, 0, 3, 99, 0, 0, 3, 1, 0, 0, 3, 1, 0, 0})
	f.Fuzz(func(t *testing.T, ops []byte) {
		synctest.Test(t, func(t *testing.T) { runModel(t, ops) })
	})
}

type modelEntry struct {
	v  string
	at time.Duration
}

func runModel(t *testing.T, ops []byte) {
	const ttl = 10 * time.Second
	perKey := map[string]int{}
	c, err := cache.New(func(_ context.Context, k string) (string, error) {
		perKey[k]++ // the loader runs alone: the model waits for every call
		return fmt.Sprintf("%s#%d", k, perKey[k]), nil
	}, cache.WithTTL(ttl), cache.WithRefresh(0))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	model := map[string]modelEntry{}
	loads := map[string]int{}
	var hits, misses, nloads uint64
	fresh := func(k string) (modelEntry, bool) {
		e, ok := model[k]
		return e, ok && time.Since(start)-e.at <= ttl
	}
	load := func(k string) string {
		loads[k]++
		nloads++
		v := fmt.Sprintf("%s#%d", k, loads[k])
		model[k] = modelEntry{v, time.Since(start)}
		return v
	}
	for i := 0; i+1 < len(ops); i += 2 {
		k := string(rune('a' + ops[i+1]%4))
		switch ops[i] % 6 {
		case 0:
			want, ok := fresh(k)
			if ok {
				hits++
			} else {
				misses++
				want.v = load(k)
			}
			got, err := c.Get(bg, k)
			if err != nil || got != want.v {
				t.Fatalf("op %d: Get(%s) = %q, %v; want %q", i/2, k, got, err, want.v)
			}
		case 1:
			v := fmt.Sprintf("set%d", i)
			c.Set(k, v)
			model[k] = modelEntry{v, time.Since(start)}
		case 2:
			want, ok := fresh(k)
			delete(model, k)
			if got, gotOK := c.Invalidate(k); gotOK != ok || got != want.v {
				t.Fatalf("op %d: Invalidate(%s) = %q, %v; want %q, %v", i/2, k, got, gotOK, want.v, ok)
			}
		case 3:
			time.Sleep(time.Duration(ops[i+1]) * 100 * time.Millisecond)
		case 4:
			c.Clear()
			clear(model)
		case 5:
			want := load(k)
			if err := c.Load(bg, k); err != nil {
				t.Fatal(err)
			}
			if got, _ := c.Get(bg, k); got != want {
				t.Fatalf("op %d: after Load(%s), Get = %q, want %q", i/2, k, got, want)
			}
			hits++
		}
		synctest.Wait() // the loop has removed what expired
		n := 0
		for mk := range model {
			if _, ok := fresh(mk); ok {
				n++
			} else {
				delete(model, mk)
			}
		}
		if c.Len() != n {
			t.Fatalf("op %d: Len = %d, want %d", i/2, c.Len(), n)
		}
		for _, mk := range []string{"a", "b", "c", "d"} {
			if _, ok := fresh(mk); c.Contains(mk) != ok {
				t.Fatalf("op %d: Contains(%s) = %v, want %v", i/2, mk, !ok, ok)
			}
		}
	}
	st := c.Stats()
	if st.Hits != hits || st.Misses != misses || st.Loads != nloads || st.LoadErrors != 0 {
		t.Fatalf("stats = %+v; want hits %d, misses %d, loads %d", st, hits, misses, nloads)
	}
}
