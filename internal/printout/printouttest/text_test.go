package printouttest_test

import (
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
