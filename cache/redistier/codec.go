package redistier

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
)

// Codec turns values into bytes for Redis and back. Both methods may be
// called concurrently. A Decode error makes the tier treat the value as
// missing.
type Codec[V any] interface {
	Encode(value V) ([]byte, error)
	Decode(data []byte) (V, error)
}

// JSON is the codec of encoding/json, the default. As encoding/json does, it
// replaces bytes of a string that are not UTF-8 with U+FFFD: replicas then
// share the replaced string, not the original bytes; give a codec of your
// own for such values.
func JSON[V any]() Codec[V] { return jsonCodec[V]{} }

type jsonCodec[V any] struct{}

func (jsonCodec[V]) Encode(v V) ([]byte, error) { return json.Marshal(v) }

func (jsonCodec[V]) Decode(data []byte) (V, error) {
	var v V
	err := json.Unmarshal(data, &v)
	return v, err
}

// A record is what Redis holds for a key: a version byte, the load time
// (Unix nanoseconds of the producer's clock, big-endian) and the encoded
// value.
const (
	recordVersion = 1
	recordHeader  = 9
)

var errRecord = errors.New("not a redistier record")

func encodeRecord(loadedAt int64, payload []byte) []byte {
	b := make([]byte, recordHeader, recordHeader+len(payload))
	b[0] = recordVersion
	binary.BigEndian.PutUint64(b[1:], uint64(loadedAt))
	return append(b, payload...)
}

func decodeRecord[B []byte | string](b B) (loadedAt int64, payload []byte, err error) {
	if len(b) < recordHeader || b[0] != recordVersion {
		return 0, nil, errRecord
	}
	return int64(binary.BigEndian.Uint64([]byte(b[1:recordHeader]))), []byte(b[recordHeader:]), nil
}

// defaultKey returns the key functions for a type whose kind is a string or
// an integer, or nil ones for any other. They read the kind, not fmt.Sprint,
// so that a String method cannot make the form differ from what parse reads.
func defaultKey[K comparable]() (func(K) string, func(string) (K, error)) {
	t := reflect.TypeFor[K]()
	var format func(K) string
	var parse func(string) (K, error)
	switch t.Kind() {
	case reflect.String:
		format = func(k K) string { return reflect.ValueOf(k).String() }
		parse = func(s string) (K, error) {
			var k K
			reflect.ValueOf(&k).Elem().SetString(s)
			return k, nil
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		format = func(k K) string { return strconv.FormatInt(reflect.ValueOf(k).Int(), 10) }
		parse = func(s string) (K, error) {
			var k K
			n, err := strconv.ParseInt(s, 10, t.Bits())
			reflect.ValueOf(&k).Elem().SetInt(n)
			return k, err
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		format = func(k K) string { return strconv.FormatUint(reflect.ValueOf(k).Uint(), 10) }
		parse = func(s string) (K, error) {
			var k K
			n, err := strconv.ParseUint(s, 10, t.Bits())
			reflect.ValueOf(&k).Elem().SetUint(n)
			return k, err
		}
	default:
		return nil, nil
	}
	return format, parse
}
