package printouttest_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/letter"
	"github.com/surel-id/surel/internal/printout"
	"github.com/surel-id/surel/internal/printout/printouttest"
)

// What Render writes comes back out, line by line, in both fonts and beyond ASCII.
func TestTextReadsRender(t *testing.T) {
	long := strings.Repeat("kartu-pegawai.png ", 20)
	b, err := printout.Render(printout.Letter{Head: letter.Letterhead{Office: "Diskominfo Prov. Kalimantan Timur"}, Title: "TANDA TERIMA PERMOHONAN",
		Number: "1/TT/DISKOMINFO/III/2026", Blocks: []printout.Block{printout.Rows{{"Diterima", "06-03-2026 10:00 WITA"}, {"Layanan", "Email – PNS Umum"}, {"Dokumen", long}},
			printout.Paragraph("Permohonan telah diterima.")}, Footer: "Dicetak 06-03-2026 10:05 WITA", Created: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	text, err := printouttest.Text(b)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Diskominfo Prov. Kalimantan Timur", "TANDA TERIMA PERMOHONAN", "Nomor: 1/TT/DISKOMINFO/III/2026", "Diterima",
		"06-03-2026 10:00 WITA", "Email – PNS Umum", "Permohonan telah diterima.", "Dicetak 06-03-2026 10:05 WITA"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	// A wrapped value comes back on several lines, all of it, each name whole.
	if got := strings.Count(text, "kartu-pegawai.png"); got != 20 {
		t.Errorf("wrapped value: %d of 20 names whole:\n%s", got, text)
	}
	if strings.Contains(text, "WIB") {
		t.Errorf("text has a zone it was not given:\n%s", text)
	}
}

// Every document reads back whole, whatever bytes its compressed streams end with: one
// whose stream ended in \r once lost its text (a test of a report failed so, now and then).
func TestTextWhateverTheStreamsEndWith(t *testing.T) {
	// Each document uses another set of glyphs, so its font subset and ToUnicode map,
	// both compressed, end in other bytes.
	glyphs := func(i int) string {
		var b strings.Builder
		for bit := range 26 {
			if (i*2654435761)>>bit&1 == 1 {
				b.WriteRune(rune('a' + bit))
				b.WriteRune(rune('A' + (bit+i)%26))
			}
		}
		return b.String()
	}
	for i := range 1500 {
		n := fmt.Sprintf("%d/LAP/KOMINFO/XII/2026", i+1)
		b, err := printout.Render(printout.Letter{Head: letter.Letterhead{Office: "Diskominfo"}, Title: "LAPORAN AKUN EMAIL", Number: n,
			Blocks: []printout.Block{printout.Paragraph(glyphs(i))}, Created: time.Date(2026, 12, 6, 10, 0, i, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		text, err := printouttest.Text(b)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(text, "LAPORAN AKUN EMAIL") || !strings.Contains(text, n) {
			t.Fatalf("document %d reads %q", i, text)
		}
	}
}
