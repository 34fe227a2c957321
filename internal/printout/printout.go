// Package printout renders the printable documents of the service as PDF: the receipt of
// a request (tanda terima) and the account letter with the new mailbox's password (surat
// pemberitahuan akun). One plain A4 layout: the office's name, a title, a table of label
// and value rows, paragraphs, and a footer; the callers write every time in the
// tenant's zone with its name (WIB, WITA, WIT).
// Fonts are the Go fonts, embedded, so a document looks the same on every server.
package printout

import (
	"bytes"
	"fmt"
	"time"

	"github.com/signintech/gopdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// Document is one printable page.
type Document struct {
	Office     string      // "Layanan Email Resmi Pemerintah"
	Title      string      // "TANDA TERIMA PERMOHONAN"
	Subtitle   string      // the request number
	Rows       [][2]string // label, value
	Paragraphs []string
	Footer     string
	Created    time.Time
}

const (
	pageW, pageH = 595.28, 841.89 // A4 in points
	margin       = 56.0
	textW        = pageW - 2*margin
)

// Render lays the document out on as many A4 pages as it needs.
func Render(d Document) ([]byte, error) {
	pdf := &gopdf.GoPdf{}
	pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4})
	pdf.SetInfo(gopdf.PdfInfo{Title: d.Title + " " + d.Subtitle, Creator: "surel", CreationDate: d.Created})
	if err := pdf.AddTTFFontData("go", goregular.TTF); err != nil {
		return nil, fmt.Errorf("printout: font: %w", err)
	}
	if err := pdf.AddTTFFontData("go-bold", gobold.TTF); err != nil {
		return nil, fmt.Errorf("printout: font: %w", err)
	}
	w := &writer{pdf: pdf}
	pdf.AddPage()
	w.y = margin
	w.text("go-bold", 13, d.Office, 0)
	w.y += 4
	pdf.SetLineWidth(1)
	pdf.Line(margin, w.y, pageW-margin, w.y)
	w.y += 18
	w.text("go-bold", 15, d.Title, 0)
	if d.Subtitle != "" {
		w.text("go", 11, d.Subtitle, 0)
	}
	w.y += 10
	const labelW = 170.0
	for _, r := range d.Rows {
		top := w.y
		w.text("go", 10, r[0], labelW-10)
		left := w.y
		w.y = top
		w.textAt("go-bold", 10, r[1], margin+labelW, textW-labelW)
		w.y = max(w.y, left) + 4
	}
	w.y += 8
	for _, p := range d.Paragraphs {
		w.text("go", 10, p, 0)
		w.y += 6
	}
	if d.Footer != "" {
		w.y = max(w.y+20, pageH-margin-40)
		w.text("go", 8, d.Footer, 0)
	}
	if w.err != nil {
		return nil, fmt.Errorf("printout: %w", w.err)
	}
	var b bytes.Buffer
	if _, err := pdf.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("printout: %w", err)
	}
	return b.Bytes(), nil
}

type writer struct {
	pdf *gopdf.GoPdf
	y   float64
	err error
}

func (w *writer) text(font string, size float64, s string, width float64) {
	w.textAt(font, size, s, margin, width)
}

// textAt writes s wrapped to width at x, moving down, and to a new page when full.
func (w *writer) textAt(font string, size float64, s string, x, width float64) {
	if w.err != nil {
		return
	}
	if width == 0 {
		width = pageW - margin - x
	}
	if w.err = w.pdf.SetFont(font, "", size); w.err != nil {
		return
	}
	lines, err := w.pdf.SplitText(s, width)
	if err != nil {
		lines = []string{s}
	}
	for _, l := range lines {
		if w.y+size*1.4 > pageH-margin {
			w.pdf.AddPage()
			w.y = margin
			if w.err = w.pdf.SetFont(font, "", size); w.err != nil {
				return
			}
		}
		w.pdf.SetXY(x, w.y)
		if w.err = w.pdf.Text(l); w.err != nil {
			return
		}
		w.y += size * 1.4
	}
}
