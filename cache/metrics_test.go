package cache_test

import (
	"context"
	"errors"
	"math"
	"reflect"
	"regexp"
	"testing"
	"testing/synctest"
	"time"

	"github.com/asyncutils-go/asyncutils/cache"
)

// TestStatsMetrics_EveryField gives every field of Stats a value of its own
// and checks that each value comes back in exactly one figure of Metrics, so
// that a field added to Stats without a figure fails here.
func TestStatsMetrics_EveryField(t *testing.T) {
	var st cache.Stats
	v := reflect.ValueOf(&st).Elem()
	want := map[int64]string{}
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if f.Type.Kind() != reflect.Uint64 {
			t.Fatalf("Stats.%s is a %s: teach this test and Stats.Metrics about it", f.Name, f.Type)
		}
		n := int64(1000 + i) // distinct, and never a count another field could give
		v.Field(i).SetUint(uint64(n))
		want[n] = f.Name
	}
	// The hit figure is every Get answered from the cache: Hits with the
	// negative and stale hits, which also have figures of their own.
	hits := int64(st.Hits + st.NegativeHits + st.StaleHits)
	delete(want, int64(st.Hits))
	got := map[int64]int{}
	for _, m := range st.Metrics() {
		if m.Name == "cache.requests" && m.Attr.Value == "hit" {
			if m.Value != hits {
				t.Errorf("cache.requests hit = %d, want Hits + NegativeHits + StaleHits = %d", m.Value, hits)
			}
			continue
		}
		got[m.Value]++
	}
	for n, field := range want {
		if got[n] != 1 {
			t.Errorf("Stats.%s (set to %d) is in %d figures of Metrics, want 1: add it to Stats.Metrics", field, n, got[n])
		}
	}
	if len(st.Metrics()) != len(want)+1 {
		t.Errorf("Metrics has %d figures for %d fields of Stats", len(st.Metrics()), len(want))
	}
}

// otelName is the instrument name syntax of OpenTelemetry.
var otelName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_./-]{0,254}$`)

// TestMetrics_Names checks what an exporter relies on: every figure is named,
// described and has a unit; figures that share a name share its unit,
// description and kind and are told apart by their attribute; the counts of
// Stats are no gauges, and the cache adds cache.entry.count as one.
func TestMetrics_Names(t *testing.T) {
	c, err := cache.New(func(context.Context, string) (int, error) { return 1, nil })
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ms := c.Metrics()
	first := map[string]cache.Metric{}
	seen := map[[3]string]bool{}
	for i, m := range ms {
		if !otelName.MatchString(m.Name) || m.Unit == "" || m.Description == "" {
			t.Errorf("figure %d = %+v: want a valid name, a unit and a description", i, m)
		}
		if m.Name[:6] != "cache." {
			t.Errorf("%s: want a name under cache.", m.Name)
		}
		key := [3]string{m.Name, m.Attr.Key, m.Attr.Value}
		if seen[key] {
			t.Errorf("%s %s=%s twice", m.Name, m.Attr.Key, m.Attr.Value)
		}
		seen[key] = true
		if f, ok := first[m.Name]; ok {
			if f.Unit != m.Unit || f.Description != m.Description || f.Gauge != m.Gauge {
				t.Errorf("%s: figures of one name differ in unit, description or kind: %+v, %+v", m.Name, f, m)
			}
			if f.Attr.Key == "" || f.Attr.Key != m.Attr.Key {
				t.Errorf("%s: figures of one name must share an attribute key: %q, %q", m.Name, f.Attr.Key, m.Attr.Key)
			}
		}
		first[m.Name] = m
		if want := m.Name == "cache.entry.count"; m.Gauge != want {
			t.Errorf("%s: Gauge = %v, want %v", m.Name, m.Gauge, want)
		}
	}
	if _, ok := first["cache.entry.count"]; !ok || ms[len(ms)-1].Name != "cache.entry.count" {
		t.Errorf("Cache.Metrics does not end with cache.entry.count: %+v", ms)
	}
	if len(ms) != len(cache.Stats{}.Metrics())+1 {
		t.Errorf("Cache.Metrics has %d figures, want those of Stats and one", len(ms))
	}
}

// TestMetrics_AfterTraffic reads the figures after hits, misses, a failed
// load and a refresh: each is the Stats field it names, and the entry count
// is Len.
func TestMetrics_AfterTraffic(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		errDown := errors.New("down")
		c, err := cache.New(func(_ context.Context, k string) (string, error) {
			if k == "bad" {
				return "", errDown
			}
			return k, nil
		}, cache.WithTTL(10*time.Second), cache.WithRefresh(4*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		ctx := context.Background()
		for _, k := range []string{"a", "a", "a", "b", "bad"} {
			_, _ = c.Get(ctx, k)
		}
		if err := c.Refresh(ctx, "a"); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		got := map[string]int64{}
		for _, m := range c.Metrics() {
			got[m.Name+" "+m.Attr.Value] = m.Value
		}
		st := c.Stats()
		want := map[string]int64{
			"cache.requests hit":    2,
			"cache.requests miss":   3,
			"cache.loads ":          3,
			"cache.load.errors ":    1,
			"cache.refreshes ":      1,
			"cache.refresh.errors ": 0,
			"cache.expirations ":    int64(st.Expirations),
			"cache.evictions ":      0,
			"cache.evicted.weight ": 0,
			"cache.negative.hits ":  0,
			"cache.stale.hits ":     0,
			"cache.entry.count ":    2,
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("Metrics = %v, want %v (stats %+v, len %d)", got, want, st, c.Len())
		}
	})
}

func TestStatsMetrics_Saturates(t *testing.T) {
	for _, m := range (cache.Stats{Hits: math.MaxUint64}).Metrics() {
		if m.Attr.Value == "hit" && m.Value != math.MaxInt64 {
			t.Fatalf("hits = %d, want math.MaxInt64", m.Value)
		}
	}
}

// TestMetrics_Allocations: an exporter calls Metrics on every collection;
// it allocates the returned slice and nothing else.
func TestMetrics_Allocations(t *testing.T) {
	c, err := cache.New(func(context.Context, int) (int, error) { return 1, nil })
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if n := testing.AllocsPerRun(100, func() { _ = c.Metrics() }); n != 1 {
		t.Errorf("Cache.Metrics allocates %v times, want 1", n)
	}
	if n := testing.AllocsPerRun(100, func() { _ = c.Stats().Metrics() }); n > 1 {
		t.Errorf("Stats.Metrics allocates %v times, want at most 1", n)
	}
}
