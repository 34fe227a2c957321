package sop

import (
	"bytes"
	"encoding/xml"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.svg")

// TestSVG draws every preset in both languages, checks that the result is well-formed,
// accessible and at most 900 px wide, with every word of every step on it, and compares
// the Indonesian drawings with testdata/<slug>.svg (go test -update rewrites them).
func TestSVG(t *testing.T) {
	for _, d := range Presets() {
		for _, lang := range []string{"id", "en"} {
			out := SVG(d, lang)
			texts := checkSVG(t, d.Slug+"/"+lang, out)
			all := strings.Join(texts, " ")
			for _, s := range d.Steps {
				for _, w := range strings.Fields(s.Label(lang) + " " + s.OutputIn(lang)) {
					if !strings.Contains(all, w) {
						t.Errorf("%s/%s: %q missing from the drawing", d.Slug, lang, w)
					}
				}
			}
			if lang != "id" {
				// Every preset step has its English output (output_en).
				for _, s := range d.Steps {
					if s.Output != "" && s.OutputEN == "" {
						t.Errorf("%s: step %s has no output_en", d.Slug, s.Key)
					}
				}
				continue
			}
			golden := filepath.Join("testdata", d.Slug+".svg")
			if *update {
				if err := os.WriteFile(golden, out, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if !bytes.Equal(out, want) {
				t.Errorf("%s differs from the drawing (run go test -update and look at it)", golden)
			}
		}
	}
}

// checkSVG parses the drawing and returns its text lines.
func checkSVG(t *testing.T, name string, data []byte) []string {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	var texts []string
	var first *xml.StartElement
	var inText, sawTitle, sawDesc bool
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: not well-formed: %v", name, err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			if first == nil {
				e := el.Copy()
				first = &e
			}
			inText = el.Name.Local == "text"
			sawTitle = sawTitle || el.Name.Local == "title"
			sawDesc = sawDesc || el.Name.Local == "desc"
			for _, a := range el.Attr {
				if (a.Name.Local == "href" || a.Name.Local == "src") || strings.Contains(a.Value, "http") && a.Name.Local != "xmlns" {
					t.Errorf("%s: external reference %s=%q", name, a.Name.Local, a.Value)
				}
				if el.Name.Local == "text" && a.Name.Local == "x" {
					if x, _ := strconv.ParseFloat(a.Value, 64); x < 0 || x > 900 {
						t.Errorf("%s: text at x=%v", name, x)
					}
				}
			}
		case xml.CharData:
			if inText {
				texts = append(texts, string(el))
			}
		case xml.EndElement:
			inText = false
		}
	}
	if first == nil || first.Name.Local != "svg" {
		t.Fatalf("%s: not an svg", name)
	}
	attrs := map[string]string{}
	for _, a := range first.Attr {
		attrs[a.Name.Local] = a.Value
	}
	if w, _ := strconv.Atoi(attrs["width"]); w <= 0 || w > 900 {
		t.Errorf("%s: width %q", name, attrs["width"])
	}
	if attrs["role"] != "img" || attrs["aria-label"] == "" || !sawTitle || !sawDesc {
		t.Errorf("%s: not accessible: role=%q aria-label=%q title=%v desc=%v", name, attrs["role"], attrs["aria-label"], sawTitle, sawDesc)
	}
	return texts
}

func TestWrap(t *testing.T) {
	for _, tc := range []struct {
		in    string
		width int
		want  string
	}{
		{"Kadis mendisposisi proses pembuatan email kepada Bidang Aptika.", 20, "Kadis mendisposisi|proses pembuatan|email kepada Bidang|Aptika."},
		{"melalui layanan.kominfo.go.id/tambah-permohonan", 16, "melalui|layanan.kominfo.|go.id/tambah-|permohonan"},
		{"melalui layanan.kominfo.go.id/permohonan/baru", 16, "melalui|layanan.kominfo.|go.id/permohonan|/baru"},
		{"", 10, ""},
	} {
		got := strings.Join(wrap(tc.in, tc.width), "|")
		if got != tc.want {
			t.Errorf("wrap(%q, %d) = %q, want %q", tc.in, tc.width, got, tc.want)
		}
		for _, l := range wrap(tc.in, tc.width) {
			if len([]rune(l)) > tc.width {
				t.Errorf("line %q longer than %d", l, tc.width)
			}
		}
	}
}
