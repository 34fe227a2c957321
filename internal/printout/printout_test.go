package printout

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRender(t *testing.T) {
	d := Document{Office: "Layanan Email Resmi Pemerintah", Title: "TANDA TERIMA PERMOHONAN", Subtitle: "Nomor SRL-2026-000001",
		Rows:       [][2]string{{"Pemohon", "Siti Rahma, S.Kom."}, {"Alamat diusulkan", "siti.rahma@mail.go.id"}, {"Dokumen", strings.Repeat("kartu-pegawai.png ", 20)}},
		Paragraphs: []string{"Permohonan telah diterima dan akan diproses sesuai SOP."}, Footer: "Dicetak 22-11-2026", Created: time.Now()}
	b, err := Render(d)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("%PDF-")) || !bytes.Contains(b, []byte("%%EOF")) {
		t.Fatal("not a PDF")
	}
	// Where poppler is installed, the text must come back out of the PDF.
	if _, err := exec.LookPath("pdftotext"); err == nil {
		f := filepath.Join(t.TempDir(), "r.pdf")
		os.WriteFile(f, b, 0o600)
		out, err := exec.Command("pdftotext", f, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"TANDA TERIMA PERMOHONAN", "SRL-2026-000001", "siti.rahma@mail.go.id", "Siti Rahma, S.Kom."} {
			if !strings.Contains(string(out), want) {
				t.Errorf("PDF text lacks %q:\n%s", want, out)
			}
		}
	}
}
