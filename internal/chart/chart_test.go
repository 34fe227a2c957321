package chart

import (
	"encoding/xml"
	"strings"
	"testing"
)

func TestNumber(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 7: "7", 1234: "1.234", 1234567: "1.234.567", 87.5: "87,5", 99.96: "100", -1500: "-1.500", 0.25: "0,3"} {
		if got := Number(v); got != want {
			t.Errorf("Number(%v) = %q, want %q", v, got, want)
		}
	}
}

func TestNiceMax(t *testing.T) {
	for _, c := range []struct {
		v         float64
		whole     bool
		top, step float64
	}{{7, true, 8, 2}, {1, true, 1, 1}, {100, false, 100, 25}, {1234, true, 1500, 500}, {0.6, false, 0.6, 0.2}, {0, true, 1, 1}} {
		top, step := niceMax(c.v, c.whole)
		if top != c.top || step != c.step {
			t.Errorf("niceMax(%v) = %v, %v; want %v, %v", c.v, top, step, c.top, c.step)
		}
	}
}

// The SVG is well-formed, titled and described in words, styled by attributes only
// (the pages allow no inline style), and escapes what it is given.
func TestSVG(t *testing.T) {
	for _, c := range []Chart{
		{Kind: Columns, Title: "Akun dibuat per bulan", Labels: []string{"Jan", "Feb", "Mar <b>"}, Unit: " akun",
			Series: []Series{{Name: "Dibuat", Values: []float64{12, 30, 7}}, {Name: "Dinonaktifkan", Values: []float64{1, 0, 2}}}},
		{Kind: Bars, Title: "Tepat waktu per langkah", Max: 100, Unit: "%", Labels: []string{"Kadis mendisposisi", "Admin membuat akun"},
			Series: []Series{{Name: "Tepat waktu", Values: []float64{87.5, 100}}}, Limits: []Limit{{Name: "Sasaran", Value: 90}}},
		{Kind: Bars, Stacked: true, Title: "Antrean per umur", Labels: []string{"Verifikasi"},
			Series: []Series{{Name: "< 1 hari", Values: []float64{3}}, {Name: "> 5 hari", Values: []float64{1}}}},
		{Kind: Lines, Title: "Kapasitas", Labels: []string{"1", "2", "3"}, Series: []Series{{Name: "Akun", Values: []float64{10, 12, 15}}},
			Limits: []Limit{{Name: "Batas", Value: 20}}},
	} {
		s := SVG(c, "g1")
		if err := xml.Unmarshal([]byte(s), new(struct{})); err != nil {
			t.Errorf("%s: not well-formed: %v\n%s", c.Title, err, s)
		}
		for _, want := range []string{`role="img"`, `aria-labelledby="g1-t g1-d"`, "<title id=\"g1-t\">" + c.Title, "<desc id=\"g1-d\">"} {
			if !strings.Contains(s, want) {
				t.Errorf("%s lacks %s", c.Title, want)
			}
		}
		if strings.Contains(s, "style=") || strings.Contains(s, "<b>") {
			t.Errorf("%s: inline style or unescaped text:\n%s", c.Title, s)
		}
	}
}

func TestAlt(t *testing.T) {
	c := Chart{Kind: Columns, Title: "Akun dibuat", Labels: []string{"Jan", "Feb"}, Unit: " akun", Series: []Series{{Name: "Dibuat", Values: []float64{1200, 3400}}}}
	if got, want := c.Alt(), "Akun dibuat. Dibuat: jumlah 4.600 akun, tertinggi 3.400 akun (Feb)."; got != want {
		t.Errorf("Alt = %q, want %q", got, want)
	}
}
