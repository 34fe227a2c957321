package sop

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The diagram's geometry, in pixels. Text is measured by an estimate of the average glyph
// width of the generic sans-serif face (no font is embedded or fetched), generous enough
// for DejaVu Sans and Liberation Sans, the usual faces behind "sans-serif".
const (
	svgWidth   = 900
	svgMargin  = 12
	svgNumCol  = 34  // the step-number column
	svgBoxMax  = 260 // widest box, so few lanes do not give very long lines
	svgPad     = 7   // inside a box
	svgRowGap  = 30  // between boxes, where the arrows run
	svgFontBox = 12
	svgFontSub = 11
	svgCharEm  = 0.58 // estimated average glyph width, in em
	svgInk     = "#1b2a3a"
	svgAccent  = "#1f4e79"
)

// SVG draws the SOP as a swimlane diagram (the "diagram alir" of the seeds): one column per
// role in order of first appearance, the steps top to bottom as boxes in their role's
// column, each with its number, name, time standard and output, and arrows from each step
// to the next. lang is "id" (default) or "en". The result is a standalone SVG 900 px
// wide with a <title>, a <desc> listing the steps in words, role="img" and aria-label, and
// no external resources; its ids are prefixed with the slug so several can share a page.
func SVG(def Definition, lang string) []byte {
	if lang != "en" {
		lang = "id"
	}
	t := svgText(lang)
	id := "sop-" + def.Slug

	// Lanes: one per distinct role, with the distinct titles of its holders.
	var lanes []Role
	laneOf := map[Role]int{}
	titles := map[Role][]string{}
	for _, s := range def.Steps {
		if _, ok := laneOf[s.Role]; !ok {
			laneOf[s.Role] = len(lanes)
			lanes = append(lanes, s.Role)
		}
		// A title that only repeats the lane's heading is left out.
		if j := s.JabatanIn(lang); j != "" && !contains(titles[s.Role], j) && !strings.EqualFold(j, s.Role.Label(lang)) {
			titles[s.Role] = append(titles[s.Role], j)
		}
	}
	n := max(len(lanes), 1)
	left := float64(svgMargin + svgNumCol)
	laneW := (float64(svgWidth) - left - svgMargin) / float64(n)
	boxW := min(laneW-14, svgBoxMax)
	laneX := func(i int) float64 { return left + float64(i)*laneW }
	chars := func(width float64, size int) int { return max(8, int(width/(float64(size)*svgCharEm))) }

	var body bytes.Buffer
	y := float64(svgMargin)

	// Title, then the time zone and hours, then the source.
	for _, l := range wrap(def.Name, chars(svgWidth-2*svgMargin, 17)) {
		y += 21
		textAt(&body, svgMargin, y, 17, `font-weight="bold" fill="`+svgAccent+`"`, l)
	}
	zone := def.ZoneAbbrev()
	if zone != def.TimeZone {
		zone += " (" + def.TimeZone + ")"
	}
	sub := t.diagram + " · " + zone + " · " + def.HoursText(lang)
	if !def.Total.IsZero() {
		sub += " · " + t.total + " " + def.Total.Text(lang)
	}
	for _, l := range wrap(sub, chars(svgWidth-2*svgMargin, svgFontBox)) {
		y += 16
		textAt(&body, svgMargin, y, svgFontBox, `fill="`+svgInk+`"`, l)
	}
	if def.Source != "" {
		for _, l := range wrap(def.Source, chars(svgWidth-2*svgMargin, svgFontSub)) {
			y += 14
			textAt(&body, svgMargin, y, svgFontSub, `fill="#555"`, l)
		}
	}
	y += 12

	// Lane headers.
	headTop := y
	type head struct{ role, title []string }
	heads := make([]head, len(lanes))
	headH := 0.0
	for i, r := range lanes {
		heads[i].role = wrap(r.Label(lang), chars(laneW-10, svgFontBox+1))
		heads[i].title = wrap(strings.Join(titles[r], " / "), chars(laneW-10, svgFontSub))
		headH = max(headH, 10+float64(len(heads[i].role))*16+float64(len(heads[i].title))*14)
	}
	headH = max(headH, 30)

	// Boxes: measure first, for the total height.
	type box struct {
		x, y, h   float64
		name, out []string
		std       string
	}
	boxes := make([]box, len(def.Steps))
	rowY := headTop + headH + 16
	for i, s := range def.Steps {
		b := &boxes[i]
		inner := boxW - 2*svgPad
		b.name = wrap(s.Label(lang), chars(inner, svgFontBox))
		if !s.Standard.IsZero() {
			b.std = t.time + ": " + s.Standard.Text(lang)
		}
		if out := s.OutputIn(lang); out != "" {
			b.out = wrap(t.output+": "+out, chars(inner, svgFontSub))
		}
		h := 2*svgPad + float64(len(b.name))*15
		if b.std != "" || len(b.out) > 0 {
			h += 8
		}
		if b.std != "" {
			h += 14
		}
		h += float64(len(b.out)) * 14
		b.x = laneX(laneOf[s.Role]) + (laneW-boxW)/2
		b.y = rowY
		b.h = h
		rowY += h + svgRowGap
	}
	bottom := rowY - svgRowGap + 16
	height := bottom + svgMargin

	var out bytes.Buffer
	label := t.diagram + ": " + def.Name
	fmt.Fprintf(&out, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%s" viewBox="0 0 %d %s" role="img" aria-label="%s" lang="%s" font-family="sans-serif">`+"\n",
		svgWidth, num(height), svgWidth, num(height), attr(label), lang)
	fmt.Fprintf(&out, "<title>%s</title>\n<desc>%s</desc>\n", esc(label), esc(describe(def, lang)))
	fmt.Fprintf(&out, `<defs><marker id="%s-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="%s"/></marker></defs>`+"\n", id, svgInk)
	fmt.Fprintf(&out, `<rect width="%d" height="%s" fill="#fff"/>`+"\n", svgWidth, num(height))
	out.Write(body.Bytes())

	// Lane backgrounds and headers, the number column.
	fmt.Fprintf(&out, `<rect x="%d" y="%s" width="%d" height="%s" fill="#e9eef4"/>`+"\n", svgMargin, num(headTop), svgNumCol, num(bottom-headTop))
	textMid(&out, svgMargin+svgNumCol/2, headTop+headH/2+4, svgFontSub, `font-weight="bold" fill="`+svgInk+`"`, t.no)
	for i := range lanes {
		x := laneX(i)
		fill := "#f6f8fa"
		if i%2 == 1 {
			fill = "#ffffff"
		}
		fmt.Fprintf(&out, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s" stroke="#c5d0dc"/>`+"\n", num(x), num(headTop), num(laneW), num(bottom-headTop), fill)
		fmt.Fprintf(&out, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s" stroke="#c5d0dc"/>`+"\n", num(x), num(headTop), num(laneW), num(headH), svgAccent)
		// Centred vertically: a lane without titles is shorter than the tallest.
		ty := headTop + 5 + (headH-10-float64(len(heads[i].role))*16-float64(len(heads[i].title))*14)/2
		for _, l := range heads[i].role {
			ty += 16
			textMid(&out, x+laneW/2, ty, svgFontBox+1, `font-weight="bold" fill="#fff"`, l)
		}
		for _, l := range heads[i].title {
			ty += 14
			textMid(&out, x+laneW/2, ty, svgFontSub, `fill="#e6eef7"`, l)
		}
	}

	// Arrows under the boxes.
	for i := 0; i+1 < len(boxes); i++ {
		a, b := boxes[i], boxes[i+1]
		x1, y1 := a.x+boxW/2, a.y+a.h
		x2, y2 := b.x+boxW/2, b.y-1
		d := fmt.Sprintf("M%s,%s V%s", num(x1), num(y1), num(y2))
		if x1 != x2 {
			mid := y1 + svgRowGap/2
			d = fmt.Sprintf("M%s,%s V%s H%s V%s", num(x1), num(y1), num(mid), num(x2), num(y2))
		}
		fmt.Fprintf(&out, `<path d="%s" fill="none" stroke="%s" stroke-width="1.5" marker-end="url(#%s-arrow)"/>`+"\n", d, svgInk, id)
	}

	// Boxes.
	for i, s := range def.Steps {
		b := boxes[i]
		rx := "4"
		fill := "#ffffff"
		if s.Kind == KindSubmit || s.Kind == KindDone {
			rx, fill = "16", "#e3edf7" // terminators: where the request enters and leaves
		}
		fmt.Fprintf(&out, `<g><rect x="%s" y="%s" width="%s" height="%s" rx="%s" fill="%s" stroke="%s" stroke-width="1.5"/>`+"\n",
			num(b.x), num(b.y), num(boxW), num(b.h), rx, fill, svgAccent)
		ty := b.y + svgPad
		for _, l := range b.name {
			ty += 15
			textAt(&out, b.x+svgPad, ty-3, svgFontBox, `fill="`+svgInk+`"`, l)
		}
		if b.std != "" || len(b.out) > 0 {
			ty += 4
			fmt.Fprintf(&out, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#c5d0dc"/>`+"\n", num(b.x+svgPad), num(ty), num(b.x+boxW-svgPad), num(ty))
			ty += 4
		}
		if b.std != "" {
			ty += 14
			textAt(&out, b.x+svgPad, ty-3, svgFontSub, `font-weight="bold" fill="#7a3e00"`, b.std)
		}
		for _, l := range b.out {
			ty += 14
			textAt(&out, b.x+svgPad, ty-3, svgFontSub, `font-style="italic" fill="#333"`, l)
		}
		out.WriteString("</g>\n")
		// The number, level with the box's first line.
		cy := b.y + svgPad + 9
		fmt.Fprintf(&out, `<circle cx="%d" cy="%s" r="11" fill="%s"/>`+"\n", svgMargin+svgNumCol/2, num(cy), svgAccent)
		textMid(&out, svgMargin+svgNumCol/2, cy+4, svgFontSub, `font-weight="bold" fill="#fff"`, strconv.Itoa(i+1))
	}
	out.WriteString("</svg>\n")
	return out.Bytes()
}

type svgLabels struct{ diagram, total, time, output, no string }

func svgText(lang string) svgLabels {
	if lang == "en" {
		return svgLabels{"Flowchart", "completion time", "Time", "Output", "No"}
	}
	return svgLabels{"Diagram alir", "waktu penyelesaian", "Waktu", "Output", "No"}
}

// describe lists the steps in words, for screen readers.
func describe(def Definition, lang string) string {
	t := svgText(lang)
	var b strings.Builder
	for i, s := range def.Steps {
		fmt.Fprintf(&b, "%d. %s (%s", i+1, s.Label(lang), s.Who(lang))
		if !s.Standard.IsZero() {
			fmt.Fprintf(&b, "; %s %s", strings.ToLower(t.time), s.Standard.Text(lang))
		}
		if out := s.OutputIn(lang); out != "" {
			fmt.Fprintf(&b, "; %s %s", strings.ToLower(t.output), out)
		}
		b.WriteString("). ")
	}
	return strings.TrimSpace(b.String())
}

func textAt(w *bytes.Buffer, x, y float64, size int, attrs, s string) {
	fmt.Fprintf(w, `<text x="%s" y="%s" font-size="%d" %s>%s</text>`+"\n", num(x), num(y), size, attrs, esc(s))
}

func textMid(w *bytes.Buffer, x, y float64, size int, attrs, s string) {
	textAt(w, x, y, size, `text-anchor="middle" `+attrs, s)
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func esc(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

func attr(s string) string { return strings.ReplaceAll(esc(s), `"`, "&quot;") }

// wrap breaks s into lines of at most width characters at spaces (and after '/' or '-'
// inside long words), cutting a word only when it alone is longer than a line.
func wrap(s string, width int) []string {
	var lines []string
	var cur string
	for _, word := range strings.Fields(s) {
		for _, piece := range splitLong(word, width) {
			switch {
			case cur == "":
				cur = piece
			case utf8.RuneCountInString(cur)+1+utf8.RuneCountInString(piece) <= width:
				cur += " " + piece
			default:
				lines = append(lines, cur)
				cur = piece
			}
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}

// splitLong cuts a word longer than width, preferring the position after a '/', '-' or
// '.'; the pieces are rejoined by wrap with spaces only where a line breaks anyway.
func splitLong(w string, width int) []string {
	var out []string
	for utf8.RuneCountInString(w) > width {
		r := []rune(w)
		cut := width
		for i := width - 1; i > width/2; i-- {
			if r[i] == '/' || r[i] == '-' || r[i] == '.' {
				cut = i + 1
				break
			}
		}
		out = append(out, string(r[:cut]))
		w = string(r[cut:])
	}
	return append(out, w)
}
