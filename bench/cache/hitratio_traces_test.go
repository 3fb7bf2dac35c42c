package cachebench_test

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"math/rand"
	"os"
	"strconv"
	"strings"
	"sync"
)

// hitTrace is one workload of the hit-ratio simulator and the capacities it
// is replayed at. keys is computed once and shared by every replay.
type hitTrace struct {
	name       string
	keys       func() []uint64
	capacities []int
}

func hitTraces() []hitTrace {
	lirs := []int{250, 500, 1000, 1500, 2000}
	large := []int{1000, 10_000, 100_000}
	return []hitTrace{
		{"zipf", sync.OnceValue(func() []uint64 { return zipfTrace(1_000_000) }), large},
		{"mix", sync.OnceValue(func() []uint64 { return scanMixTrace(1_000_000) }), large},
		{"gli", sync.OnceValue(func() []uint64 { return fileTrace("gli.gz") }), lirs},
		{"loop", sync.OnceValue(func() []uint64 { return fileTrace("loop.gz") }), lirs},
	}
}

// zipfTrace is the stream otter's simulator uses: math/rand's Zipf with
// s=1.0001, v=10 over 50,000,000 keys. Most keys are read once, a few very
// often: a frequency-biased workload.
func zipfTrace(n int) []uint64 {
	z := rand.NewZipf(rand.New(rand.NewSource(1)), 1.0001, 10, 50_000_000)
	keys := make([]uint64, n)
	for i := range keys {
		keys[i] = z.Uint64()
	}
	return keys
}

// scanMixTrace is a hot set interrupted by scans: in each block of 10,000
// requests, 7,000 reads from a hot set of 20,000 keys (Zipf, s=1.1, so that
// some of the hot set is hotter than the rest) and then a scan of 3,000
// keys never read before or after, as a batch job or a crawler would. A
// cache that admits everything it misses lets each scan flush its hot set.
func scanMixTrace(n int) []uint64 {
	const block, hotReads, hotSet = 10_000, 7_000, 20_000
	z := rand.NewZipf(rand.New(rand.NewSource(2)), 1.1, 1, hotSet-1)
	keys := make([]uint64, 0, n)
	scan := uint64(1 << 32)
	for len(keys) < n {
		for i := 0; i < block && len(keys) < n; i++ {
			if i < hotReads {
				keys = append(keys, z.Uint64())
			} else {
				keys = append(keys, scan)
				scan++
			}
		}
	}
	return keys
}

// fileTrace reads a gzip-compressed trace in testdata: one decimal key a
// line (see testdata/README.md). It panics on a bad file: the traces are
// part of the repository.
func fileTrace(name string) []uint64 {
	f, err := os.Open("testdata/" + name)
	if err != nil {
		panic(err)
	}
	defer func() { _ = f.Close() }()
	z, err := gzip.NewReader(f)
	if err != nil {
		panic(fmt.Sprintf("%s: %v", name, err))
	}
	var keys []uint64
	sc := bufio.NewScanner(z)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		k, err := strconv.ParseUint(line, 10, 64)
		if err != nil {
			panic(fmt.Sprintf("%s line %d: %v", name, len(keys)+1, err))
		}
		keys = append(keys, k)
	}
	if err := sc.Err(); err != nil {
		panic(fmt.Sprintf("%s: %v", name, err))
	}
	return keys
}
