// Package chart draws the reports' charts on the server: bar charts (vertical over time,
// horizontal per step or category, grouped or stacked) and line charts with reference
// lines (a capacity limit). One layout feeds two drawers: SVG for the pages, readable
// without JavaScript and on a phone (SVG), and the PDF of internal/printout (Drawer).
//
// A chart is never the only way to read its figures: every page shows the table it was
// drawn from beside it, and the SVG carries a title and a description in words for
// screen readers (Chart.Alt).
package chart

import (
	"math"
	"strconv"
	"strings"
)

// Kind is a chart's form.
type Kind int

// The kinds.
const (
	// Columns are vertical bars over Labels (periods): one group or stack per label.
	Columns Kind = iota
	// Bars are horizontal bars, one row per label with the label above it: long step
	// names stay readable on a phone.
	Bars
	// Lines are one line per series over Labels (periods).
	Lines
)

// Chart is one chart's data.
type Chart struct {
	Kind  Kind
	Title string
	// Labels name the categories or periods, in order.
	Labels []string
	Series []Series
	// Stacked stacks the series of a Columns or Bars chart instead of grouping them.
	Stacked bool
	// Max fixes the value axis's top (100 for a share in per cent); 0 fits the data.
	Max float64
	// Unit follows values in the description ("%", " akun").
	Unit string
	// Limits are horizontal reference lines (a limit, a target).
	Limits []Limit
}

// Series is one named row of values, one per label.
type Series struct {
	Name   string
	Values []float64
}

// Limit is a reference line across the value axis.
type Limit struct {
	Name  string
	Value float64
}

// Palette is the colour of each series in order (Okabe and Ito's, told apart with any
// colour vision), and Ink the text and axes.
var Palette = []string{"#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#7F7F00"}

// Ink is the colour of text and axes; Grid of the grid lines; LimitInk of limits.
const (
	Ink      = "#1a1a1a"
	Grid     = "#d0d5db"
	LimitInk = "#b00020"
)

// Empty reports whether the chart has nothing to draw.
func (c Chart) Empty() bool {
	for _, s := range c.Series {
		for _, v := range s.Values {
			if v != 0 {
				return false
			}
		}
	}
	return true
}

// Alt is the chart in words, for screen readers and as the image's description: per
// series its total (or, for a line, its last value) and its highest point, and the
// limits.
func (c Chart) Alt() string {
	var b strings.Builder
	b.WriteString(c.Title)
	b.WriteString(". ")
	for i, s := range c.Series {
		if i > 0 {
			b.WriteString("; ")
		}
		hi, at, sum := math.Inf(-1), -1, 0.0
		for j, v := range s.Values {
			sum += v
			if v > hi {
				hi, at = v, j
			}
		}
		b.WriteString(s.Name)
		if at < 0 {
			b.WriteString(": tidak ada data")
			continue
		}
		switch {
		case c.Kind == Lines:
			b.WriteString(": terakhir " + Number(s.Values[len(s.Values)-1]) + c.Unit)
		case c.Unit != "%":
			b.WriteString(": jumlah " + Number(sum) + c.Unit)
		}
		if at < len(c.Labels) {
			b.WriteString(", tertinggi " + Number(hi) + c.Unit + " (" + c.Labels[at] + ")")
		}
	}
	for _, l := range c.Limits {
		b.WriteString("; " + l.Name + " " + Number(l.Value) + c.Unit)
	}
	b.WriteString(".")
	return b.String()
}

// Number writes v as Indonesian text does: thousands with dots, a decimal comma, at
// most one decimal.
func Number(v float64) string {
	neg := v < 0
	if neg {
		v = -v
	}
	whole := int64(v)
	frac := int64(math.Round((v - float64(whole)) * 10))
	if frac == 10 {
		whole, frac = whole+1, 0
	}
	s := strconv.FormatInt(whole, 10)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(r)
	}
	if frac != 0 {
		b.WriteString("," + strconv.FormatInt(frac, 10))
	}
	return b.String()
}

// niceMax is a round top for an axis holding values up to v, and the step of its four
// or so ticks; whole numbers get whole steps.
func niceMax(v float64, whole bool) (top, step float64) {
	if v <= 0 {
		return 1, 1
	}
	raw := v / 4
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step = 10 * mag
	for _, m := range []float64{1, 2, 2.5, 5} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	if whole && step < 1 {
		step = 1
	}
	return math.Round(step*math.Ceil(v/step)*1e6) / 1e6, step
}
