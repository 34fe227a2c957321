package chart

import (
	"math"
)

// Anchor is where a text stands against its x.
type Anchor int

// The anchors.
const (
	Start Anchor = iota
	Middle
	End
)

// Drawer is what a chart is drawn on: the SVG writer here, or a PDF page. Coordinates
// are in the drawer's units from the chart's top left, y downwards; a text's y is its
// baseline.
type Drawer interface {
	Rect(x, y, w, h float64, fill string)
	Line(x1, y1, x2, y2 float64, stroke string, width float64, dashed bool)
	Text(x, y float64, s string, size float64, anchor Anchor, fill string, bold bool)
	// Measure is the width of s at size.
	Measure(s string, size float64) float64
}

// Draw lays c out w units wide with text of size font on d, and returns the height it
// used.
func Draw(c Chart, d Drawer, w, font float64) float64 {
	y := legend(c, d, w, font)
	switch c.Kind {
	case Bars:
		return bars(c, d, w, font, y)
	default:
		return columns(c, d, w, font, y)
	}
}

// legend draws a swatch and the name of each series (when there are several) and of
// each limit, wrapping into rows, and returns the y below it.
func legend(c Chart, d Drawer, w, font float64) float64 {
	type item struct {
		name  string
		color string
		limit bool
	}
	var items []item
	if len(c.Series) > 1 {
		for i, s := range c.Series {
			items = append(items, item{s.Name, Palette[i%len(Palette)], false})
		}
	}
	for _, l := range c.Limits {
		items = append(items, item{l.Name, LimitInk, true})
	}
	if len(items) == 0 {
		return 0
	}
	x, y, row := 0.0, font*1.2, font*1.6
	for _, it := range items {
		iw := font + 4 + d.Measure(it.name, font) + font
		if x > 0 && x+iw > w {
			x, y = 0, y+row
		}
		if it.limit {
			d.Line(x, y-font*0.35, x+font, y-font*0.35, it.color, 2, true)
		} else {
			d.Rect(x, y-font*0.8, font, font*0.8, it.color)
		}
		d.Text(x+font+4, y, it.name, font, Start, Ink, false)
		x += iw
	}
	return y + font
}

func whole(c Chart) bool {
	for _, s := range c.Series {
		for _, v := range s.Values {
			if v != math.Trunc(v) {
				return false
			}
		}
	}
	return true
}

// top is the value axis's top: Max, or what the data (stacked when stacked) and the
// limits need.
func top(c Chart) (float64, float64) {
	if c.Max > 0 {
		_, step := niceMax(c.Max, whole(c))
		return c.Max, step
	}
	hi := 0.0
	for j := range c.Labels {
		sum := 0.0
		for _, s := range c.Series {
			if j < len(s.Values) {
				if c.Stacked {
					sum += max(s.Values[j], 0)
				} else {
					sum = max(sum, s.Values[j])
				}
			}
		}
		hi = max(hi, sum)
	}
	for _, l := range c.Limits {
		hi = max(hi, l.Value)
	}
	return niceMax(hi, whole(c))
}

// bars draws one row per label: the label, then its bar (stacked) or a bar per series
// (grouped), each with its value at its end; ticks along the bottom.
func bars(c Chart, d Drawer, w, font, y float64) float64 {
	hi, step := top(c)
	valueW := d.Measure("000.000"+c.Unit, font) + 6
	plot := w - valueW
	scale := plot / hi
	bar := font * 1.1
	if !c.Stacked {
		bar = font * 0.9
	}
	y0 := y + 4
	y = y0
	for j, label := range c.Labels {
		y += font * 1.1
		d.Text(0, y, label, font, Start, Ink, false)
		y += font * 0.35
		if c.Stacked {
			x, sum := 0.0, 0.0
			for i, s := range c.Series {
				v := value(s, j)
				if v > 0 {
					d.Rect(x, y, v*scale, bar, Palette[i%len(Palette)])
					x += v * scale
				}
				sum += v
			}
			d.Text(x+4, y+bar*0.8, Number(sum)+c.Unit, font, Start, Ink, true)
			y += bar + font*0.6
			continue
		}
		for i, s := range c.Series {
			v := value(s, j)
			d.Rect(0, y, max(v*scale, 0.5), bar, Palette[i%len(Palette)])
			d.Text(max(v*scale, 0)+4, y+bar*0.85, Number(v)+c.Unit, font*0.9, Start, Ink, i == 0)
			y += bar + 2
		}
		y += font * 0.6
	}
	for _, l := range c.Limits {
		x := l.Value * scale
		d.Line(x, y0, x, y, LimitInk, 1.5, true)
	}
	d.Line(0, y0, 0, y, Ink, 1, false)
	d.Line(0, y, plot, y, Ink, 1, false)
	for v := 0.0; v <= hi+step/1000; v += step {
		x := v * scale
		d.Line(x, y, x, y+4, Ink, 1, false)
		anchor := Middle
		if v == 0 {
			anchor = Start
		}
		d.Text(x, y+4+font, Number(v)+c.Unit, font*0.9, anchor, Ink, false)
	}
	return y + 8 + font
}

func value(s Series, j int) float64 {
	if j < len(s.Values) {
		return s.Values[j]
	}
	return 0
}

// columns draws a Columns or Lines chart: the value axis at the left with its grid, a
// slot per label along the bottom (labels thinned to fit), and columns or lines in it.
func columns(c Chart, d Drawer, w, font, y float64) float64 {
	hi, step := top(c)
	axisW := d.Measure(Number(hi)+c.Unit, font*0.9) + 6
	plotX, plotY := axisW, y+font
	plotW, plotH := w-axisW, math.Round(w*0.5)
	scale := plotH / hi
	base := plotY + plotH
	for v := 0.0; v <= hi+step/1000; v += step {
		gy := base - v*scale
		d.Line(plotX, gy, plotX+plotW, gy, Grid, 0.75, false)
		d.Text(plotX-4, gy+font*0.3, Number(v)+c.Unit, font*0.9, End, Ink, false)
	}
	n := max(len(c.Labels), 1)
	slot := plotW / float64(n)
	// Every k-th label, so that no two overlap.
	widest := 0.0
	for _, l := range c.Labels {
		widest = max(widest, d.Measure(l, font*0.9))
	}
	k := max(1, int(math.Ceil((widest+6)/slot)))
	for j, l := range c.Labels {
		if j%k == 0 {
			d.Text(plotX+slot*(float64(j)+0.5), base+font*1.2, l, font*0.9, Middle, Ink, false)
		}
	}
	if c.Kind == Lines {
		for i, s := range c.Series {
			col := Palette[i%len(Palette)]
			px, py := 0.0, 0.0
			for j := range c.Labels {
				x, yy := plotX+slot*(float64(j)+0.5), base-value(s, j)*scale
				if j > 0 {
					d.Line(px, py, x, yy, col, 2, false)
				}
				d.Rect(x-2, yy-2, 4, 4, col)
				px, py = x, yy
			}
		}
	} else {
		for j := range c.Labels {
			x0 := plotX + slot*float64(j) + slot*0.15
			inner := slot * 0.7
			if c.Stacked {
				yy := base
				for i, s := range c.Series {
					h := max(value(s, j), 0) * scale
					d.Rect(x0, yy-h, inner, h, Palette[i%len(Palette)])
					yy -= h
				}
				continue
			}
			bw := inner / float64(max(len(c.Series), 1))
			for i, s := range c.Series {
				h := max(value(s, j), 0) * scale
				d.Rect(x0+bw*float64(i), base-h, bw, h, Palette[i%len(Palette)])
			}
		}
	}
	for _, l := range c.Limits {
		ly := base - l.Value*scale
		d.Line(plotX, ly, plotX+plotW, ly, LimitInk, 1.5, true)
	}
	d.Line(plotX, base, plotX+plotW, base, Ink, 1, false)
	return base + font*1.8
}
