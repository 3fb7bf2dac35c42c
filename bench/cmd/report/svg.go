package main

import (
	"encoding/xml"
	"fmt"
	"math"
	"strings"
)

// bar is one peer of one scenario in a chart.
type bar struct {
	scenario, impl string
	c              comparison
}

// Chart geometry, in pixels.
const (
	chartWidth = 760
	labelRight = 250 // labels end here
	plotLeft   = 262
	plotRight  = 660
	rowHeight  = 22
	headHeight = 24
	topMargin  = 64
	axisHeight = 30
)

// renderChart draws each peer's ratio to ours as a horizontal bar on a log
// scale, one group per scenario, with a line at 1x: bars to the right mean
// asyncutils is better. The whisker across a bar is the ratio's range (the
// ratio of the intervals' far ends); a grey bar is not significant at alpha
// 0.05. It returns "" when there is nothing to compare. The output depends
// only on the data.
func renderChart(m *module) string {
	var bars []bar
	groups := 0
	for _, s := range m.scenarios {
		added := false
		label := s.name
		if u := s.unit(); u != "ns/op" {
			label += " (" + u + ")"
		}
		for _, b := range s.benches {
			if b.impl == ours || s.ours() == nil {
				continue
			}
			if c := s.compare(b); c.ok {
				bars = append(bars, bar{scenario: label, impl: b.impl, c: c})
				added = true
			}
		}
		if added {
			groups++
		}
	}
	if len(bars) == 0 {
		return ""
	}
	lo, hi := 1.0, 1.0
	for _, b := range bars {
		lo, hi = math.Min(lo, b.c.ratio), math.Max(hi, b.c.ratio)
		if !math.IsNaN(b.c.lo) {
			lo, hi = math.Min(lo, b.c.lo), math.Max(hi, b.c.hi)
		}
	}
	loExp, hiExp := math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi))
	if hiExp == loExp {
		hiExp++
	}
	x := func(r float64) float64 {
		return plotLeft + (math.Log10(r)-loExp)/(hiExp-loExp)*(plotRight-plotLeft)
	}
	height := topMargin + groups*headHeight + len(bars)*rowHeight + axisHeight

	var sb strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&sb, format, a...) }
	w(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n",
		chartWidth, height, chartWidth, height)
	w(`<rect width="%d" height="%d" fill="#ffffff"/>`+"\n", chartWidth, height)
	w(`<text x="12" y="20" font-size="14" font-weight="bold">%s</text>`+"\n",
		esc(m.name+": how many times better asyncutils is than each peer"))
	w(`<text x="12" y="36" fill="#555555">ratio of medians (ns/op, or the unit named), log scale; right of 1x: asyncutils is better</text>` + "\n")
	w(`<text x="12" y="52" fill="#555555">whisker: the range the 95%% intervals allow; grey: not significant (Mann-Whitney U, alpha 0.05)</text>` + "\n")

	plotTop, plotBottom := topMargin, height-axisHeight
	for e := loExp; e <= hiExp; e++ {
		r := math.Pow(10, e)
		stroke, width := "#dddddd", 1
		if e == 0 {
			stroke, width = "#333333", 2
		}
		w(`<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s" stroke-width="%d"/>`+"\n", x(r), plotTop, x(r), plotBottom, stroke, width)
		w(`<text x="%.1f" y="%d" text-anchor="middle" fill="#333333">%s</text>`+"\n", x(r), plotBottom+16, esc(tickLabel(e)))
	}

	y := plotTop
	prev := ""
	for _, b := range bars {
		if b.scenario != prev || y == plotTop {
			prev = b.scenario
			w(`<text x="12" y="%d" font-weight="bold">%s</text>`+"\n", y+16, esc(orUnknown(b.scenario)))
			y += headHeight
		}
		r := b.c.ratio
		x0, x1 := x(1), x(r)
		fill, label := "#2e7d32", formatRatio(r, true)
		if r < 1 {
			fill = "#c62828"
			x0, x1 = x1, x0
		}
		if !b.c.significant() {
			fill, label = "#9e9e9e", label+" (not significant)"
		}
		w(`<text x="%d" y="%d" text-anchor="end">%s</text>`+"\n", labelRight, y+15, esc(b.impl))
		w(`<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"/>`+"\n", x0, y+4, math.Max(x1-x0, 1), rowHeight-8, fill)
		right := math.Max(x(r), x(1))
		if !math.IsNaN(b.c.lo) {
			xl, xh, mid := x(b.c.lo), x(b.c.hi), y+rowHeight/2
			w(`<path d="M%.1f %dH%.1fM%.1f %dV%dM%.1f %dV%d" stroke="#212121" stroke-width="1.5" fill="none"/>`+"\n",
				xl, mid, xh, xl, mid-5, mid+5, xh, mid-5, mid+5)
			right = math.Max(right, xh)
		}
		w(`<text x="%.1f" y="%d">%s</text>`+"\n", right+6, y+15, esc(label))
		y += rowHeight
	}
	w("</svg>\n")
	return sb.String()
}

func tickLabel(exp float64) string {
	switch {
	case exp >= 0:
		return fmt.Sprintf("%.0fx", math.Pow(10, exp))
	}
	return fmt.Sprintf("%gx", math.Pow(10, exp))
}

func esc(s string) string {
	var sb strings.Builder
	_ = xml.EscapeText(&sb, []byte(s))
	return sb.String()
}
