package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/printout/printouttest"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff/stafftest"
)

var untranslatedReport = regexp.MustCompile(`\b(report|rule|field|kantor)\.[a-z_]+\b`)

// The reports are for the heads and the tenant admin only; each page draws its charts
// as SVG with words for screen readers, offers its tables as CSV for Excel id-ID and
// itself as a numbered PDF; a wrong filter is named by its field, what was typed kept.
func TestKantorReports(t *testing.T) {
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			h := start(t, d, map[string]string{"SUREL_CONFIG": kaltimLetters(t)})
			tn := h.a.Tenants.Default()
			kasi := stafftest.New(t, h.a.Staff, tn, "kasi@kaltimprov.go.id", sop.RoleKepalaSeksi)
			desk := stafftest.New(t, h.a.Staff, tn, "loket@kaltimprov.go.id", sop.RoleFrontDesk)
			kc, dc := h.client(), h.client()
			h.signInStaff(kc, kasi)
			h.signInStaff(dc, desk)
			if r := h.do(dc, "GET", "/kantor/laporan/akun", nil); r.status != 403 {
				t.Errorf("front desk at the reports: %d", r.status)
			}
			if r := h.do(h.client(), "GET", "/kantor/laporan/akun", nil); r.status != 303 || !strings.HasPrefix(r.loc, "/masuk") {
				t.Errorf("visitor at the reports: %d %s", r.status, r.loc)
			}
			if r := h.do(kc, "GET", "/kantor/laporan?instansi=X", nil); r.status != 303 || r.loc != "/kantor/laporan/akun?instansi=X" {
				t.Errorf("/kantor/laporan: %d %s", r.status, r.loc)
			}
			for _, k := range []string{"akun", "layanan", "antrean", "pengembalian", "kapasitas"} {
				r := h.do(kc, "GET", "/kantor/laporan/"+k+"?dari=2026-01-01&sampai=2026-12-31&per=bulan", nil)
				if r.status != 200 {
					t.Fatalf("%s: %d %s", k, r.status, r.body)
				}
				if m := untranslatedReport.FindString(r.body); m != "" {
					t.Errorf("%s shows the key %s", k, m)
				}
				contains(t, r.body, `action="/kantor/laporan/`+k+`/pdf"`, "Unduh CSV",
					`.csv?dari=2026-01-01&amp;per=bulan&amp;sampai=2026-12-31"`, `href="/kantor/laporan/layanan?dari=2026-01-01&amp;per=bulan&amp;sampai=2026-12-31"`)
				if k != "pengembalian" && k != "kapasitas" {
					contains(t, r.body, `class="data"`)
				}
				if k != "antrean" && !strings.Contains(r.body, `<svg class="chart"`) && !strings.Contains(r.body, "Tidak ada data") {
					t.Errorf("%s draws no chart", k)
				}
			}
			// With one request sent, the status chart has something to draw.
			h.postMultipart(dc, "/kantor/loket", loketForm(), upload{"scan_permohonan", "surat.png", pngBytes(t, 40, 30)},
				upload{"doc_kepegawaian", "kartu.png", pngBytes(t, 30, 20)})
			r := h.do(kc, "GET", "/kantor/laporan/layanan", nil)
			contains(t, r.body, `role="img"`, `<title id="g1-t">Permohonan per status</title>`, `<desc id="g1-d">`,
				"Kadis mendisposisi proses pembuatan email kepada Bidang Aptika.")

			bad := h.do(kc, "GET", "/kantor/laporan/akun?dari=2026-13-45&sampai=2026-01-01&per=tahun", nil)
			if bad.status != 422 {
				t.Fatalf("a wrong date: %d", bad.status)
			}
			contains(t, bad.body, "Dari tanggal: tulis tanggal sebagai YYYY-MM-DD.", "Per", `value="2026-13-45"`)

			csv := h.do(kc, "GET", "/kantor/laporan/layanan/langkah.csv?dari=2026-01-01&sampai=2026-12-31", nil)
			if csv.status != 200 || !strings.HasPrefix(csv.header.Get("Content-Type"), "text/csv") || !strings.HasPrefix(csv.body, "\ufeffLangkah;Pelaksana;") {
				t.Errorf("CSV: %d %s %q", csv.status, csv.header.Get("Content-Type"), csv.body[:min(40, len(csv.body))])
			}
			if !strings.Contains(csv.header.Get("Content-Disposition"), `attachment; filename="laporan-layanan-langkah-2026-01-01-2026-12-31.csv"`) {
				t.Errorf("CSV file name: %s", csv.header.Get("Content-Disposition"))
			}
			list := h.do(kc, "GET", "/kantor/laporan/akun/daftar.csv", nil)
			if list.status != 200 || !strings.HasPrefix(list.body, "\ufeffNomor permohonan;Nama lengkap;NIP;") {
				t.Errorf("account list: %d %q", list.status, list.body[:min(60, len(list.body))])
			}
			if r := h.do(kc, "GET", "/kantor/laporan/akun/tidak-ada.csv", nil); r.status != 404 {
				t.Errorf("unknown table: %d", r.status)
			}

			pdf := h.do(kc, "POST", "/kantor/laporan/akun/pdf", url.Values{"dari": {"2026-01-01"}, "sampai": {"2026-12-31"}, "per": {"bulan"}})
			if pdf.status != 303 || !strings.HasPrefix(pdf.loc, "/kantor/dokumen/") {
				t.Fatalf("PDF: %d %s", pdf.status, pdf.loc)
			}
			doc := h.do(kc, "GET", pdf.loc, nil)
			if doc.status != 200 || doc.header.Get("Content-Type") != "application/pdf" {
				t.Fatalf("document: %d", doc.status)
			}
			text, _ := printouttest.Text([]byte(doc.body))
			contains(t, strings.ReplaceAll(text, "\n", " "), "LAPORAN AKUN EMAIL", "Yth. Kepala Bidang Aptika", "Periode 1 Januari 2026 s.d. 31 Desember 2026")
			if r := h.do(dc, "GET", pdf.loc, nil); r.status != 403 {
				t.Errorf("the front desk opens an office report: %d", r.status)
			}
		})
	}
}
