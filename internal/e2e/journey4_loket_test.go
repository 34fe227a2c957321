package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff/stafftest"
)

// TestJourney4Loket is the front desk's walk-in request through a return (seeds 002 and
// 004): the desk enters it on the loket form, the Kasi returns it, the desk finds the
// correction in its inbox, enters it on the form filled with the request (one document
// replaced, the scan kept) and the request is back at the Kasi's step.
func TestJourney4Loket(t *testing.T) {
	chromium(t)
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			cfg := filepath.Join(t.TempDir(), "tenants.yaml")
			os.WriteFile(cfg, []byte("tenants:\n  - slug: kominfo\n    name: Diskominfo Kominfo\n    mail_domain: mail.go.id\n    sop: kominfo\n"), 0o600)
			srv := startServerEnv(t, d, map[string]string{"SUREL_CONFIG": cfg})
			b := newBrowser(t, srv.URL, screenshotDir(t, filepath.Join(string(d), "kantor-loket"), "[0-9][0-9]-*.png", "FAILED-*.png"))
			j := &journey{t: t, b: b, srv: srv}
			o := &office{j: j, slug: "kominfo", staff: map[sop.Role]stafftest.Member{}, codes: map[sop.Role]int{}}
			tn := srv.App.Tenants.Default()
			for _, r := range []sop.Role{sop.RoleFrontDesk, sop.RoleKepalaSeksi} {
				o.staff[r] = stafftest.New(t, srv.App.Staff, tn, strings.ReplaceAll(string(r), "_", "")+"@kominfo.go.id", r)
			}
			card := writePNG(t, 60, 40)
			var id int64
			j.step("l01 loket", func() { id = o.walkIn(card) })
			j.step("l02 kembalikan", func() { o.act(id, sop.RoleKepalaSeksi, "return", "Scan kartu pegawai buram, mohon minta yang jelas.") })
			j.step("l03 perbaikan di loket", func() { o.deskCorrects(id) })
			j.step("l04 kembali ke kasi", func() { o.act(id, sop.RoleKepalaSeksi, "forward", "Lengkap") })
			checkConsole(t, b)
		})
	}
}

// walkIn enters a request on the loket form for an applicant without e-mail.
func (o *office) walkIn(card string) int64 {
	j, b := o.j, o.j.b
	o.signIn(sop.RoleFrontDesk)
	b.open("/kantor/loket")
	b.wantText("Permohonan Langsung atau Surat", "Data pemohon")
	for sel, v := range map[string]string{"#f-first_name": "Budi", "#f-last_name": "Santoso", "#f-phone": "0812 3456 7890",
		"#f-nip": "196109231991031004", "#f-jabatan": "Pranata Komputer", "#f-instansi": "Dinas Komunikasi dan Informatika",
		"#f-satuan_kerja": "Pemerintah Kabupaten Merangin", "#f-address": "Jl. Merdeka 1, Bangko", "#f-mailbox": "budi.santoso"} {
		b.fill(sel, v)
	}
	j.upload("#f-scan_permohonan", writePNG(o.j.t, 80, 50))
	j.upload("#f-doc_kepegawaian", card)
	j.choose("#f-province", "15", "#f-regency")
	j.choose("#f-regency", "15.02", "")
	j.shot("loket-formulir")
	b.click("button[value=send]")
	b.wantText("Permohonan tercatat", "Budi Santoso", "081234567890", "Cetak tanda terima")
	j.shot("loket-tercatat")
	href := eval[string](b, `document.querySelector("a.btn.secondary[href^='/kantor/permohonan/']").getAttribute("href")`)
	id, err := strconv.ParseInt(strings.TrimPrefix(href, "/kantor/permohonan/"), 10, 64)
	if err != nil {
		b.fatalf("no request link on the confirmation: %q", href)
	}
	return id
}

// deskCorrects finds the returned request in the front desk's inbox and enters the
// correction: a sharper card, a corrected work unit.
func (o *office) deskCorrects(id int64) {
	j, b := o.j, o.j.b
	o.signIn(sop.RoleFrontDesk)
	sel := fmt.Sprintf("a[href='/kantor/permohonan/%d']", id)
	b.waitJS("correction in the desk's inbox", fmt.Sprintf(`!!document.querySelector(%q)`, sel), actionTimeout)
	b.wantText("Perbaikan data di loket")
	j.shot("kotak-tugas-loket")
	b.click(sel)
	b.wantText("Menunggu perbaikan di loket", "Scan kartu pegawai buram")
	b.wantNoText(".invalid")
	j.shot("menunggu-perbaikan-loket")
	b.clickText("main", "Catat perbaikan")
	b.wantPath(fmt.Sprintf("/kantor/permohonan/%d/perbaikan", id))
	b.wantText("Perbaikan permohonan", "Scan kartu pegawai buram", "Tersimpan: kartu-pegawai.png")
	if v := b.value("#f-nip"); v != "196109231991031004" {
		b.fatalf("the form is not filled with the request: nip %q", v)
	}
	// A required field emptied: the message by it, the rest kept.
	b.fill("#f-jabatan", "")
	b.fill("#f-satuan_kerja", "Sekretariat Daerah Kabupaten Merangin")
	b.click("button[value=send]")
	b.wantFieldError("jabatan", "wajib diisi")
	if v := b.value("#f-satuan_kerja"); v != "Sekretariat Daerah Kabupaten Merangin" {
		b.fatalf("typed value lost: %q", v)
	}
	j.shot("perbaikan-loket-salah")
	b.fill("#f-jabatan", "Pranata Komputer Ahli Pertama")
	j.upload("#f-doc_kepegawaian", writePNG(o.j.t, 90, 60))
	j.shot("perbaikan-loket")
	b.click("button[value=send]")
	b.wantPath(fmt.Sprintf("/kantor/permohonan/%d", id))
	b.wantText("tercatat dan permohonan diproses kembali", "Perbaikan data di loket", "Sekretariat Daerah Kabupaten Merangin")
	j.shot("perbaikan-loket-terkirim")
}
