// Package printouttest reads the words back out of a PDF that printout.Render made, so
// that tests can check what a receipt or a letter says without a PDF tool installed.
// It knows the shape of gopdf's output only (Identity-H fonts with a ToUnicode map, one
// text object per line), not PDF at large.
package printouttest

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

var (
	streamRE = regexp.MustCompile(`(?s)stream\r?\n(.*?)\r?\nendstream`)
	rangeRE  = regexp.MustCompile(`<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>`)
	charRE   = regexp.MustCompile(`<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>`)
	textRE   = regexp.MustCompile(`(?s)BT(.*?)ET`)
	hexRE    = regexp.MustCompile(`<([0-9A-Fa-f]*)>`)
)

// Text is the document's text, one line per line written, pages in order.
func Text(pdf []byte) (string, error) {
	var streams [][]byte
	for _, m := range streamRE.FindAllSubmatchIndex(pdf, -1) {
		data := pdf[m[2]:m[3]]
		// A compressed stream whose last byte is \r reads as "\r\nendstream", and the
		// pattern takes that \r for the line end: the stream is one byte short and does
		// not inflate (a report test failed so now and then). Give it back.
		if out, ok := inflateOK(data); ok {
			streams = append(streams, out)
		} else if m[3] < len(pdf) && pdf[m[3]] == '\r' {
			streams = append(streams, inflate(pdf[m[2]:m[3]+1]))
		} else {
			streams = append(streams, inflate(data))
		}
	}
	glyphs := map[uint16]rune{}
	for _, s := range streams {
		if bytes.Contains(s, []byte("begincmap")) {
			if err := readCMap(glyphs, string(s)); err != nil {
				return "", err
			}
		}
	}
	var lines []string
	for _, s := range streams {
		if bytes.Contains(s, []byte("begincmap")) {
			continue
		}
		for _, obj := range textRE.FindAllSubmatch(s, -1) {
			line, err := decode(glyphs, obj[1])
			if err != nil {
				return "", err
			}
			lines = append(lines, line)
		}
	}
	return strings.Join(lines, "\n"), nil
}

// inflate is a stream's content: decompressed when it is Flate-compressed, else as is.
func inflate(b []byte) []byte {
	out, _ := inflateOK(b)
	return out
}

// inflateOK is inflate, and whether b was a whole Flate stream.
func inflateOK(b []byte) ([]byte, bool) {
	r, err := zlib.NewReader(bytes.NewReader(b))
	if err != nil {
		return b, false
	}
	out, err := io.ReadAll(r)
	if err != nil {
		return b, false
	}
	return out, true
}

// readCMap adds a ToUnicode map's glyph → character pairs to glyphs. The fonts of one
// document share the glyph numbering (the Go fonts do); a glyph two maps read
// differently is an error rather than a wrong text.
func readCMap(glyphs map[uint16]rune, cmap string) error {
	add := func(glyph uint64, r rune) error {
		if old, ok := glyphs[uint16(glyph)]; ok && old != r {
			return fmt.Errorf("printouttest: glyph %04x is %q in one font and %q in another", glyph, old, r)
		}
		glyphs[uint16(glyph)] = r
		return nil
	}
	for _, sec := range sections(cmap, "beginbfrange", "endbfrange") {
		for _, m := range rangeRE.FindAllStringSubmatch(sec, -1) {
			lo, _ := strconv.ParseUint(m[1], 16, 16)
			hi, _ := strconv.ParseUint(m[2], 16, 16)
			to, _ := strconv.ParseUint(m[3], 16, 32)
			for g := lo; g <= hi; g++ {
				if err := add(g, rune(to+g-lo)); err != nil {
					return err
				}
			}
		}
	}
	for _, sec := range sections(cmap, "beginbfchar", "endbfchar") {
		for _, m := range charRE.FindAllStringSubmatch(sec, -1) {
			g, _ := strconv.ParseUint(m[1], 16, 16)
			to, _ := strconv.ParseUint(m[2], 16, 32)
			if err := add(g, rune(to)); err != nil {
				return err
			}
		}
	}
	return nil
}

// sections are the texts between each begin and its end.
func sections(s, begin, end string) []string {
	var out []string
	for {
		i := strings.Index(s, begin)
		if i < 0 {
			return out
		}
		s = s[i+len(begin):]
		j := strings.Index(s, end)
		if j < 0 {
			return append(out, s)
		}
		out = append(out, s[:j])
		s = s[j+len(end):]
	}
}

// decode is the text of one text object: its hex strings, four digits a glyph.
func decode(glyphs map[uint16]rune, obj []byte) (string, error) {
	var b strings.Builder
	for _, m := range hexRE.FindAllSubmatch(obj, -1) {
		h := m[1]
		for i := 0; i+4 <= len(h); i += 4 {
			g, err := strconv.ParseUint(string(h[i:i+4]), 16, 16)
			if err != nil {
				return "", fmt.Errorf("printouttest: %w", err)
			}
			r, ok := glyphs[uint16(g)]
			if !ok {
				return "", fmt.Errorf("printouttest: glyph %04x has no character", g)
			}
			b.WriteRune(r)
		}
	}
	return b.String(), nil
}
