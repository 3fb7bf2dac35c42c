package redistier_test

import (
	"context"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/asyncutils-go/asyncutils/cache"
	"github.com/asyncutils-go/asyncutils/cache/redistier"
	"github.com/redis/go-redis/v9"
)

// exampleReplica is one replica of a service: its client, tier and cache.
// (The examples run on miniredis, an in-process Redis, so that they run
// anywhere; a service gives a client of its Redis, Sentinel or Cluster.)
func exampleReplica(addr string, loader cache.Loader[string, string]) (*redistier.Tier[string, string], *cache.Cache[string, string], func()) {
	client := redis.NewClient(&redis.Options{Addr: addr})
	tier, err := redistier.New(client, "prices", loader, redistier.WithTiming(time.Minute, 15*time.Second))
	if err != nil {
		panic(err)
	}
	c, err := cache.New(tier.Loader(), tier.CacheOptions()...)
	if err != nil {
		panic(err)
	}
	if err := tier.Attach(c); err != nil {
		panic(err)
	}
	if err := tier.WaitSubscribed(context.Background()); err != nil {
		panic(err)
	}
	return tier, c, func() { _ = c.Close(); _ = tier.Close(); _ = client.Close() }
}

// Two replicas share one upstream load: the second reads the value the first
// loaded from Redis, with its true age.
func ExampleNew() {
	mr, _ := miniredis.Run()
	defer mr.Close()
	var calls atomic.Int64
	loader := func(_ context.Context, key string) (string, error) {
		calls.Add(1)
		return "price of " + key, nil
	}
	tierA, a, closeA := exampleReplica(mr.Addr(), loader)
	defer closeA()
	tierB, b, closeB := exampleReplica(mr.Addr(), loader)
	defer closeB()

	ctx := context.Background()
	va, _ := a.Get(ctx, "apple")
	vb, _ := b.Get(ctx, "apple")
	fmt.Println(va, "|", vb)
	fmt.Println("upstream calls:", calls.Load())
	fmt.Println("A loaded for the fleet:", tierA.Stats().LeaseWins, "B read it from Redis:", tierB.Stats().FromRedis)
	// Output:
	// price of apple | price of apple
	// upstream calls: 1
	// A loaded for the fleet: 1 B read it from Redis: 1
}

// An invalidation on one replica reaches the caches of every replica.
func ExampleTier_Invalidate() {
	mr, _ := miniredis.Run()
	defer mr.Close()
	var version atomic.Int64
	loader := func(_ context.Context, key string) (string, error) {
		return key + " v" + strconv.FormatInt(version.Load(), 10), nil
	}
	tierA, a, closeA := exampleReplica(mr.Addr(), loader)
	defer closeA()
	_, b, closeB := exampleReplica(mr.Addr(), loader)
	defer closeB()

	ctx := context.Background()
	_, _ = a.Get(ctx, "apple")
	v, _ := b.Get(ctx, "apple")
	fmt.Println("before:", v)

	version.Store(1) // the source changes
	if err := tierA.Invalidate(ctx, "apple"); err != nil {
		fmt.Println(err)
	}
	for b.Contains("apple") { // the change travels through Redis
		time.Sleep(time.Millisecond)
	}
	v, _ = b.Get(ctx, "apple")
	fmt.Println("after:", v)
	// Output:
	// before: apple v0
	// after: apple v1
}

// A Set on one replica replaces the value in Redis and in every cache that
// holds the key.
func ExampleTier_Set() {
	mr, _ := miniredis.Run()
	defer mr.Close()
	loader := func(_ context.Context, key string) (string, error) { return "loaded " + key, nil }
	tierA, _, closeA := exampleReplica(mr.Addr(), loader)
	defer closeA()
	_, b, closeB := exampleReplica(mr.Addr(), loader)
	defer closeB()

	ctx := context.Background()
	v, _ := b.Get(ctx, "apple")
	fmt.Println(v)
	if err := tierA.Set(ctx, "apple", "set by A"); err != nil {
		fmt.Println(err)
	}
	for v != "set by A" {
		time.Sleep(time.Millisecond)
		v, _ = b.Get(ctx, "apple")
	}
	fmt.Println(v)
	// Output:
	// loaded apple
	// set by A
}

// Keys that are neither strings nor integers need their string form for
// Redis and its inverse, with which changes from the fleet find their key.
func ExampleWithKey() {
	mr, _ := miniredis.Run()
	defer mr.Close()
	client := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	defer func() { _ = client.Close() }()

	type cell struct{ Row, Col int }
	format := func(k cell) string { return fmt.Sprintf("%d,%d", k.Row, k.Col) }
	parse := func(s string) (cell, error) {
		var k cell
		_, err := fmt.Sscanf(s, "%d,%d", &k.Row, &k.Col)
		return k, err
	}
	loader := func(_ context.Context, k cell) (int, error) { return k.Row * k.Col, nil }
	tier, err := redistier.New(client, "cells", loader, redistier.WithKey(format, parse))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer func() { _ = tier.Close() }()
	c, _ := cache.New(tier.Loader(), tier.CacheOptions()...)
	defer func() { _ = c.Close() }()

	v, _ := c.Get(context.Background(), cell{6, 7})
	fmt.Println(v, mr.Exists("asyncutils:tier:cells:{=6,7}:v"))
	// Output: 42 true
}
