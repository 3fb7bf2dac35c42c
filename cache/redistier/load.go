package redistier

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/asyncutils-go/asyncutils/cache"
	"github.com/redis/go-redis/v9"
)

// Polling for a lease holder's value: first after pollMin, doubled up to
// pollMax, for at most the lease time in all.
const (
	pollMin = 100 * time.Microsecond
	pollMax = 20 * time.Millisecond
)

// writeLeased stores the record (ARGV[2], expiring in ARGV[3] ms) only while
// the caller still holds the lease (token ARGV[1]), and releases it: a Set or
// Invalidate in between deletes the lease, so a load that started before it
// never overwrites its effect.
var writeLeased = redis.NewScript(`
if redis.call('GET', KEYS[2]) == ARGV[1] then
	redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
	redis.call('DEL', KEYS[2])
	return 1
end
return 0`)

// releaseLease deletes the lease if the caller (token ARGV[1]) still holds it.
var releaseLease = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
	return redis.call('DEL', KEYS[1])
end
return 0`)

// load is the tier's loader; see the package doc for the protocol.
func (t *Tier[K, V]) load(ctx context.Context, key K) (V, error) {
	if t.closed.Load() || !t.health.usable(t.clock.Now()) {
		if !t.closed.Load() {
			t.stats.bypassed.Add(1)
		}
		return t.callUpstream(ctx, key)
	}
	ks := t.format(key)
	v, ok, seen, err := t.read(ctx, ks)
	if err != nil {
		return t.callUpstream(ctx, key)
	}
	if ok {
		return v, nil
	}
	deadline := t.clock.Now().Add(t.lease)
	waited := false
	for {
		token, won, v, ok, err := t.takeLease(ctx, ks, &seen)
		if err != nil {
			return t.callUpstream(ctx, key)
		}
		if ok {
			return v, nil
		}
		if won {
			t.stats.leaseWins.Add(1)
			return t.loadLeased(ctx, key, ks, token)
		}
		if !waited {
			waited = true
			t.stats.leaseWaits.Add(1)
		}
		v, ok, again, err := t.wait(ctx, ks, deadline, &seen)
		switch {
		case err != nil:
			return t.callUpstream(ctx, key)
		case ok:
			return v, nil
		case !again:
			t.stats.leaseTimeouts.Add(1)
			return t.callUpstream(ctx, key)
		}
		// The holder released its lease without a fresh value (its load
		// failed, or a change in between voided it): try to take it.
	}
}

// read gets key's record from Redis and reports whether it is fresh; a fresh
// value's age goes to the cache. seen is the record read, for the later
// reads of the load to skip (and not count again) when unchanged. err is a
// Redis error (already reported).
func (t *Tier[K, V]) read(ctx context.Context, ks string) (v V, ok bool, seen []byte, err error) {
	var b []byte
	err = t.call(ctx, func(ctx context.Context) error {
		b, err = t.client.Get(ctx, t.valueKey(ks)).Bytes()
		return err
	})
	if errors.Is(err, redis.Nil) {
		t.redisOK()
		return v, false, nil, nil
	}
	if err != nil {
		t.redisFailed(err)
		return v, false, nil, err
	}
	t.redisOK()
	v, ok = t.fresh(ctx, ks, b)
	return v, ok, b, nil
}

// freshAgain is fresh for a record read again during a load: one equal to
// the last seen is known not to be fresh.
func (t *Tier[K, V]) freshAgain(ctx context.Context, ks string, get *redis.StringCmd, seen *[]byte) (v V, ok bool) {
	b, err := get.Bytes()
	if err != nil || bytes.Equal(b, *seen) {
		return v, false
	}
	*seen = b
	return t.fresh(ctx, ks, b)
}

// fresh decodes a record and, when it is younger than the freshness bound,
// reports its age to the cache and returns its value.
func (t *Tier[K, V]) fresh(ctx context.Context, ks string, b []byte) (v V, ok bool) {
	loadedAt, payload, err := decodeRecord(b)
	if err == nil {
		v, err = t.codec.Decode(payload)
	}
	if err != nil {
		t.stats.decodeErrors.Add(1)
		t.log().Warn("redistier: a value in Redis does not decode: treated as missing", "key", t.valueKey(ks), "err", err)
		return v, false
	}
	age := time.Duration(t.clock.Now().UnixNano()-loadedAt) + t.skew
	if age < 0 {
		t.stats.decodeErrors.Add(1)
		t.log().Warn("redistier: a value in Redis was loaded in the future beyond the max skew: treated as missing",
			"key", t.valueKey(ks), "ahead", -age)
		return v, false
	}
	if age >= t.freshFor {
		return v, false
	}
	cache.SetAge(ctx, age)
	t.stats.fromRedis.Add(1)
	return v, true
}

// takeLease tries to take key's lease, and reads the value again in the same
// round trip: a holder may have written a fresh one since the caller read
// it. Then the lease, if taken, is given back, and the value is used (ok).
func (t *Tier[K, V]) takeLease(ctx context.Context, ks string, seen *[]byte) (token string, won bool, v V, ok bool, err error) {
	token = strconv.FormatUint(t.origin, 36) + "." + strconv.FormatUint(rand.Uint64(), 36)
	var set *redis.BoolCmd
	var get *redis.StringCmd
	err = t.call(ctx, func(ctx context.Context) error {
		_, err := t.client.Pipelined(ctx, func(p redis.Pipeliner) error {
			set = p.SetNX(ctx, t.leaseKey(ks), token, t.lease)
			get = p.Get(ctx, t.valueKey(ks))
			return nil
		})
		return err
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		t.redisFailed(err)
		return "", false, v, false, err
	}
	t.redisOK()
	won = set.Val()
	if v, ok = t.freshAgain(ctx, ks, get, seen); ok {
		if won {
			t.releaseLease(ctx, ks, token)
			// The release took a round trip: the value's age, told to the
			// cache before it, is told again as of now, or the cache would
			// count it that much younger.
			t.fresh(ctx, ks, *seen)
		}
		return "", false, v, true, nil
	}
	return token, won, v, false, nil
}

// loadLeased calls the upstream for the fleet and writes its value to Redis
// while the lease is still held; the lease is released however the call
// ends, a panic included.
func (t *Tier[K, V]) loadLeased(ctx context.Context, key K, ks, token string) (V, error) {
	start := t.clock.Now()
	written := false
	defer func() {
		if !written {
			t.releaseLease(ctx, ks, token)
		}
	}()
	v, err := t.callUpstream(ctx, key)
	if err != nil {
		return v, err
	}
	// The value is new when the upstream returns it, as for the cache alone
	// (an upstream call longer than the TTL then fails neither); the record
	// in Redis keeps the call's start, so the fleet never counts it younger.
	payload, err := t.codec.Encode(v)
	if err != nil {
		t.stats.encodeErrors.Add(1)
		t.log().Warn("redistier: a value does not encode: served, not shared", "key", t.valueKey(ks), "err", err)
		return v, nil
	}
	rec := encodeRecord(start.UnixNano(), payload)
	err = t.call(context.WithoutCancel(ctx), func(ctx context.Context) error {
		return writeLeased.Run(ctx, t.client, []string{t.valueKey(ks), t.leaseKey(ks)},
			token, rec, t.ttlMillis()).Err()
	})
	if err != nil {
		t.redisFailed(err)
		return v, nil
	}
	t.redisOK()
	written = true // released by the script, or no longer ours
	return v, nil
}

func (t *Tier[K, V]) releaseLease(ctx context.Context, ks, token string) {
	err := t.call(context.WithoutCancel(ctx), func(ctx context.Context) error {
		return releaseLease.Run(ctx, t.client, []string{t.leaseKey(ks)}, token).Err()
	})
	if err != nil {
		t.redisFailed(err)
		return
	}
	t.redisOK()
}

// wait polls Redis for a fresh value of key until deadline. again: the lease
// was released without one, so the caller may take it.
func (t *Tier[K, V]) wait(ctx context.Context, ks string, deadline time.Time, seen *[]byte) (v V, ok, again bool, err error) {
	delay := pollMin
	for {
		d := min(delay, deadline.Sub(t.clock.Now()))
		if d <= 0 {
			return v, false, false, nil
		}
		timer := t.clock.Timer(d)
		select {
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return v, false, false, ctx.Err()
		case <-t.done:
			timer.Stop()
			return v, false, false, ErrClosed
		}
		delay = min(2*delay, pollMax)
		var get *redis.StringCmd
		var held *redis.IntCmd
		err = t.call(ctx, func(ctx context.Context) error {
			// The lease first: a holder that writes and releases between
			// the two reads is then seen as its new value, never as a
			// lease released without one (which would start a second load).
			_, err := t.client.Pipelined(ctx, func(p redis.Pipeliner) error {
				held = p.Exists(ctx, t.leaseKey(ks))
				get = p.Get(ctx, t.valueKey(ks))
				return nil
			})
			return err
		})
		if err != nil && !errors.Is(err, redis.Nil) {
			t.redisFailed(err)
			return v, false, false, err
		}
		t.redisOK()
		if v, ok = t.freshAgain(ctx, ks, get, seen); ok {
			return v, true, false, nil
		}
		if held.Val() == 0 {
			return v, false, true, nil
		}
	}
}

// callUpstream calls the upstream loader and counts the call.
func (t *Tier[K, V]) callUpstream(ctx context.Context, key K) (V, error) {
	t.stats.upstream.Add(1)
	return t.upstream(ctx, key)
}

// redisFailed counts a failed Redis call, backs the loads off Redis, and logs
// the first failure of an outage (the rest are only counted).
func (t *Tier[K, V]) redisFailed(err error) {
	t.stats.redisErrors.Add(1)
	if t.health.fail(t.clock.Now()) {
		t.log().Warn("redistier: Redis call failed: loads go to the upstream until it answers", "err", err)
	}
}

// redisOK records a Redis call that answered, and logs the end of an outage.
func (t *Tier[K, V]) redisOK() {
	if t.health.ok() {
		t.log().Info("redistier: Redis answers again")
	}
}
