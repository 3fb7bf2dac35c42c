package cache

import "math"

// The climber sizes the admission window by hill climbing, as Caffeine's
// adaptive W-TinyLFU does ("Adaptive Software Cache Management", Einziger,
// Eytan, Friedman and Manes, Middleware 2018): a large window suits a
// recency-biased workload (an entry is read again soon or never), a small
// one a frequency-biased workload (a few keys are read over and over).
//
// After each sample of requests (hits and misses, ten times the number of
// entries the sketch is sized for), it compares the sample's hit ratio with
// the previous sample's. If the ratio did not fall, the next step goes the
// same way as the last one, otherwise the other way. Steps decay by 2% each
// sample, so the window settles; a change of the hit ratio of 5 points or
// more restarts them at full size (6.25% of the bound), so that it adapts
// again when the workload changes.
type climber struct {
	hits, misses int
	prevHitRatio float64
	step         float64 // the next step's size, in weight, with its sign
	fullStep     float64
}

const (
	climbStepFraction = 0.0625
	climbDecay        = 0.98
	climbRestart      = 0.05
)

func (c *climber) init(maxWeight int64) {
	c.fullStep = climbStepFraction * float64(maxWeight)
	// The first step shrinks the window: the policy starts as plain
	// W-TinyLFU (1% window), best for frequency-biased workloads, and the
	// window grows only when the hit ratio shows that it pays.
	c.step = -c.fullStep
}

// adjustment ends a sample and returns how much weight to move from the main
// space to the window (negative: from the window to the main space).
func (c *climber) adjustment() int64 {
	ratio := float64(c.hits) / float64(c.hits+c.misses)
	change := ratio - c.prevHitRatio
	amount := c.step
	if change < 0 {
		amount = -amount
	}
	if math.Abs(change) >= climbRestart {
		c.step = math.Copysign(c.fullStep, amount)
	} else {
		c.step = amount * climbDecay
	}
	c.prevHitRatio = ratio
	c.hits, c.misses = 0, 0
	return int64(amount)
}

// climbIfDue ends the sample when it is complete and moves the boundary
// between the window and the main space. A sample taken while the policy is
// less than half full only warms the cache up: it is dropped.
func (p *policy[E]) climbIfDue() {
	c := &p.climber
	if c.hits+c.misses < p.sketch.sampleSize {
		return
	}
	if p.total < p.maxWeight/2 {
		c.hits, c.misses = 0, 0
		return
	}
	switch amount := c.adjustment(); {
	case amount > 0:
		// The window grows at the expense of protected: probation keeps
		// its share, so candidates still have room to prove themselves.
		amount = min(amount, p.protectedMax)
		p.windowMax += amount
		p.protectedMax -= amount
		p.demoteProtected()
	case amount < 0:
		amount = min(-amount, p.windowMax-1)
		p.windowMax -= amount
		p.protectedMax += amount
		// The window's overflow moves to probation at the next add.
	}
}
