package redistier

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/redis/go-redis/v9"
)

// A change message on the tier's channel: an op byte, the publishing tier's
// origin (8 bytes), the key's string form (uvarint length, bytes), and for a
// Set the record (load time and encoded value).
const (
	opInvalidate = 'i'
	opSet        = 's'
)

// setValue stores a record, voids any lease on the key (so that a load in
// flight elsewhere does not overwrite it with what it read before) and
// publishes the change, in one script: two Sets of a key close together
// then reach the replicas in the order Redis stored them (stored and
// published apart, the replicas could end with the other value than
// Redis).
var setValue = redis.NewScript(`
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('DEL', KEYS[2])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1`)

// Idle time after which the subscriber pings Redis, and how long it then
// waits for the answer before it subscribes on a new connection.
const pingAfter = time.Second

// Invalidate removes key from every attached cache of this replica at once,
// from Redis, and from every attached cache of the fleet when they receive
// the change. A load in flight anywhere does not bring the old value back. A
// Redis error is returned (wrapped, and counted) after the local caches were
// invalidated: the other replicas then keep their value until they reload it,
// within their refresh time.
func (t *Tier[K, V]) Invalidate(ctx context.Context, key K) error {
	if t.closed.Load() {
		return ErrClosed
	}
	ks := t.format(key)
	var zero V
	t.sending(ks, false, zero) // before the local change, which a change of another replica's must not undo
	for _, c := range *t.caches.Load() {
		c.Invalidate(key)
	}
	err := t.publish(ctx, "Invalidate", opInvalidate, ks, nil, func(ctx context.Context, _ []byte) (bool, error) {
		return false, t.client.Del(ctx, t.valueKey(ks), t.leaseKey(ks)).Err()
	})
	// Again, now that Redis no longer holds the old record: a Get of this
	// replica during the DEL's round trip could have read it back (its
	// own change message is not applied here).
	for _, c := range *t.caches.Load() {
		c.Invalidate(key)
	}
	return err
}

// Set stores value for key in every attached cache of this replica at once,
// in Redis (as loaded now), and in every attached cache of the fleet that
// holds key when they receive the change (a cache that does not hold it
// drops any load of it in flight, and reads the new value from Redis when it
// needs it). A value that does not encode, or a Redis error, is returned
// (wrapped, and counted) after the local caches were set.
func (t *Tier[K, V]) Set(ctx context.Context, key K, value V) error {
	if t.closed.Load() {
		return ErrClosed
	}
	ks := t.format(key)
	t.sending(ks, true, value) // before the local change, which a change of another replica's must not undo
	for _, c := range *t.caches.Load() {
		c.Set(key, value)
	}
	payload, err := t.codec.Encode(value)
	if err != nil {
		t.received(ks) // not sent
		t.stats.encodeErrors.Add(1)
		return fmt.Errorf("redistier: Set: %w", err)
	}
	rec := encodeRecord(t.clock.Now().UnixNano(), payload)
	return t.publish(ctx, "Set", opSet, ks, rec, func(ctx context.Context, msg []byte) (bool, error) {
		return true, setValue.Run(ctx, t.client, []string{t.valueKey(ks), t.leaseKey(ks)}, rec, t.ttlMillis(), t.channel, msg).Err()
	})
}

// ttlMillis is the TTL in whole milliseconds for Redis's PX, at least 1 (a
// TTL under a millisecond would be PX 0, which Redis refuses).
func (t *Tier[K, V]) ttlMillis() int64 { return max(t.ttl.Milliseconds(), 1) }

// publish runs store, then publishes the change to the fleet, unless store
// published it itself (it returns true). The caller counted the change with
// sending.
func (t *Tier[K, V]) publish(ctx context.Context, what string, op byte, ks string, rec []byte, store func(ctx context.Context, msg []byte) (published bool, err error)) error {
	msg := make([]byte, 0, 1+8+binary.MaxVarintLen64+len(ks)+len(rec))
	msg = append(msg, op)
	msg = binary.BigEndian.AppendUint64(msg, t.origin)
	msg = binary.AppendUvarint(msg, uint64(len(ks)))
	msg = append(msg, ks...)
	msg = append(msg, rec...)
	published := false
	err := t.call(ctx, func(ctx context.Context) error {
		var err error
		published, err = store(ctx, msg)
		return err
	})
	if err == nil && !published {
		err = t.call(ctx, func(ctx context.Context) error { return t.client.Publish(ctx, t.channel, msg).Err() })
	}
	if err != nil {
		t.received(ks) // it may not come back (it may yet, as a change of this replica's)
		t.redisFailed(err)
		return fmt.Errorf("redistier: %s: the fleet was not told: %w", what, err)
	}
	t.redisOK()
	t.stats.changesSent.Add(1)
	return nil
}

// subscribe receives the fleet's changes until Close. It owns its receive
// loop (rather than go-redis's Channel) to see every error and
// resubscription, and to replace a connection that stops answering.
func (t *Tier[K, V]) subscribe(ctx context.Context) {
	defer close(t.stopped)
	ps := t.newPubSub(ctx)
	if ps == nil {
		return
	}
	defer func() {
		if ps != nil { // nil when Close came during a reconnection
			_ = ps.Close()
		}
	}()
	delay := minBackoff
	pinged, subscribed := false, false
	for {
		// The deadline bounds what the receive may do besides waiting: it
		// may reconnect and greet Redis, which blocks while Redis hangs,
		// holding the pub/sub's lock that Close needs (with the client's
		// ContextTimeoutEnabled; else its ReadTimeout bounds it).
		rctx, cancel := context.WithTimeout(ctx, pingAfter+t.timeout)
		msg, err := ps.ReceiveTimeout(rctx, pingAfter)
		cancel()
		if t.closed.Load() {
			return
		}
		var ne net.Error
		switch {
		case err == nil:
			delay, pinged = minBackoff, false
		case errors.As(err, &ne) && ne.Timeout() && !pinged:
			// Idle: ask for a pong; its absence by the next timeout means
			// the connection is dead without having been closed.
			pinged = true
			if perr := t.call(ctx, func(ctx context.Context) error { return ps.Ping(ctx) }); perr != nil {
				t.redisFailed(perr)
			}
			continue
		default:
			t.redisFailed(err)
			if pinged { // no pong: start over on a new connection
				_ = ps.Close()
				if ps = t.newPubSub(ctx); ps == nil {
					return
				}
				pinged = false
			}
			if !t.sleep(delay) {
				return
			}
			delay = min(2*delay, maxBackoff)
			continue
		}
		switch m := msg.(type) {
		case *redis.Subscription:
			if m.Kind == "subscribe" {
				// A change of this replica's published while it was not
				// subscribed never comes back: stop waiting for it.
				t.forgetSent()
				if subscribed {
					t.stats.resubscribes.Add(1)
				} else {
					close(t.ready)
				}
				subscribed = true
				t.redisOK()
			}
		case *redis.Message:
			t.apply(m.Payload)
		}
	}
}

// newPubSub subscribes on a new connection that Close can close; nil after
// Close.
//
// Subscribe dials and greets Redis, which blocks while Redis hangs, so it
// runs without psMu: Close takes psMu to close the current pub/sub and must
// not wait for a dial. A pub/sub made while Close ran is closed here.
func (t *Tier[K, V]) newPubSub(ctx context.Context) *redis.PubSub {
	if t.closed.Load() {
		return nil
	}
	// Bounded (with the client's ContextTimeoutEnabled; else by its dial
	// and read timeouts), so that Close, which waits for this goroutine,
	// waits no longer than that for a hung Redis; by a second at least, so
	// that a loaded machine does not fail the subscription it needs (a
	// change published while it resubscribes is missed).
	sctx, cancel := context.WithTimeout(ctx, max(t.timeout, pingAfter))
	ps := t.client.Subscribe(sctx, t.channel)
	cancel()
	t.psMu.Lock()
	defer t.psMu.Unlock()
	if t.closed.Load() {
		_ = ps.Close()
		return nil
	}
	t.ps = ps
	return ps
}

// sleep waits d, or until Close (false).
func (t *Tier[K, V]) sleep(d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-t.done:
		return false
	}
}

// apply applies a change from another replica to the attached caches.
func (t *Tier[K, V]) apply(payload string) {
	op, origin, ks, rec, err := decodeChange(payload)
	framed := err == nil // the key's string form was read (it may be "", a real key)
	var key K
	var mark uint64 // t.sends when the change was found not superseded
	if err == nil {
		if origin == t.origin {
			t.received(ks)
			return // applied locally when it was made
		}
		var superseded bool
		if superseded, mark = t.superseded(ks); superseded {
			// Redis stored it before a change of this replica's that is
			// on its way back: that change, applied locally when it was
			// made, is the key's last one.
			t.stats.changesRecv.Add(1)
			return
		}
		key, err = t.parse(ks)
	}
	var v V
	var age time.Duration
	if err == nil && op == opSet {
		var b []byte
		var loadedAt int64
		if loadedAt, b, err = decodeRecord(rec); err == nil {
			v, err = t.codec.Decode(b)
		}
		// The value keeps its true age, as one read from Redis does (with
		// the skew bound added): a change that arrives late (a slow link, a
		// paused process) is not served past its TTL.
		age = time.Duration(t.clock.Now().UnixNano()-loadedAt) + t.skew
	}
	if err != nil {
		t.stats.decodeErrors.Add(1)
		t.log().Warn("redistier: a change from the fleet does not decode", "channel", t.channel, "err", err)
		if op != opSet || !framed {
			return
		}
		op = opInvalidate // a Set whose value is unreadable still voids the old one
		if key, err = t.parse(ks); err != nil {
			return
		}
	}
	caches := *t.caches.Load()
	for _, c := range caches {
		if op == opSet && c.Contains(key) {
			c.SetWithAge(key, v, age)
		} else {
			c.Invalidate(key)
		}
	}
	if framed {
		if set, value, ok := t.changedSince(ks, mark); ok {
			// A change of this replica's began while this one was
			// applied, and this one may have overwritten it: make it
			// again (this one was stored in Redis before it).
			for _, c := range caches {
				if set {
					c.Set(key, value)
				} else {
					c.Invalidate(key)
				}
			}
		}
	}
	t.stats.changesRecv.Add(1) // after the caches, so that a reader of the count sees the change applied
}

var errChange = errors.New("not a redistier change")

func decodeChange(p string) (op byte, origin uint64, ks, rec string, err error) {
	if len(p) < 9 || (p[0] != opInvalidate && p[0] != opSet) {
		return 0, 0, "", "", errChange
	}
	op, origin = p[0], binary.BigEndian.Uint64([]byte(p[1:9]))
	n, w := binary.Uvarint([]byte(p[9:min(len(p), 9+binary.MaxVarintLen64)]))
	if w <= 0 || n > uint64(len(p)-9-w) {
		return 0, 0, "", "", errChange
	}
	start := 9 + w
	return op, origin, p[start : start+int(n)], p[start+int(n):], nil
}

// A replica applies its own change locally when it makes it, and skips the
// message of it that comes back. A change of another replica's that arrives
// while one of its own for the same key is on its way back was stored by
// Redis before its own (the subscriber receives messages in the order Redis
// ran the scripts that published them), so applying it would leave this
// replica with an older value than Redis and the rest of the fleet hold:
// such a change is skipped. sending, received and superseded keep the count
// of each key's changes on their way back.

// sent is this replica's changes of one key on their way back.
type sent[V any] struct {
	pending int    // changes counted by sending and not yet received back (or failed)
	seq     uint64 // Tier.sends when the last of them was counted
	set     bool   // the last of them is a Set of value; false: an Invalidate
	value   V
}

// sending counts a change of key ks that is about to be made locally and
// published: a Set of value, or (set false) an Invalidate.
func (t *Tier[K, V]) sending(ks string, set bool, value V) {
	t.ownMu.Lock()
	defer t.ownMu.Unlock()
	if t.own == nil {
		t.own = map[string]*sent[V]{}
	}
	s := t.own[ks]
	if s == nil {
		s = &sent[V]{}
		t.own[ks] = s
	}
	t.sends++
	s.pending++
	s.seq, s.set, s.value = t.sends, set, value
}

// received counts a change of key ks that came back, or failed.
func (t *Tier[K, V]) received(ks string) {
	t.ownMu.Lock()
	defer t.ownMu.Unlock()
	if s := t.own[ks]; s != nil {
		if s.pending--; s.pending <= 0 {
			delete(t.own, ks)
		}
	}
}

// superseded reports whether a change of key ks from another replica is
// followed by one of this replica's, still on its way back; if not, mark is
// the count of changes so far, for changedSince.
func (t *Tier[K, V]) superseded(ks string) (superseded bool, mark uint64) {
	t.ownMu.Lock()
	defer t.ownMu.Unlock()
	s := t.own[ks]
	return s != nil && s.pending > 0, t.sends
}

// changedSince returns the last change of key ks that this replica began
// after mark and has not received back, if there is one.
func (t *Tier[K, V]) changedSince(ks string, mark uint64) (set bool, value V, ok bool) {
	t.ownMu.Lock()
	defer t.ownMu.Unlock()
	if s := t.own[ks]; s != nil && s.pending > 0 && s.seq > mark {
		return s.set, s.value, true
	}
	return false, value, false
}

// forgetSent drops the counts: a (new) subscription receives only what is
// published after it.
func (t *Tier[K, V]) forgetSent() {
	t.ownMu.Lock()
	clear(t.own)
	t.ownMu.Unlock()
}
