package cache_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/asyncutils-go/asyncutils/cache"
)

func TestSetAge(t *testing.T) {
	t.Run("outside a load", func(t *testing.T) {
		if cache.SetAge(context.Background(), time.Second) {
			t.Fatal("SetAge outside a load reported true")
		}
	})
	t.Run("the TTL counts from when the value was produced", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var calls int
			c, err := cache.New(func(ctx context.Context, k string) (string, error) {
				calls++
				if !cache.SetAge(ctx, 7*time.Second) {
					t.Error("SetAge in a loader reported false")
				}
				return "v", nil
			}, cache.WithTTL(10*time.Second), cache.WithRefresh(0))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := c.Get(context.Background(), "k"); err != nil {
				t.Fatal(err)
			}
			if age, ok := c.Age("k"); !ok || age != 7*time.Second {
				t.Fatalf("Age = %v, %v; want 7s, true", age, ok)
			}
			time.Sleep(3*time.Second + time.Millisecond) // true age 10s+1ms: expired
			if c.Contains("k") {
				t.Fatal("value past its true TTL is still contained")
			}
			if _, err := c.Get(context.Background(), "k"); err != nil || calls != 2 {
				t.Fatalf("Get after the true TTL: err %v, %d loader calls; want a reload", err, calls)
			}
		})
	})
	t.Run("a value older than the TTL is refused", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			c, err := cache.New(func(ctx context.Context, k string) (string, error) {
				cache.SetAge(ctx, 11*time.Second)
				return "v", nil
			}, cache.WithTTL(10*time.Second))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := c.Get(context.Background(), "k"); !errors.Is(err, cache.ErrTooOld) {
				t.Fatalf("Get = %v; want ErrTooOld", err)
			}
			if c.Len() != 0 {
				t.Fatalf("Len = %d after a too-old load; want 0", c.Len())
			}
		})
	})
}
