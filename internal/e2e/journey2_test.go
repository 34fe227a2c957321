package e2e

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/dbtest"
)

// TestJourney2Request clicks through PRODUCT.md journeys 2 and 3 for both Jenis Layanan:
// Tambah Permohonan → the form with a document, the dependent region lists (and the
// village search) and the live address check → the summary → Kirim → the request page
// with its SOP progress and history → Daftar Permohonan.
func TestJourney2Request(t *testing.T) {
	chromium(t)
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			srv := startServer(t, d)
			b := newBrowser(t, srv.URL, screenshotDir(t, filepath.Join(string(d), "permohonan"), "[0-9][0-9]-*.png", "FAILED-*.png"))
			j := &journey{t: t, b: b, srv: srv}
			scan := writePNG(t, 60, 40)
			j.step("r01 akun siap", func() { j.readyApplicant("siti.rahma@example.com", "Siti", "Rahma") })
			j.step("r02 PNS Umum", func() { j.requestPNS(scan) })
			j.step("r03 Perangkat Desa", func() { j.requestDesa(scan) })
			checkConsole(t, b)
		})
	}
}

func writePNG(t *testing.T, w, h int) string {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, x%h, color.RGBA{20, 20, 160, 255})
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	p := filepath.Join(t.TempDir(), "kartu-pegawai.png")
	if err := os.WriteFile(p, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// readyApplicant makes an active account with a complete profile through the services
// (journey 1 is tested on its own) and signs in through the login form.
func (j *journey) readyApplicant(addr, first, last string) {
	ctx := context.Background()
	a := j.srv.App
	tn := a.Tenants.Default()
	if err := a.Accounts.Register(ctx, tn, account.RegisterInput{FirstName: first, LastName: last, Email: addr, Phone: "081234567890",
		Password: password, Password2: password}); err != nil {
		j.b.fatalf("register: %v", err)
	}
	link := j.srv.Mail.Wait(j.t, addr, 1, mailTimeout).Link("/aktivasi/")
	u, err := a.Accounts.Activate(ctx, tn, link[strings.LastIndex(link, "/")+1:])
	if err != nil {
		j.b.fatalf("activate: %v", err)
	}
	if err := a.Accounts.UpdateProfile(ctx, u, account.Profile{FullName: first + " " + last + ", S.Kom.", Jabatan: "Pranata Komputer",
		Instansi: "Dinas Komunikasi dan Informatika", SatuanKerja: "Pemerintah Kabupaten Merangin", Phone: "081234567890",
		Address: "Jl. Jenderal Sudirman No. 1, Bangko"}); err != nil {
		j.b.fatalf("profile: %v", err)
	}
	b := j.b
	b.open("/masuk")
	b.fill("#f-login", addr)
	b.fill("#f-password", password)
	b.click("form[action='/masuk'] button[type=submit]")
	b.wantPath("/akun")
}

// choose sets a select as a user picks an option, and waits for the lists under it.
func (j *journey) choose(sel, value, child string) {
	b := j.b
	if !eval[bool](b, fmt.Sprintf(`(() => { const s = document.querySelector(%q); if (!s) return false;
		s.value = %q; s.dispatchEvent(new Event("change", {bubbles: true})); return s.value === %q; })()`, sel, value, value)) {
		b.fatalf("cannot choose %s in %s", value, sel)
	}
	if child != "" {
		b.waitJS("options of "+child, fmt.Sprintf(`document.querySelector(%q).options.length > 1`, child), actionTimeout)
	}
}

// tap clicks something that changes the page in place (a radio, a script's button).
func (j *journey) tap(sel string) {
	j.b.do("tap "+sel, chromedp.Click(chromedp.CSS(sel)))
}

func (j *journey) upload(sel, file string) {
	j.b.do("upload into "+sel, chromedp.SetUploadFiles(chromedp.CSS(sel), []string{file}))
}

func (j *journey) requestPNS(scan string) {
	b := j.b
	b.open("/permohonan")
	b.wantText("Belum ada permohonan")
	b.clickText("main", "Tambah Permohonan")
	b.wantPath("/tambah-permohonan")
	b.wantText("Pendaftaran Akun Email")
	j.shot("tambah-permohonan")
	b.clickText("main", "Ajukan")
	b.wantText("Pegawai honorer tidak dapat mengajukan")
	j.shot("jenis-layanan")
	j.tap("input[value=pns]")
	b.click("#isi form button[type=submit]")
	b.wantText("Scan Kartu Pegawai atau SK Pengangkatan PNS", "siti.rahma")
	// Prefilled from Akun Saya.
	if v := b.value("#f-instansi"); v != "Dinas Komunikasi dan Informatika" {
		b.fatalf("instansi not prefilled: %q", v)
	}
	j.shot("formulir-kosong")

	// Wrong NIP, a reserved address: messages by the fields; the document is kept.
	b.fill("#f-nip", "196102301991031004")
	j.upload("#f-doc_kepegawaian", scan)
	j.choose("#f-province", "15", "#f-regency")
	j.choose("#f-regency", "15.02", "")
	b.fill("#f-mailbox", "postmaster")
	b.waitJS("live address check", `document.getElementById("addr-live").textContent.includes("dicadangkan")`, actionTimeout)
	b.click("button[value=next]")
	b.wantText("NIP tidak valid: 8 digit pertama", "Berkas tersimpan:", "kartu-pegawai.png")
	b.wantFieldError("mailbox", "dicadangkan")
	j.shot("formulir-salah")

	b.fill("#f-nip", "19610923 199103 1 004")
	j.tap("button.suggestion")
	b.waitJS("suggestion accepted", `document.getElementById("addr-live").textContent.includes("✓ siti.rahma@mail.go.id")`, actionTimeout)
	j.shot("formulir-benar")
	b.click("button[value=next]")
	if !strings.HasSuffix(b.path(), "/ringkasan") {
		b.fatalf("not on the summary: %s\n%s", b.path(), b.text())
	}
	b.wantText("siti.rahma@mail.go.id", "196109231991031004", "Kabupaten Merangin", "kartu-pegawai.png", "Siti Rahma, S.Kom.")
	j.shot("ringkasan")
	b.clickText("main", "Kirim")
	b.wantText("Menunggu Diproses", "Riwayat permohonan", "Nama Proses", "Batas Waktu", "In SLA", "Memverifikasi data pemohon")
	j.shot("permohonan-terkirim")
	b.wantIn(".badge", "1")
	b.open("/permohonan")
	b.wantText("siti.rahma@mail.go.id", "Menunggu Diproses")
	j.shot("daftar-permohonan")

	// A second request for the same person is refused before anything is sent.
	b.open("/tambah-permohonan/email")
	j.tap("input[value=pns]")
	b.click("#isi form button[type=submit]")
	b.fill("#f-nip", "196109231991031004")
	b.click("button[value=next]")
	b.wantFieldError("nip", "sudah memiliki permohonan lain")
	b.click("form[action$='/hapus'] button")
	b.wantText("Draf dihapus.")
}

func (j *journey) requestDesa(scan string) {
	b := j.b
	b.open("/tambah-permohonan/email")
	j.tap("input[value=desa]")
	b.click("#isi form button[type=submit]")
	b.wantText("Nomor SK Perangkat Desa", "Scan SK Kepala Desa (ditandatangani Bupati)")
	b.fill("#f-sk_number", "141/12/KPTS/2024")
	j.upload("#f-doc_sk_perangkat", scan)
	j.upload("#f-doc_sk_kades", scan)
	// The village search fills all four levels.
	b.fill("#cari-desa", "pasar bangko")
	b.waitJS("village results", `document.querySelectorAll("#hasil-desa button").length > 0`, actionTimeout)
	j.shot("cari-desa")
	b.do("pick village", chromedp.Click(chromedp.CSS("#hasil-desa button")))
	b.waitJS("village chosen", `document.querySelector("#f-village").value !== "" && document.querySelector("#f-district").value !== ""`, actionTimeout)
	if v := b.value("#f-regency"); v != "15.02" {
		b.fatalf("regency after the village search: %q", v)
	}
	b.fill("#f-mailbox", "siti.r.desa")
	b.click("button[value=next]")
	if !strings.HasSuffix(b.path(), "/ringkasan") {
		b.fatalf("not on the summary: %s\n%s", b.path(), b.text())
	}
	b.wantText("Pasar Bangko", "141/12/KPTS/2024", "siti.r.desa@mail.go.id")
	j.shot("ringkasan-desa")
}
