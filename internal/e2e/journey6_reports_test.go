package e2e

import (
	"context"
	"encoding/base64"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/printout/printouttest"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff/stafftest"
)

// fetchFormPDF posts the form sel as the signed-in browser would (its cookies, its
// origin), follows the redirect to the document and returns the PDF's bytes.
func (b *browser) fetchFormPDF(sel string) []byte {
	b.t.Helper()
	js := fmt.Sprintf(`(() => { const f = document.querySelector(%q);
		return fetch(f.action, {method: "POST", body: new URLSearchParams(new FormData(f)), credentials: "same-origin"}); })().then(r => {
		if (!r.ok || r.headers.get("Content-Type") !== "application/pdf") throw new Error("status " + r.status + " " + r.headers.get("Content-Type"));
		return r.arrayBuffer();
	}).then(buf => { const u = new Uint8Array(buf); let s = ""; for (let i = 0; i < u.length; i++) s += String.fromCharCode(u[i]); return btoa(s); })`, sel)
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		b.fatalf("post %s: %v", sel, err)
	}
	pdf, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		b.fatalf("post %s: %v", sel, err)
	}
	return pdf
}

// fetchText downloads path as the signed-in browser does and returns the body as UTF-8,
// a byte-order mark kept, and its Content-Type.
func (b *browser) fetchText(path string) (string, string) {
	b.t.Helper()
	js := fmt.Sprintf(`fetch(%q, {credentials: "same-origin"}).then(r => {
		if (!r.ok) throw new Error("status " + r.status);
		// ignoreBOM keeps the byte-order mark Excel needs, which text() would drop.
		return r.arrayBuffer().then(buf => [new TextDecoder("utf-8", {ignoreBOM: true}).decode(buf), r.headers.get("Content-Type")]);
	})`, path)
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](js, chromedp.EvalAwaitPromise))
	if err != nil || len(s) != 2 {
		b.fatalf("fetch %s: %v", path, err)
	}
	return s[0], s[1]
}

// setValue sets a field's value as a person picking it would (date inputs take their
// value in the browser's locale when typed).
func (b *browser) setValue(sel, v string) {
	b.t.Helper()
	if !eval[bool](b, fmt.Sprintf(`(() => { const e = document.querySelector(%q); if (!e) return false; e.value = %q; return e.value === %q; })()`, sel, v, v)) {
		b.fatalf("cannot set %s to %q", sel, v)
	}
}

// noKeys fails when the page shows a catalogue key of the reports or the archive.
func (j *journey) noKeys() {
	j.t.Helper()
	if keys := regexp.MustCompile(`\b(?:report|arsip|verify|kantor|letter)\.[a-z_0-9]+\b`).FindAllString(j.b.text(), -1); len(keys) > 0 {
		j.b.fatalf("untranslated catalogue keys: %v", keys)
	}
}

// openVerification opens a document's verification page from the URL its QR code holds
// and checks what it attests, at phone and desktop widths.
func (j *journey) openVerification(url, name string, want ...string) {
	b := j.b
	b.open(url)
	b.wantText(append([]string{"Verifikasi dokumen", "Kode ini milik dokumen yang terdaftar"}, want...)...)
	b.wantNoText("Password awal")
	j.noKeys()
	j.shot(name)
	b.shotWide(name)
}

// TestJourney6ReportsAndArchive is issue 16's "Done when" on the Kaltim preset, in
// Chromium, on both engines: the report step attaches its numbered laporan jumlah akun
// and the archive step files it; a Kasi opens the reports, filters by instansi and
// month, downloads the CSV and the numbered PDF, whose QR code (decoded from the
// rendered pages) opens its verification page; and the archive finds a request refused
// the month before. Every page at 360 px and 1366 px.
func TestJourney6ReportsAndArchive(t *testing.T) {
	chromium(t)
	printouttest.QRTools(t)
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			srv := startServerEnv(t, d, map[string]string{"SUREL_CONFIG": kaltimTenant(t)})
			b := newBrowser(t, srv.URL, screenshotDir(t, filepath.Join(string(d), "laporan-arsip"), "[0-9][0-9]-*.png", "FAILED-*.png"))
			j := &journey{t: t, b: b, srv: srv}
			o := &office{j: j, slug: "kaltim", staff: map[sop.Role]stafftest.Member{}, codes: map[sop.Role]int{}}
			tn := srv.App.Tenants.Default()
			for _, r := range []sop.Role{sop.RoleFrontDesk, sop.RoleKepalaDinas, sop.RoleKepalaBidang, sop.RoleKepalaSeksi, sop.RoleAdminMail} {
				o.staff[r] = stafftest.New(t, srv.App.Staff, tn, strings.ReplaceAll(string(r), "_", "")+"@kaltim.go.id", r)
			}
			scan := writePNG(t, 60, 40)
			id := o.submitted(scan)
			refused := o.submittedBy(scan, person{"Budi", "Santoso", "budi.kaltim@example.com", "197211231998031005", "budi.santoso"})
			wita, _ := time.LoadLocation("Asia/Makassar")
			lastMonth := time.Now().In(wita).AddDate(0, 0, -time.Now().In(wita).Day()-9) // the 20th or so of the month before
			monthStart := time.Date(lastMonth.Year(), lastMonth.Month(), 1, 0, 0, 0, 0, wita)
			j.step("l01 tolak", func() {
				o.act(refused, sop.RoleKepalaDinas, "refuse", "Pemohon bukan ASN Pemerintah Provinsi Kalimantan Timur.")
				// The refusal is dated the month before, as if made then: the archive is
				// searched for it by that period.
				ctx := context.Background()
				r, err := srv.App.Store.Request(ctx, refused)
				if err != nil || r.Status != request.Refused {
					b.fatalf("refused request: %s, %v", r.Status, err)
				}
				r.ClosedAt, r.FiledAt = lastMonth.UTC(), lastMonth.UTC()
				if err := srv.App.Store.UpdateRequest(ctx, r); err != nil {
					b.fatalf("backdate: %v", err)
				}
				if err := srv.App.Store.FileRequest(ctx, r); err != nil {
					b.fatalf("backdate: %v", err)
				}
			})
			j.step("l02 disposisi", func() { o.act(id, sop.RoleKepalaDinas, "forward", "Diteruskan ke Bidang Aptika") })
			j.step("l03 kapasitas", func() { o.act(id, sop.RoleKepalaBidang, "forward", "Kapasitas cukup") })
			j.step("l04 buat akun", func() { o.provision(id) })
			var stepReport string
			j.step("l05 laporan jumlah akun", func() {
				o.act(id, sop.RoleKepalaSeksi, "complete", "Jumlah akun bertambah satu")
				b.open(fmt.Sprintf("/kantor/permohonan/%d", id))
				b.wantText("Laporan Jumlah Akun Email")
				stepReport = eval[string](b, `document.querySelector("ul.docs a[href^='/kantor/dokumen/']").getAttribute("href")`)
				pdf := b.fetchPDF(stepReport)
				codes := j.keepPages("laporan-jumlah-akun", pdf)
				if len(codes) != 1 || !strings.HasPrefix(codes[0], srv.URL+"/verifikasi/") {
					b.fatalf("QR codes on the step's report: %q", codes)
				}
				text, _ := printouttest.Text(pdf)
				number := regexp.MustCompile(`Nomor\s*:\s*(\S+)`).FindStringSubmatch(text)
				for _, want := range []string{"LAPORAN JUMLAH AKUN EMAIL", "Samarinda, ", "Yth. Kepala Bidang Aptika", "siti.rahma@mail.go.id", "WITA"} {
					if !strings.Contains(text, want) {
						b.fatalf("the step's report lacks %q:\n%s", want, text)
					}
				}
				if number == nil || !strings.Contains(b.text(), number[1]) {
					b.fatalf("the step's report number %v is not on the request page", number)
				}
				j.openVerification(codes[0], "verifikasi-laporan-langkah", "Laporan Jumlah Akun Email", number[1])
			})
			j.step("l06 arsipkan", func() {
				o.act(id, sop.RoleKepalaSeksi, "complete", "")
				b.open(fmt.Sprintf("/kantor/permohonan/%d", id))
				b.wantIn("ul.docs", "diarsipkan")
				j.shot("laporan-diarsipkan")
			})
			instansi := "Dinas Komunikasi dan Informatika"
			j.step("l07 laporan", func() {
				o.signIn(sop.RoleKepalaSeksi)
				b.click("a[href='/kantor/laporan']")
				b.wantPath("/kantor/laporan/akun")
				b.fill("#f-instansi", instansi)
				today := time.Now().In(wita)
				b.setValue("#f-dari", today.Format("2006-01")+"-01")
				b.setValue("#f-sampai", today.Format("2006-01-02"))
				b.click("form.report-filter button[type=submit]")
				b.waitJS("the filtered report", `location.search.includes("instansi=Dinas+Komunikasi")`, actionTimeout)
				b.wantText(instansi, "Akun email")
				if !eval[bool](b, `!!document.querySelector("figure svg[role=img] title")`) {
					b.fatalf("no chart with a text alternative")
				}
				j.noKeys()
				j.shot("laporan-akun")
				b.shotWide("laporan-akun")
				csvHref := eval[string](b, `document.querySelector("a[href$='.csv'], a[href*='.csv?']").getAttribute("href")`)
				if !strings.Contains(csvHref, "instansi=Dinas+Komunikasi") {
					b.fatalf("the CSV link lacks the filter: %s", csvHref)
				}
				csv, ctype := b.fetchText(csvHref)
				if !strings.HasPrefix(ctype, "text/csv") || !strings.HasPrefix(csv, "\ufeff") || !strings.Contains(strings.SplitN(csv, "\n", 2)[0], ";") {
					b.fatalf("CSV for Excel id-ID: %s %q", ctype, csv[:min(80, len(csv))])
				}
				pdf := b.fetchFormPDF("form[action='/kantor/laporan/akun/pdf']")
				codes := j.keepPages("laporan-akun-pdf", pdf)
				if len(codes) != 1 || !strings.HasPrefix(codes[0], srv.URL+"/verifikasi/") {
					b.fatalf("QR codes on the report: %q", codes)
				}
				text, _ := printouttest.Text(pdf)
				flat := strings.Join(strings.Fields(text), " ")
				for _, want := range []string{"LAPORAN AKUN EMAIL", "Samarinda, ", instansi, "NIP. 197211231998031005"} {
					if !strings.Contains(flat, want) {
						b.fatalf("the report's PDF lacks %q:\n%s", want, text)
					}
				}
				j.openVerification(codes[0], "verifikasi-laporan", "Laporan")
			})
			j.step("l08 arsip", func() {
				o.signIn(sop.RoleKepalaSeksi)
				b.click("a[href='/kantor/arsip']")
				b.wantPath("/kantor/arsip")
				b.fill("#a-q", "budi")
				eval[bool](b, `(() => { document.querySelector("#a-status").value = "ditolak"; return true; })()`)
				b.setValue("#a-dari", monthStart.Format("2006-01-02"))
				b.setValue("#a-sampai", monthStart.AddDate(0, 1, -1).Format("2006-01-02"))
				b.click("form[action='/kantor/arsip'] button[type=submit]")
				b.waitJS("the archive's answer", `location.search.includes("status=ditolak")`, actionTimeout)
				b.wantText("1 permohonan ditemukan", "Budi Santoso", "197211231998031005", "Ditolak")
				if eval[bool](b, fmt.Sprintf(`!!document.querySelector("a[href='/kantor/permohonan/%d']")`, id)) {
					b.fatalf("the archive lists the finished request in last month's refusals")
				}
				j.noKeys()
				j.shot("arsip")
				b.shotWide("arsip")
				b.click(fmt.Sprintf("a[href='/kantor/permohonan/%d']", refused))
				b.wantText("Ditolak", "Riwayat permohonan", "Jejak audit", "Pemohon bukan ASN", "kartu-pegawai.png")
				if eval[bool](b, `!!document.querySelector("button[name=aksi]")`) {
					b.fatalf("an archived request offers actions")
				}
				j.shot("arsip-permohonan")
				b.shotWide("arsip-permohonan")
			})
			checkConsole(t, b)
		})
	}
}
