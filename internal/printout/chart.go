package printout

import (
	"strconv"

	"github.com/surel-id/surel/internal/chart"
)

// Chart is a chart in the body, drawn across the text width with its title above.
type Chart struct{ chart.Chart }

// chartFont is the size of a chart's text in a PDF.
const chartFont = 8.0

func (c Chart) draw(w *writer) {
	d := &pdfDrawer{w: w}
	// Laid out once to know its height (nothing is drawn), then drawn where it fits.
	h := chart.Draw(c.Chart, &measureOnly{d}, textW, chartFont)
	w.room(h + 2*bodySize*lineGap)
	w.para("go-bold", 10, c.Title, marginL, textW)
	w.y += 4
	d.x0, d.y0 = marginL, w.y
	chart.Draw(c.Chart, d, textW, chartFont)
	w.y += h + 10
}

// pdfDrawer draws a chart on the page with its top left at x0, y0.
type pdfDrawer struct {
	w      *writer
	x0, y0 float64
}

func rgb(hex string) (uint8, uint8, uint8) {
	v, _ := strconv.ParseUint(hex[1:], 16, 32)
	return uint8(v >> 16), uint8(v >> 8), uint8(v)
}

func (d *pdfDrawer) Rect(x, y, w, h float64, fill string) {
	if w <= 0 || h <= 0 {
		return
	}
	d.w.pdf.SetFillColor(rgb(fill))
	d.w.pdf.RectFromUpperLeftWithStyle(d.x0+x, d.y0+y, w, h, "F")
}

func (d *pdfDrawer) Line(x1, y1, x2, y2 float64, stroke string, width float64, dashed bool) {
	d.w.pdf.SetStrokeColor(rgb(stroke))
	d.w.pdf.SetLineWidth(width * 0.75)
	if dashed {
		d.w.pdf.SetLineType("dashed")
	}
	d.w.pdf.Line(d.x0+x1, d.y0+y1, d.x0+x2, d.y0+y2)
	d.w.pdf.SetLineType("")
	d.w.pdf.SetStrokeColor(0, 0, 0)
}

func (d *pdfDrawer) Text(x, y float64, s string, size float64, anchor chart.Anchor, fill string, bold bool) {
	font := "go"
	if bold {
		font = "go-bold"
	}
	if !d.w.setFont(font, size) {
		return
	}
	switch anchor {
	case chart.Middle:
		x -= d.w.measure(s) / 2
	case chart.End:
		x -= d.w.measure(s)
	}
	d.w.pdf.SetTextColor(rgb(fill))
	// y is the baseline; textAt takes the top.
	d.w.textAt(d.x0+x, d.y0+y-0.8*size, s)
	d.w.pdf.SetTextColor(0, 0, 0)
}

func (d *pdfDrawer) Measure(s string, size float64) float64 {
	if !d.w.setFont("go", size) {
		return 0
	}
	return d.w.measure(s)
}

// measureOnly lays a chart out without drawing it, measuring text as the PDF will.
type measureOnly struct{ d *pdfDrawer }

func (m *measureOnly) Rect(x, y, w, h float64, fill string)                                   {}
func (m *measureOnly) Line(x1, y1, x2, y2 float64, stroke string, width float64, dashed bool) {}
func (m *measureOnly) Text(x, y float64, s string, size float64, anchor chart.Anchor, fill string, bold bool) {
}
func (m *measureOnly) Measure(s string, size float64) float64 { return m.d.Measure(s, size) }
