package e2e

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/printout/printouttest"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff/stafftest"
)

// kaltimTenant writes the tenant file of Diskominfo Kaltim (seed 004) with its
// letterhead, signer and numbering, and a logo.
func kaltimTenant(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	logo := writePNG(t, 64, 80)
	cfg := filepath.Join(dir, "tenants.yaml")
	if err := os.WriteFile(cfg, []byte(`tenants:
  - slug: kaltim
    name: Diskominfo Prov. Kalimantan Timur
    mail_domain: mail.go.id
    sop: kaltim
    letters:
      government: PEMERINTAH PROVINSI KALIMANTAN TIMUR
      office: DINAS KOMUNIKASI DAN INFORMATIKA
      address: Jl. Basuki Rahmat No. 41, Samarinda 75117
      phone: (0541) 733333
      email: diskominfo@kaltimprov.go.id
      website: https://diskominfo.kaltimprov.go.id
      logo: `+logo+`
      place: Samarinda
      office_code: DISKOMINFO
      signer:
        jabatan: Kepala Dinas Komunikasi dan Informatika Provinsi Kalimantan Timur
        name: Dr. Muhammad Faisal, S.Kom., M.Si.
        pangkat: Pembina Utama Muda (IV/c)
        nip: "197211231998031005"
`), 0o600); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// fetchPDF downloads a document as the signed-in browser does (its cookies, its
// origin) and returns its bytes.
func (b *browser) fetchPDF(path string) []byte {
	b.t.Helper()
	js := fmt.Sprintf(`fetch(%q, {credentials: "same-origin"}).then(r => {
		if (!r.ok || r.headers.get("Content-Type") !== "application/pdf") throw new Error("status " + r.status + " " + r.headers.get("Content-Type"));
		return r.arrayBuffer();
	}).then(buf => { const u = new Uint8Array(buf); let s = ""; for (let i = 0; i < u.length; i++) s += String.fromCharCode(u[i]); return btoa(s); })`, path)
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		b.fatalf("fetch %s: %v", path, err)
	}
	pdf, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		b.fatalf("fetch %s: %v", path, err)
	}
	return pdf
}

// keepPages renders a PDF's pages to PNG next to the screenshots, for a person to
// look at, and returns the QR codes read from them.
func (j *journey) keepPages(name string, pdf []byte) []string {
	j.t.Helper()
	dir := filepath.Join(j.b.shots, name)
	os.RemoveAll(dir)
	os.MkdirAll(dir, 0o755)
	codes, err := printouttest.QRCodes(pdf, dir)
	if err != nil {
		j.b.fatalf("reading %s: %v", name, err)
	}
	return codes
}

// TestJourney6Documents is issue 16's "Done when", on the Kaltim preset, in Chromium, on
// both engines: the front desk prints a request's receipt; the QR code decoded from the
// rendered PDF opens the receipt's public verification page, on a phone and a desktop.
func TestJourney6Documents(t *testing.T) {
	chromium(t)
	printouttest.QRTools(t)
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			srv := startServerEnv(t, d, map[string]string{"SUREL_CONFIG": kaltimTenant(t)})
			b := newBrowser(t, srv.URL, screenshotDir(t, filepath.Join(string(d), "dokumen"), "[0-9][0-9]-*.png", "FAILED-*.png"))
			j := &journey{t: t, b: b, srv: srv}
			o := &office{j: j, slug: "kaltim", staff: map[sop.Role]stafftest.Member{}, codes: map[sop.Role]int{}}
			tn := srv.App.Tenants.Default()
			for _, r := range []sop.Role{sop.RoleFrontDesk, sop.RoleKepalaDinas, sop.RoleKepalaBidang, sop.RoleKepalaSeksi, sop.RoleAdminMail} {
				o.staff[r] = stafftest.New(t, srv.App.Staff, tn, strings.ReplaceAll(string(r), "_", "")+"@kaltim.go.id", r)
			}
			id := o.submitted(writePNG(t, 60, 40))
			var verifyURL string
			j.step("d01 tanda terima", func() {
				o.signIn(sop.RoleFrontDesk)
				b.open(fmt.Sprintf("/kantor/permohonan/%d", id))
				href := eval[string](b, `document.querySelector("a[href$='/tanda-terima']").getAttribute("href")`)
				pdf := b.fetchPDF(href)
				codes := j.keepPages("tanda-terima", pdf)
				if len(codes) != 1 || !strings.HasPrefix(codes[0], srv.URL+"/verifikasi/") {
					b.fatalf("QR codes on the receipt: %q", codes)
				}
				verifyURL = codes[0]
				text, _ := printouttest.Text(pdf)
				for _, want := range []string{"TANDA TERIMA PERMOHONAN", "Samarinda, ", "Yth. Siti Rahma", "NIP. 197211231998031005"} {
					if !strings.Contains(text, want) {
						b.fatalf("receipt lacks %q:\n%s", want, text)
					}
				}
			})
			j.step("d02 verifikasi", func() {
				o.signOut()
				b.open(verifyURL)
				b.wantText("Verifikasi dokumen", "Tanda Terima Permohonan", "Siti Rahma", "siti.rahma@mail.go.id", "WITA")
				b.wantNoText("Password")
				j.shot("verifikasi")
				b.shotWide("verifikasi")
				b.open("/verifikasi")
				j.shot("verifikasi-form")
			})
			checkConsole(t, b)
		})
	}
}
