package printout

const (
	cellSize = 9.0
	cellPad  = 3.0
)

// draw sets the table: the header row on a grey band, each cell wrapped in its column,
// numbers right-aligned, a rule under every row; a row never splits across pages, and
// the header is repeated at the top of each page the table runs onto.
func (t Table) draw(w *writer) {
	if len(t.Columns) == 0 {
		return
	}
	total := 0.0
	for _, c := range t.Columns {
		total += max(c.Width, 0.01)
	}
	widths := make([]float64, len(t.Columns))
	for i, c := range t.Columns {
		widths[i] = textW * max(c.Width, 0.01) / total
	}
	header := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		header[i] = c.Title
	}
	w.y += 2
	t.row(w, widths, header, "go-bold", true)
	for _, r := range t.Rows {
		if t.row(w, widths, r, "go", false) {
			t.row(w, widths, header, "go-bold", true)
			t.row(w, widths, r, "go", false)
		}
	}
	if t.Foot != nil {
		t.row(w, widths, t.Foot, "go-bold", false)
	}
	w.y += 8
}

// row draws one row, or reports true without drawing when it does not fit on the page
// any more (the caller repeats the header on the next one).
func (t Table) row(w *writer, widths []float64, cells []string, font string, header bool) (newPage bool) {
	measure := w.measureIn(font, cellSize)
	lines := make([][]string, len(widths))
	n := 1
	for i := range widths {
		v := ""
		if i < len(cells) {
			v = cells[i]
		}
		lines[i] = wrap(v, widths[i]-2*cellPad, measure)
		n = max(n, len(lines[i]))
	}
	h := float64(n)*cellSize*lineGap + 2*cellPad
	if w.y+h > pageH-marginB {
		w.newPage()
		if !header {
			return true
		}
	}
	if header {
		w.pdf.SetFillColor(225, 225, 225)
		w.pdf.RectFromUpperLeftWithStyle(marginL, w.y, textW, h, "F")
	}
	w.setFont(font, cellSize)
	x := marginL
	for i, col := range lines {
		for j, l := range col {
			lx := x + cellPad
			if t.Columns[i].Number {
				lx = x + widths[i] - cellPad - w.measure(l)
			}
			w.textAt(lx, w.y+cellPad+float64(j)*cellSize*lineGap, l)
		}
		x += widths[i]
	}
	w.pdf.SetLineWidth(0.4)
	w.pdf.SetStrokeColor(120, 120, 120)
	w.pdf.Line(marginL, w.y+h, marginL+textW, w.y+h)
	w.pdf.SetStrokeColor(0, 0, 0)
	w.y += h
	return false
}
