package printout

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/surel-id/surel/internal/letter"
	"github.com/surel-id/surel/internal/printout/printouttest"
)

// runes measures a text as one unit per character.
func runes(s string) float64 { return float64(utf8.RuneCountInString(s)) }

func TestWrap(t *testing.T) {
	for _, c := range []struct {
		text  string
		width float64
		want  []string
	}{
		{"Dengan hormat, bersama ini kami sampaikan", 16, []string{"Dengan hormat,", "bersama ini kami", "sampaikan"}},
		// A word never breaks while it fits a line of its own.
		{"a pemberitahuan b", 13, []string{"a", "pemberitahuan", "b"}},
		// A URL too long for a line breaks after its slashes, the "//" kept together.
		{"Buka https://surel.kaltimprov.go.id/verifikasi/ABCDEFGHJKMN sekarang", 28,
			[]string{"Buka", "https://", "surel.kaltimprov.go.id/", "verifikasi/ABCDEFGHJKMN", "sekarang"}},
		// An address breaks after the @ or a dot when it must.
		{"siti.rahma.wulandari@kaltimprov.go.id", 22, []string{"siti.rahma.wulandari@", "kaltimprov.go.id"}},
		// Only a run with no break character at all is cut where it must be.
		{"ABCDEFGHIJKLMNOPQRSTUVWXYZ", 10, []string{"ABCDEFGHIJ", "KLMNOPQRST", "UVWXYZ"}},
		{"satu\nDua tiga", 40, []string{"satu", "Dua tiga"}},
	} {
		got := wrap(c.text, c.width, runes)
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("wrap(%q, %v)\n got %q\nwant %q", c.text, c.width, got, c.want)
		}
		for _, l := range got {
			if runes(l) > c.width {
				t.Errorf("line %q wider than %v", l, c.width)
			}
		}
	}
}

func logoPNG(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 40, 48))
	for y := 0; y < 48; y++ {
		for x := 0; x < 40; x++ {
			img.Set(x, y, color.RGBA{0, 90, 160, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func sample(t *testing.T) Letter {
	return Letter{
		Head: letter.Letterhead{Government: "PEMERINTAH PROVINSI KALIMANTAN TIMUR", Office: "DINAS KOMUNIKASI DAN INFORMATIKA",
			Address: "Jl. Basuki Rahmat No. 41, Samarinda 75117", Phone: "(0541) 733333", Email: "diskominfo@kaltimprov.go.id",
			Website: "https://diskominfo.kaltimprov.go.id", Logo: logoPNG(t)},
		Number: "3/SPA/DISKOMINFO/XII/2026", Subject: "Pemberitahuan Akun Email Resmi", PlaceDate: "Samarinda, 6 Desember 2026",
		To: []string{"Sdr. Siti Rahma, S.Kom.", "Pranata Komputer, Dinas Komunikasi dan Informatika"}, Opening: "Dengan hormat,",
		Blocks: []Block{
			Paragraph("Bersama ini kami sampaikan bahwa permohonan akun email resmi Saudara telah disetujui dan akunnya telah dibuat dengan rincian sebagai berikut."),
			Rows{{"Alamat email", "siti.rahma@kaltimprov.go.id"}, {"Webmail", "https://webmail.kaltimprov.go.id/mail/index.php/login/oauth/authorize"}},
		},
		Closing: "Demikian kami sampaikan, atas perhatian Saudara kami ucapkan terima kasih.",
		Signer:  letter.Signer{Jabatan: "Kepala Dinas Komunikasi dan Informatika Provinsi Kalimantan Timur", Name: "Dr. Muhammad Faisal, S.Kom., M.Si.", Pangkat: "Pembina Utama Muda (IV/c)", NIP: "197211231998031005"},
		Code:    "ABCD-EFGH-JKMN", URL: "https://surel.kaltimprov.go.id/verifikasi/ABCDEFGHJKMN",
		Footer: "Dicetak oleh sistem surel pada 06-12-2026 09:15 WITA.",
	}
}

// A letter has every part of an Indonesian office letter, and each word of it comes
// back whole: nothing breaks inside a word.
func TestRenderLetter(t *testing.T) {
	l := sample(t)
	b, err := Render(l)
	if err != nil {
		t.Fatal(err)
	}
	text, err := printouttest.Text(b)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"PEMERINTAH PROVINSI KALIMANTAN TIMUR", "DINAS KOMUNIKASI DAN INFORMATIKA", "Jl. Basuki Rahmat No. 41",
		"Samarinda, 6 Desember 2026", "Nomor", "3/SPA/DISKOMINFO/XII/2026", "Lampiran", "Hal", "Yth. Sdr. Siti Rahma, S.Kom.",
		"Dengan hormat,", "Demikian kami sampaikan", "Dr. Muhammad Faisal, S.Kom., M.Si.", "Pembina Utama Muda (IV/c)",
		"NIP. 197211231998031005", "Kode verifikasi: ABCD-EFGH-JKMN", "WITA", "Halaman 1"} {
		if !strings.Contains(text, want) {
			t.Errorf("letter lacks %q:\n%s", want, text)
		}
	}
	words := map[string]bool{}
	for _, w := range strings.Fields(text) {
		words[w] = true
	}
	for _, src := range []Paragraph{l.Blocks[0].(Paragraph), Paragraph(l.Closing), Paragraph(l.Signer.Jabatan), Paragraph(l.To[1])} {
		for _, w := range strings.Fields(string(src)) {
			if !words[w] {
				t.Errorf("the word %q was broken across lines:\n%s", w, text)
			}
		}
	}
	// The verification URL broke at its slashes only.
	if !strings.Contains(text, "verifikasi/ABCDEFGHJKMN") {
		t.Errorf("the URL broke elsewhere than at a slash:\n%s", text)
	}
}

// The printed QR code reads back, as a scanner reads paper, as the verification URL.
func TestRenderQR(t *testing.T) {
	printouttest.QRTools(t)
	l := sample(t)
	b, err := Render(l)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	codes, err := printouttest.QRCodes(b, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != 1 || codes[0] != l.URL {
		t.Fatalf("QR codes %q, want [%q]", codes, l.URL)
	}
	if keep := os.Getenv("SUREL_PRINTOUT_DIR"); keep != "" {
		os.WriteFile(filepath.Join(keep, "letter.pdf"), b, 0o644)
		pngs, _ := filepath.Glob(filepath.Join(dir, "*.png"))
		for _, p := range pngs {
			data, _ := os.ReadFile(p)
			os.WriteFile(filepath.Join(keep, "letter-"+filepath.Base(p)), data, 0o644)
		}
	}
}

// A long table runs onto more pages with its header on each, and the signature block
// with its QR code stays whole on the last.
func TestRenderTablePages(t *testing.T) {
	l := sample(t)
	l.Title, l.Subject, l.To = "LAPORAN JUMLAH AKUN EMAIL", "", []string{"Kepala Bidang Aptika"}
	tbl := Table{Columns: []Column{{Title: "No.", Width: 1, Number: true}, {Title: "Instansi", Width: 6}, {Title: "Akun dibuat", Width: 2, Number: true}}}
	for i := 1; i <= 120; i++ {
		tbl.Rows = append(tbl.Rows, []string{itoa(i), "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia Daerah Kabupaten " + itoa(i), itoa(i * 3)})
	}
	tbl.Foot = []string{"", "Jumlah", "21780"}
	l.Blocks = []Block{Heading("Akun per instansi"), tbl}
	b, err := Render(l)
	if err != nil {
		t.Fatal(err)
	}
	text, err := printouttest.Text(b)
	if err != nil {
		t.Fatal(err)
	}
	pages := strings.Count(text, "Halaman ")
	if pages < 3 {
		t.Fatalf("%d pages for 120 rows:\n%s", pages, text)
	}
	if got := strings.Count(text, "Akun dibuat"); got != pages {
		t.Errorf("header %d times on %d pages", got, pages)
	}
	for _, want := range []string{"LAPORAN JUMLAH AKUN EMAIL", "Nomor: 3/SPA/DISKOMINFO/XII/2026", "Kabupaten 120", "Jumlah", "21780", "Samarinda, 6 Desember 2026"} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if keep := os.Getenv("SUREL_PRINTOUT_DIR"); keep != "" {
		os.WriteFile(filepath.Join(keep, "report.pdf"), b, 0o644)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
