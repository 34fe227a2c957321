package chart

import (
	"fmt"
	"html"
	"strconv"
	"strings"
	"unicode/utf8"
)

// svgWidth is the width SVG charts are laid out at, in CSS pixels: a phone's. On a
// phone the chart shows at about its own size, so its 12 px text stays 12 px; wider
// screens scale it up to the figure's maximum width (the stylesheet's).
const (
	svgWidth = 360
	svgFont  = 12
)

// SVG is c as an inline SVG image for an HTML page: scalable (viewBox, width 100 %),
// with its title and its description in words (Alt) for screen readers, drawn with
// presentation attributes only (the pages' Content-Security-Policy allows no inline
// style). id makes the title's and description's ids unique on the page.
func SVG(c Chart, id string) string {
	r := &svgRecorder{}
	h := Draw(c, r, svgWidth, svgFont)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="-2 -2 %d %s" role="img" aria-labelledby="%s-t %s-d" font-family="system-ui, sans-serif">`,
		svgWidth+4, num(h+4), id, id)
	fmt.Fprintf(&b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, id, html.EscapeString(c.Title), id, html.EscapeString(c.Alt()))
	b.WriteString(r.b.String())
	b.WriteString(`</svg>`)
	return b.String()
}

// svgRecorder writes the drawing as SVG elements.
type svgRecorder struct{ b strings.Builder }

func num(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

func (r *svgRecorder) Rect(x, y, w, h float64, fill string) {
	if w <= 0 || h <= 0 {
		return
	}
	fmt.Fprintf(&r.b, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s"/>`, num(x), num(y), num(w), num(h), fill)
}

func (r *svgRecorder) Line(x1, y1, x2, y2 float64, stroke string, width float64, dashed bool) {
	dash := ""
	if dashed {
		dash = ` stroke-dasharray="5 3"`
	}
	fmt.Fprintf(&r.b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="%s"%s/>`, num(x1), num(y1), num(x2), num(y2), stroke, num(width), dash)
}

func (r *svgRecorder) Text(x, y float64, s string, size float64, anchor Anchor, fill string, bold bool) {
	a := ""
	switch anchor {
	case Middle:
		a = ` text-anchor="middle"`
	case End:
		a = ` text-anchor="end"`
	}
	w := ""
	if bold {
		w = ` font-weight="700"`
	}
	fmt.Fprintf(&r.b, `<text x="%s" y="%s" font-size="%s" fill="%s"%s%s>%s</text>`, num(x), num(y), num(size), fill, a, w, html.EscapeString(s))
}

// Measure guesses a text's width in a sans-serif face: the browser's font is not known
// here, and an average advance of 0.56 em errs a little wide, which only leaves room.
func (r *svgRecorder) Measure(s string, size float64) float64 {
	return float64(utf8.RuneCountInString(s)) * size * 0.56
}
