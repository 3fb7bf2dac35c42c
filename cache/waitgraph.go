package cache

import "sync"

// Loads that wait for each other form a graph: an edge from load A to load B
// means that A's loader waits for B's result. A loader that would wait for a
// load that, directly or through any chain of other loads, waits for it,
// would never be woken: such a wait is refused with ErrReentrant. The graph
// covers every cache of the process (loads of one cache may wait for loads
// of another), so its one mutex is package-wide; it is taken only when a
// loader waits for another load, never on a hit or by a caller outside a
// loader.

// waitNode is one load in the graph.
type waitNode struct {
	waitsFor []*waitNode // under waitMu; a loader may wait on several loads at once
}

var waitMu sync.Mutex

// beginWait records that waiter waits for target, unless target already
// waits, through any chain, for waiter (or is waiter): then it records
// nothing and returns false.
func beginWait(waiter, target *waitNode) bool {
	waitMu.Lock()
	defer waitMu.Unlock()
	if reaches(target, waiter, map[*waitNode]bool{}) {
		return false
	}
	waiter.waitsFor = append(waiter.waitsFor, target)
	return true
}

// endWait removes the edge beginWait recorded.
func endWait(waiter, target *waitNode) {
	waitMu.Lock()
	defer waitMu.Unlock()
	for i, n := range waiter.waitsFor {
		if n == target {
			last := len(waiter.waitsFor) - 1
			waiter.waitsFor[i] = waiter.waitsFor[last]
			waiter.waitsFor[last] = nil
			waiter.waitsFor = waiter.waitsFor[:last]
			return
		}
	}
}

// reaches reports whether to is from, or is reached from it; waitMu held.
func reaches(from, to *waitNode, seen map[*waitNode]bool) bool {
	if from == to {
		return true
	}
	if seen[from] {
		return false
	}
	seen[from] = true
	for _, n := range from.waitsFor {
		if reaches(n, to, seen) {
			return true
		}
	}
	return false
}
