package accumulate

// ring is a double-ended queue of values on a circular buffer, with an
// optional maximum length. Values are numbered in the order they were pushed
// (their sequence number), and the values held are always the contiguous
// sequence numbers [first, first+n): values leave from the front (dropped,
// removed after a call, or cleared), except that remove may take a run from
// the middle, which renumbers the values after it. The Accumulator calls
// remove only when a call ends, when no other sequence number is held.
//
// ring is not safe for concurrent use; the Accumulator guards it.
type ring[T any] struct {
	buf   []T    // len(buf) is the capacity; never more than max when max > 0
	head  int    // index in buf of the oldest value
	n     int    // values held
	first uint64 // sequence number of the oldest value
	max   int    // maximum length; 0: unbounded
}

// full reports whether a push would drop the oldest value.
func (r *ring[T]) full() bool { return r.max > 0 && r.n == r.max }

// push appends v; when the ring is full it drops the oldest value first.
func (r *ring[T]) push(v T) {
	if r.full() {
		// len(buf) == max == n: the oldest value's slot is the new tail.
		r.buf[r.head] = v
		r.head = r.wrap(r.head + 1)
		r.first++
		return
	}
	if r.n == len(r.buf) {
		r.grow()
	}
	r.buf[r.wrap(r.head+r.n)] = v
	r.n++
}

// grow doubles the buffer (at least 8, at most max), keeping the order.
func (r *ring[T]) grow() {
	c := max(2*len(r.buf), 8)
	if r.max > 0 && c > r.max {
		c = r.max
	}
	buf := make([]T, c)
	r.copyTo(buf)
	r.buf = buf
	r.head = 0
}

// copyTo copies the values, oldest first, into dst, which must hold r.n.
func (r *ring[T]) copyTo(dst []T) {
	k := copy(dst[:r.n], r.buf[r.head:min(r.head+r.n, len(r.buf))])
	copy(dst[k:r.n], r.buf[:r.n-k])
}

// appendTo appends the values, oldest first, to dst.
func (r *ring[T]) appendTo(dst []T) []T {
	end := r.head + r.n
	if end <= len(r.buf) {
		return append(dst, r.buf[r.head:end]...)
	}
	dst = append(dst, r.buf[r.head:]...)
	return append(dst, r.buf[:end-len(r.buf)]...)
}

// dropThrough removes the values whose sequence number is below end,
// oldest first; values already gone are ignored.
func (r *ring[T]) dropThrough(end uint64) {
	if end <= r.first {
		return
	}
	k := int(min(end-r.first, uint64(r.n)))
	var zero T
	for range k {
		r.buf[r.head] = zero // let the collector have it
		r.head = r.wrap(r.head + 1)
	}
	r.n -= k
	r.first += uint64(k)
}

// remove removes the values whose sequence number is in [lo, hi), keeping
// the order of the others; values already gone are ignored. The values
// after hi move down into the gap, so their sequence numbers drop by the
// number removed.
func (r *ring[T]) remove(lo, hi uint64) {
	lo, hi = max(lo, r.first), min(hi, r.first+uint64(r.n))
	if lo >= hi {
		return
	}
	if lo == r.first {
		r.dropThrough(hi)
		return
	}
	to, from := int(lo-r.first), int(hi-r.first)
	for ; from < r.n; to, from = to+1, from+1 {
		r.buf[r.wrap(r.head+to)] = r.buf[r.wrap(r.head+from)]
	}
	var zero T
	for i := to; i < r.n; i++ {
		r.buf[r.wrap(r.head+i)] = zero // let the collector have it
	}
	r.n = to
}

// clear removes every value. The buffer keeps its size.
func (r *ring[T]) clear() {
	clear(r.buf)
	r.first += uint64(r.n)
	r.head = 0
	r.n = 0
}

// wrap maps i, which is below 2*len(buf), into the buffer.
func (r *ring[T]) wrap(i int) int {
	if i >= len(r.buf) {
		i -= len(r.buf)
	}
	return i
}
