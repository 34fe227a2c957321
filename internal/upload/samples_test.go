package upload

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"strings"
	"testing"
)

// The samples are built in code, so every test states what its bytes are.

func testImage(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.NRGBA{uint8(x * 7), uint8(y * 5), uint8(x ^ y), 255})
		}
	}
	return img
}

func jpegSample(t testing.TB) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, testImage(40, 30), &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func pngSample(t testing.TB) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, testImage(40, 30)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func gifSample(t testing.TB) []byte {
	p := image.NewPaletted(image.Rect(0, 0, 40, 30), palette.Plan9)
	for i := range p.Pix {
		p.Pix[i] = uint8(i % 200)
	}
	var b bytes.Buffer
	if err := gif.Encode(&b, p, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// noisePNG is a PNG of random pixels, which do not compress: about 4 bytes a pixel.
func noisePNG(t testing.TB, w, h int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = uint8(r.Uint32())
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pngChunk encodes one chunk with its CRC.
func pngChunk(typ string, body []byte) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.BigEndian, uint32(len(body)))
	b.WriteString(typ)
	b.Write(body)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), body...)))
	return b.Bytes()
}

// bombPNG declares a w×h grey image but holds one compressed row: the shape of a
// decompression bomb, whose pixels would only be allocated by a decode.
func bombPNG(w, h uint32) []byte {
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 0 // 8-bit greyscale
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(make([]byte, 1+w))
	zw.Close()
	out := []byte("\x89PNG\r\n\x1a\n")
	out = append(out, pngChunk("IHDR", ihdr)...)
	out = append(out, pngChunk("IDAT", z.Bytes())...)
	return append(out, pngChunk("IEND", nil)...)
}

// insertPNGChunk puts a chunk just before IEND.
func insertPNGChunk(p []byte, chunk []byte) []byte {
	iend := len(p) - 12
	return append(append(append([]byte{}, p[:iend]...), chunk...), p[iend:]...)
}

// withJPEGSegment puts a segment right after SOI.
func withJPEGSegment(j []byte, marker byte, body []byte) []byte {
	seg := []byte{0xFF, marker, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(body)+2))
	out := append([]byte{}, j[:2]...)
	out = append(out, seg...)
	out = append(out, body...)
	return append(out, j[2:]...)
}

// gifWithComment puts a comment extension before the first image.
func gifWithComment(g []byte, comment string) []byte {
	pos := 13
	if g[10]&0x80 != 0 {
		pos += 3 << (g[10]&7 + 1)
	}
	ext := []byte{0x21, 0xFE}
	for c := []byte(comment); len(c) > 0; {
		n := min(len(c), 255)
		ext = append(ext, byte(n))
		ext = append(ext, c[:n]...)
		c = c[n:]
	}
	ext = append(ext, 0)
	out := append([]byte{}, g[:pos]...)
	out = append(out, ext...)
	return append(out, g[pos:]...)
}

func zipSample(t testing.TB) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, err := zw.Create("payload.html")
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("<script>alert(1)</script>"))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pdfDoc writes a PDF 1.4 file with a classic cross-reference table whose offsets are
// computed from what is written. objs are the bodies of objects 1, 2, …; object 1 is the
// catalogue. extra is added to the trailer dictionary.
func pdfDoc(objs []string, extra string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xE2\xE3\xCF\xD3\n")
	offs := make([]int, len(objs))
	for i, o := range objs {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f\r\n", len(objs)+1)
	for _, off := range offs {
		fmt.Fprintf(&b, "%010d 00000 n\r\n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, extra, xref)
	return b.Bytes()
}

func pdfStreamObj(dict, data string) string {
	return fmt.Sprintf("<< %s /Length %d >>\nstream\n%s\nendstream", dict, len(data), data)
}

// onePage are the objects of a one-page A4 document with a line of text.
func onePage(catalogExtra string) []string {
	return []string{
		"<< /Type /Catalog /Pages 2 0 R" + catalogExtra + " >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		pdfStreamObj("", "BT /F1 12 Tf 72 770 Td (SK Pengangkatan) Tj ET"),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
}

func pdfSample() []byte { return pdfDoc(onePage(""), "") }

// pdfCompressed writes a PDF 1.5 file whose objects 1–3 sit in a compressed object
// stream and whose cross-reference is a stream with a PNG Up predictor, as modern
// writers produce. stmExtra is added to object 2 (the page tree root).
func pdfCompressed(t testing.TB, pagesExtra string) []byte {
	inner := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1" + pagesExtra + " >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
	}
	var head, body strings.Builder
	for i, o := range inner {
		fmt.Fprintf(&head, "%d %d ", i+1, body.Len())
		body.WriteString(o + "\n")
	}
	stm := head.String() + body.String()
	var b bytes.Buffer
	b.WriteString("%PDF-1.5\n%\xE2\xE3\xCF\xD3\n")
	off4 := b.Len()
	z := deflate(t, []byte(stm))
	fmt.Fprintf(&b, "4 0 obj\n<< /Type /ObjStm /N 3 /First %d /Filter /FlateDecode /Length %d >>\nstream\n", head.Len(), len(z))
	b.Write(z)
	b.WriteString("\nendstream\nendobj\n")
	off5 := b.Len()
	// Rows: type (1 byte), offset or stream number (2), generation or index (1).
	rows := [][4]byte{{0, 0, 0, 255}, {2, 0, 4, 0}, {2, 0, 4, 1}, {2, 0, 4, 2},
		{1, byte(off4 >> 8), byte(off4), 0}, {1, byte(off5 >> 8), byte(off5), 0}}
	var raw []byte
	prev := [4]byte{}
	for _, r := range rows {
		raw = append(raw, 2) // PNG Up
		for i := range r {
			raw = append(raw, r[i]-prev[i])
		}
		prev = r
	}
	z = deflate(t, raw)
	fmt.Fprintf(&b, "5 0 obj\n<< /Type /XRef /Size 6 /W [1 2 1] /Root 1 0 R /Filter /FlateDecode /DecodeParms << /Columns 4 /Predictor 12 >> /Length %d >>\nstream\n", len(z))
	b.Write(z)
	fmt.Fprintf(&b, "\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n", off5)
	return b.Bytes()
}

func deflate(t testing.TB, data []byte) []byte {
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	zw.Close()
	return z.Bytes()
}
