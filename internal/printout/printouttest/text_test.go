package printouttest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/printout"
	"github.com/surel-id/surel/internal/printout/printouttest"
)

// What Render writes comes back out, line by line, in both fonts and beyond ASCII.
func TestTextReadsRender(t *testing.T) {
	long := strings.Repeat("kartu-pegawai.png ", 20)
	b, err := printout.Render(printout.Document{Office: "Diskominfo Prov. Kalimantan Timur", Title: "TANDA TERIMA PERMOHONAN",
		Subtitle: "Nomor SRL-2026-000001", Rows: [][2]string{{"Diterima", "06-03-2026 10:00 WITA"}, {"Layanan", "Email – PNS Umum"}, {"Dokumen", long}},
		Paragraphs: []string{"Permohonan telah diterima."}, Footer: "Dicetak 06-03-2026 10:05 WITA", Created: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	text, err := printouttest.Text(b)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Diskominfo Prov. Kalimantan Timur", "TANDA TERIMA PERMOHONAN", "Nomor SRL-2026-000001", "Diterima",
		"06-03-2026 10:00 WITA", "Email – PNS Umum", "Permohonan telah diterima.", "Dicetak 06-03-2026 10:05 WITA"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	// A wrapped value comes back on several lines, all of it (gopdf wraps anywhere).
	if got := strings.Count(strings.ReplaceAll(text, "\n", ""), "kartu-pegawai.png"); got != 20 {
		t.Errorf("wrapped value: %d of 20 names:\n%s", got, text)
	}
	if strings.Contains(text, "WIB") {
		t.Errorf("text has a zone it was not given:\n%s", text)
	}
}
