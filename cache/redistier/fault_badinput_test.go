package redistier_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/asyncutils-go/asyncutils/cache/redistier"
	"github.com/redis/go-redis/v9"
)

func TestFault_BadInputMessages(t *testing.T) {
	mr := newMini(t)
	client := miniClient(mr)
	defer client.Close()
	load := (&upstream{}).load
	cases := map[string][]redistier.Option{
		"codec of another type":   {redistier.WithCodec(redistier.JSON[int]())},
		"key funcs of other type": {redistier.WithKey(func(int) string { return "" }, func(string) (int, error) { return 0, nil })},
		"nil key funcs":           {redistier.WithKey[string](nil, nil)},
		"refresh > ttl":           {redistier.WithTiming(time.Second, 2*time.Second)},
		"negative skew":           {redistier.WithMaxSkew(-1)},
		"zero lease, timeout":     {redistier.WithLease(0), redistier.WithTimeout(-1)},
		"ttl max, skew huge":      {redistier.WithTiming(math.MaxInt64, 0), redistier.WithMaxSkew(math.MaxInt64 - 1)},
	}
	for name, opts := range cases {
		tier, err := redistier.New(client, "p", load, opts...)
		t.Logf("%s: %v", name, err)
		if err == nil {
			_ = tier.Close()
		} else if !errors.Is(err, redistier.ErrInvalidConfig) {
			t.Errorf("%s: not ErrInvalidConfig", name)
		}
	}
	_, err := redistier.New[string, string](nil, "a{b}", nil)
	if !errors.Is(err, redistier.ErrInvalidConfig) || !strings.Contains(err.Error(), "client is nil") || !strings.Contains(err.Error(), "loader") {
		t.Errorf("nil client, braces, nil loader: %v, want every problem named", err)
	}
	type point struct{ x, y int }
	_ = point{1, 2}.x + point{}.y
	_, err = redistier.New[point, string](client, "p", func(context.Context, point) (string, error) { return "", nil })
	if !errors.Is(err, redistier.ErrInvalidConfig) {
		t.Errorf("struct key without WithKey: %v, want ErrInvalidConfig", err)
	}
	var _ redis.UniversalClient = client
}
