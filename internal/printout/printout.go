// Package printout renders surel's official documents as PDF: receipts, account
// letters, result letters and reports, each laid out as an Indonesian office letter
// (tata naskah dinas): the kop surat (logo, government and office, address and
// contacts, the double rule), the number, place and date in words, the addressee
// ("Yth."), the body, the closing, the signature block of the signing official (the
// space for a signature left for an electronic one), and a QR code with the short code
// that opens the document's public verification page.
//
// Text is set in the Go fonts, embedded, so a document looks the same on every server;
// lines break between words, and a word too long for its line (a URL) after a slash.
// Callers write every time in the tenant's zone with its name (WIB, WITA, WIT) and give
// the text in Indonesian, the language of official documents.
package printout

import (
	"bytes"
	"fmt"
	"image"
	_ "image/jpeg" // logos
	_ "image/png"
	"strconv"
	"strings"
	"time"

	"github.com/signintech/gopdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"

	"github.com/surel-id/surel/internal/letter"
)

// Letter is one official document.
type Letter struct {
	Head letter.Letterhead
	// Title, when set, lays the document out as a form or a report (naskah dinas
	// berbentuk formulir/laporan): the title centred under the kop with the number
	// beneath it, and the place and date above the signature. Empty lays it out as a
	// letter: place and date at the right, then Nomor, Lampiran and Hal.
	Title      string
	Number     string
	Subject    string // Hal, for a letter
	Attachment string // Lampiran, for a letter; "-" when empty
	PlaceDate  string // "Samarinda, 6 Desember 2026"
	// To is the addressee, its first line after "Yth."; empty for none.
	To      []string
	Opening string // "Dengan hormat,"
	Blocks  []Block
	Closing string
	Signer  letter.Signer
	// Code is the verification code (letter.ShowCode form) and URL the page it opens,
	// which the QR code holds.
	Code string
	URL  string
	// Footer is the small print at the bottom of every page (when and by whom printed).
	Footer  string
	Created time.Time
}

// Block is a part of a document's body.
type Block interface{ draw(w *writer) }

// Paragraph is a paragraph of body text.
type Paragraph string

// Heading is a bold line starting a section.
type Heading string

// Rows are label and value pairs, set as "Nama : Siti Rahma".
type Rows [][2]string

// Table is a table with a header row, repeated on every page it runs over.
type Table struct {
	Columns []Column
	Rows    [][]string
	// Foot is a last row in bold (totals); nil for none.
	Foot []string
}

// Column is a table column: its title, its share of the width, and whether its cells
// are numbers (right-aligned).
type Column struct {
	Title  string
	Width  float64
	Number bool
}

// Page geometry in points (A4), margins of the Indonesian letter: 2.5 cm left, 2 cm
// elsewhere.
const (
	pageW, pageH = 595.28, 841.89
	marginL      = 71.0
	marginR      = 57.0
	marginT      = 42.0
	marginB      = 62.0
	textW        = pageW - marginL - marginR
	bodySize     = 11.0
	lineGap      = 1.35
)

// Render lays the letter out on as many A4 pages as it needs.
func Render(l Letter) ([]byte, error) {
	pdf := &gopdf.GoPdf{}
	pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4})
	title := l.Title
	if title == "" {
		title = l.Subject
	}
	pdf.SetInfo(gopdf.PdfInfo{Title: title + " " + l.Number, Creator: "surel", Producer: "surel", CreationDate: l.Created})
	if err := pdf.AddTTFFontData("go", goregular.TTF); err != nil {
		return nil, fmt.Errorf("printout: font: %w", err)
	}
	if err := pdf.AddTTFFontData("go-bold", gobold.TTF); err != nil {
		return nil, fmt.Errorf("printout: font: %w", err)
	}
	w := &writer{pdf: pdf, footer: l.Footer}
	w.newPage()
	w.kop(l.Head)
	if l.Title != "" {
		w.centred("go-bold", 13, l.Title)
		if l.Number != "" {
			w.centred("go", bodySize, "Nomor: "+l.Number)
		}
		w.y += 12
	} else {
		w.letterHead(l)
	}
	if len(l.To) > 0 {
		w.para("go", bodySize, "Yth. "+l.To[0], marginL, textW)
		for _, t := range l.To[1:] {
			w.para("go", bodySize, t, marginL, textW)
		}
		w.y += 10
	}
	if l.Opening != "" {
		w.para("go", bodySize, l.Opening, marginL, textW)
		w.y += 4
	}
	for _, b := range l.Blocks {
		b.draw(w)
	}
	if l.Closing != "" {
		w.para("go", bodySize, l.Closing, marginL, textW)
	}
	w.signature(l)
	if w.err != nil {
		return nil, fmt.Errorf("printout: %w", w.err)
	}
	var b bytes.Buffer
	if _, err := pdf.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("printout: %w", err)
	}
	return b.Bytes(), nil
}

// writer keeps the position on the page and the first error.
type writer struct {
	pdf    *gopdf.GoPdf
	y      float64
	size   float64 // of the font set last
	page   int
	footer string
	err    error
}

// newPage starts a page with its footer: the small print and the page number.
func (w *writer) newPage() {
	w.pdf.AddPage()
	w.page++
	w.y = marginT
	w.pdf.SetTextColor(90, 90, 90)
	y := pageH - marginB + 22
	label := "Halaman " + strconv.Itoa(w.page)
	if w.setFont("go", 8) {
		lw := w.measure(label)
		for _, line := range wrap(w.footer, textW-lw-20, w.measure) {
			if line != "" {
				w.textAt(marginL, y, line)
			}
			y += 8 * lineGap
		}
		w.textAt(pageW-marginR-lw, pageH-marginB+22, label)
	}
	w.pdf.SetTextColor(0, 0, 0)
}

// room moves to a new page unless h more points fit on this one.
func (w *writer) room(h float64) {
	if w.y+h > pageH-marginB {
		w.newPage()
	}
}

func (w *writer) setFont(font string, size float64) bool {
	if w.err != nil {
		return false
	}
	w.err = w.pdf.SetFont(font, "", size)
	w.size = size
	return w.err == nil
}

func (w *writer) measure(s string) float64 {
	n, err := w.pdf.MeasureTextWidth(s)
	if err != nil && w.err == nil {
		w.err = err
	}
	return n
}

// textAt writes one line with its top at y. gopdf places text by its baseline, which
// lies about four fifths of the size below the top for the Go fonts.
func (w *writer) textAt(x, y float64, s string) {
	if w.err != nil || s == "" {
		return
	}
	w.pdf.SetXY(x, y+0.8*w.size)
	w.err = w.pdf.Text(s)
}

// para writes s wrapped to width at x, moving down, and to a new page when full.
func (w *writer) para(font string, size float64, s string, x, width float64) {
	w.lines(font, size, wrap(s, width, w.measureIn(font, size)), x, width, false)
}

func (w *writer) measureIn(font string, size float64) func(string) float64 {
	w.setFont(font, size)
	return w.measure
}

// lines writes lines at x, each right-aligned in width when right is set.
func (w *writer) lines(font string, size float64, lines []string, x, width float64, right bool) {
	for _, l := range lines {
		w.room(size * lineGap)
		if !w.setFont(font, size) {
			return
		}
		lx := x
		if right {
			lx = x + width - w.measure(l)
		}
		w.textAt(lx, w.y, l)
		w.y += size * lineGap
	}
}

// centred writes s centred on the text width.
func (w *writer) centred(font string, size float64, s string) {
	for _, l := range wrap(s, textW, w.measureIn(font, size)) {
		w.room(size * lineGap)
		w.setFont(font, size)
		w.textAt(marginL+(textW-w.measure(l))/2, w.y, l)
		w.y += size * lineGap
	}
}

// kop draws the letterhead: the logo at the left, the names and contacts centred on the
// rest of the width, and the double rule (a thick line over a thin one) below.
func (w *writer) kop(h letter.Letterhead) {
	const logoBox = 64.0
	top := w.y
	left, width := marginL, textW
	if len(h.Logo) > 0 {
		if cfg, _, err := image.DecodeConfig(bytes.NewReader(h.Logo)); err == nil && cfg.Width > 0 && cfg.Height > 0 {
			lw, lh := logoBox, logoBox*float64(cfg.Height)/float64(cfg.Width)
			if lh > logoBox {
				lw, lh = logoBox*float64(cfg.Width)/float64(cfg.Height), logoBox
			}
			if img, err := gopdf.ImageHolderByBytes(h.Logo); err == nil {
				if err := w.pdf.ImageByHolder(img, marginL+(logoBox-lw)/2, top+(logoBox-lh)/2, &gopdf.Rect{W: lw, H: lh}); err != nil && w.err == nil {
					w.err = err
				}
			}
			left, width = marginL+logoBox+8, textW-2*(logoBox+8)
		}
	}
	centre := func(font string, size float64, s string) {
		if s == "" {
			return
		}
		for _, l := range wrap(s, width, w.measureIn(font, size)) {
			w.setFont(font, size)
			w.textAt(left+(width-w.measure(l))/2, w.y, l)
			w.y += size * 1.25
		}
	}
	centre("go-bold", 12, h.Government)
	centre("go-bold", 15, h.Office)
	contact := h.Address
	for _, c := range []struct{ label, v string }{{"Telepon\u00a0", h.Phone}, {"Email\u00a0", h.Email}} {
		if c.v != "" {
			if contact != "" {
				contact += " · "
			}
			contact += c.label + strings.ReplaceAll(c.v, " ", "\u00a0")
		}
	}
	centre("go", 9, contact)
	if h.Website != "" {
		centre("go", 9, "Laman\u00a0"+h.Website)
	}
	if len(h.Logo) > 0 {
		w.y = max(w.y, top+logoBox)
	}
	w.y += 4
	w.pdf.SetStrokeColor(0, 0, 0)
	w.pdf.SetLineWidth(2.25)
	w.pdf.Line(marginL, w.y, pageW-marginR, w.y)
	w.pdf.SetLineWidth(0.75)
	w.pdf.Line(marginL, w.y+3, pageW-marginR, w.y+3)
	w.y += 18
}

// letterHead writes the place and date at the right and the Nomor, Lampiran and Hal
// block at the left.
func (w *writer) letterHead(l Letter) {
	if l.PlaceDate != "" {
		w.lines("go", bodySize, []string{l.PlaceDate}, marginL, textW, true)
		w.y += 6
	}
	att := l.Attachment
	if att == "" {
		att = "-"
	}
	Rows{{"Nomor", l.Number}, {"Lampiran", att}, {"Hal", l.Subject}}.drawWith(w, 62)
	w.y += 12
}

func (p Paragraph) draw(w *writer) {
	w.para("go", bodySize, string(p), marginL, textW)
	w.y += 6
}

func (h Heading) draw(w *writer) {
	w.room(3 * bodySize * lineGap) // not alone at the foot of a page
	w.y += 4
	w.para("go-bold", bodySize, string(h), marginL, textW)
	w.y += 2
}

func (r Rows) draw(w *writer) {
	r.drawWith(w, 150)
	w.y += 6
}

// drawWith sets the rows with labels labelW wide, the colon after them, and the values
// wrapped in the rest of the width.
func (r Rows) drawWith(w *writer, labelW float64) {
	vx := marginL + labelW + 12
	for _, row := range r {
		labels := wrap(row[0], labelW, w.measureIn("go", bodySize))
		values := wrap(row[1], pageW-marginR-vx, w.measureIn("go", bodySize))
		n := max(len(labels), len(values))
		w.room(float64(n) * bodySize * lineGap)
		w.setFont("go", bodySize)
		for i := 0; i < n; i++ {
			y := w.y + float64(i)*bodySize*lineGap
			if i < len(labels) {
				w.textAt(marginL, y, labels[i])
			}
			if i == 0 {
				w.textAt(marginL+labelW+3, y, ":")
			}
			if i < len(values) {
				w.textAt(vx, y, values[i])
			}
		}
		w.y += float64(n)*bodySize*lineGap + 1
	}
}

// signature writes the signature block at the right half (place and date first for a
// form or report, then the jabatan, the space for the signature, the name underlined,
// the rank and the NIP) and, at the left, the QR code with the verification code and
// the page's address. The two stay together on one page.
func (w *writer) signature(l Letter) {
	const qrSize = 76.0
	sx, sw := marginL+textW/2+10, textW/2-10
	var head []string
	if l.Title != "" && l.PlaceDate != "" {
		head = append(head, l.PlaceDate)
	}
	jabatan := wrap(l.Signer.Jabatan, sw, w.measureIn("go", bodySize))
	need := float64(len(head)+len(jabatan)+3)*bodySize*lineGap + 56
	w.y += 16
	w.room(max(need, qrSize+40))
	top := w.y
	w.lines("go", bodySize, head, sx, sw, false)
	if l.Signer.Jabatan != "" {
		w.lines("go", bodySize, jabatan, sx, sw, false)
	}
	// The space where a hand or an electronic signature (TTE) goes.
	w.y += 50
	if l.Signer.Name != "" {
		w.setFont("go-bold", bodySize)
		w.textAt(sx, w.y, l.Signer.Name)
		nw := w.measure(l.Signer.Name)
		w.pdf.SetLineWidth(0.6)
		w.pdf.Line(sx, w.y+bodySize+1, sx+nw, w.y+bodySize+1)
		w.y += bodySize * lineGap
	}
	if l.Signer.Pangkat != "" {
		w.lines("go", bodySize, []string{l.Signer.Pangkat}, sx, sw, false)
	}
	if l.Signer.NIP != "" {
		w.lines("go", bodySize, []string{"NIP. " + l.Signer.NIP}, sx, sw, false)
	}
	bottom := w.y
	if l.URL != "" {
		w.y = top
		if err := drawQR(w.pdf, l.URL, marginL, w.y, qrSize); err != nil && w.err == nil {
			w.err = err
		}
		w.y += qrSize + 4
		qw := sx - marginL - 16
		w.lines("go-bold", 9, []string{"Kode verifikasi: " + l.Code}, marginL, qw, false)
		w.para("go", 8, "Pindai kode QR atau buka "+l.URL+" untuk memeriksa keaslian dokumen ini.", marginL, qw)
	}
	w.y = max(w.y, bottom)
}
