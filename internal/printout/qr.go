package printout

import (
	"fmt"
	"image/color"

	"github.com/boombuler/barcode/qr"
	"github.com/signintech/gopdf"
)

// drawQR draws the QR code of content as vector squares, size points wide, with its top
// left corner at x, y: sharp at any printer's resolution, and a few hundred bytes. The
// encoder is the one the TOTP library already brings (no new dependency); level M
// survives a crease or a smudge on a printed letter. The page around it is left white
// for the quiet zone the code needs.
func drawQR(pdf *gopdf.GoPdf, content string, x, y, size float64) error {
	code, err := qr.Encode(content, qr.M, qr.Auto)
	if err != nil {
		return fmt.Errorf("qr: %w", err)
	}
	b := code.Bounds()
	n := b.Dx()
	m := size / float64(n)
	pdf.SetFillColor(0, 0, 0)
	for row := 0; row < n; row++ {
		// Each run of dark modules in a row is one rectangle.
		for col := 0; col < n; {
			if !dark(code.At(b.Min.X+col, b.Min.Y+row)) {
				col++
				continue
			}
			start := col
			for col < n && dark(code.At(b.Min.X+col, b.Min.Y+row)) {
				col++
			}
			// A hair of overlap downwards hides the seams some viewers draw between
			// touching rectangles.
			pdf.RectFromUpperLeftWithStyle(x+float64(start)*m, y+float64(row)*m, float64(col-start)*m, m+0.05, "F")
		}
	}
	return nil
}

func dark(c color.Color) bool {
	r, _, _, _ := c.RGBA()
	return r < 0x8000
}
