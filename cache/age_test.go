package cache_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/benbjohnson/clock"

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

// TestSetWithAge: the value's age counts from when it was produced; a value
// already past the TTL is not stored and the key's old value goes; a
// negative age counts as 0.
func TestSetWithAge(t *testing.T) {
	mock := clock.NewMock()
	c, err := cache.New(newCounting().load, cache.WithClock(mock), cache.WithTTL(10*time.Second), cache.WithRefresh(0))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetWithAge("a", "v", 4*time.Second)
	if age, ok := c.Age("a"); !ok || age != 4*time.Second {
		t.Fatalf("Age = %v, %v; want 4s", age, ok)
	}
	mock.Add(6*time.Second + time.Millisecond) // 10s + 1ms old
	if c.Contains("a") {
		t.Fatal("a value past its TTL (counted from when it was produced) is still held")
	}
	c.Set("b", "old")
	c.SetWithAge("b", "too old", 11*time.Second)
	if v, ok := c.Peek("b"); ok {
		t.Fatalf("Peek(b) = %q: a value past the TTL was stored, or the old one kept", v)
	}
	c.SetWithAge("c", "v", -time.Hour)
	if age, ok := c.Age("c"); !ok || age != 0 {
		t.Fatalf("Age(c) = %v, %v; want 0", age, ok)
	}
}
