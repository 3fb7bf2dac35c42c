package redistier_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/asyncutils-go/asyncutils/cache/redistier"
)

// pickyCodec is JSON, except that it cannot decode the value "poison" (as a
// replica of an older version could not read a newer one's value).
type pickyCodec struct{}

func (pickyCodec) Encode(v string) ([]byte, error) { return json.Marshal(v) }
func (pickyCodec) Decode(b []byte) (string, error) {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return "", err
	}
	if s == "poison" {
		return "", errors.New("picky: cannot read poison")
	}
	return s, nil
}

// doc.go: "A record or message that does not decode is treated as missing (a
// received Set as an Invalidate)". For the key "" (a valid string key).
func TestFault_UndecodableSetOfEmptyKey(t *testing.T) {
	mr := newMini(t)
	u := &upstream{}
	opts := []redistier.Option{redistier.WithTiming(time.Minute, 15*time.Second), redistier.WithCodec[string](pickyCodec{})}
	a := newReplica(t, miniClient(mr), u, opts)
	b := newReplica(t, miniClient(mr), u, opts)
	waitSubscribed(t, []*replica{a, b})
	ctx := context.Background()
	for _, key := range []string{"x", ""} {
		if _, err := b.cache.Get(ctx, key); err != nil {
			t.Fatal(err)
		}
		recv := b.tier.Stats().DecodeErrors
		if err := a.tier.Set(ctx, key, "poison"); err != nil {
			t.Fatal(err)
		}
		eventually(t, "B sees the change", func() bool { return b.tier.Stats().DecodeErrors > recv })
		time.Sleep(20 * time.Millisecond)
		v, held := b.cache.Peek(key)
		t.Logf("key %q: after an undecodable Set, B holds %q (%v); B stats %+v", key, v, held, b.tier.Stats())
		if held {
			t.Errorf("key %q: B kept its old value %q: the undecodable Set was not applied as an Invalidate", key, v)
		}
	}
}
