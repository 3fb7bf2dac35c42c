package redistier_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/asyncutils-go/asyncutils/cache/redistier"
)

// TestMetrics_EveryCounter: every field of Stats is one figure of Metrics,
// with its value, so that an exporter never misses a counter.
func TestMetrics_EveryCounter(t *testing.T) {
	srv := miniredis.RunT(t)
	client := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer client.Close()
	tier, err := redistier.New(client, "m", func(_ context.Context, k string) (string, error) { return k, nil })
	if err != nil {
		t.Fatal(err)
	}
	defer tier.Close()
	if _, err := tier.Loader()(context.Background(), "a"); err != nil {
		t.Fatal(err)
	}
	st := tier.Stats()
	ms := tier.Metrics()
	if n := reflect.TypeOf(st).NumField(); len(ms) != n {
		t.Fatalf("%d figures for %d Stats fields", len(ms), n)
	}
	var sum, want int64
	for _, m := range ms {
		sum += m.Value
	}
	v := reflect.ValueOf(st)
	for i := range v.NumField() {
		want += int64(v.Field(i).Uint())
	}
	if sum != want || want == 0 {
		t.Fatalf("figures add up to %d, the Stats fields to %d", sum, want)
	}
}
