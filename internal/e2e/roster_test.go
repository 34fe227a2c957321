package e2e

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/surel-id/surel/internal/mailbox"
	"github.com/surel-id/surel/internal/mailbox/dovecottest"
	"github.com/surel-id/surel/internal/registry"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/store"
)

// TestJourneyRosterDeactivation is the roster-driven deactivation in Chromium on the
// Kaltim SOP against Dovecot: the tenant admin uploads the roster, a refused file
// changes nothing, the next month's roster marks the owner inactive, the report lists
// her mailbox with the roster's reason and nothing is deactivated until the admin
// proposes it; the proposal is then a task of the Kasi, and once the Kasi and the admin
// have done their steps Dovecot refuses her login.
func TestJourneyRosterDeactivation(t *testing.T) {
	chromium(t)
	if err := dovecottest.Installed(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %v", err)
		}
		t.Skip(err)
	}
	o, dc := lifecycleOffice(t, "data-pegawai-kaltim", "kaltim", store.SQLite)
	j, b := o.j, o.j.b
	ctx := context.Background()
	const addr = "siti.rahma@mail.go.id"
	const pw = "SandiLama-2026!"
	mb := o.ownerWithMailbox(addr, pw)
	dir := t.TempDir()
	file := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const head = "nip;nama;instansi;unit;status;aktif\n"
	january := file("pegawai-januari.csv", head+"196109231991031004;Siti Rahma, S.Kom.;Diskominfo;Bidang Aplikasi Informatika;PNS;1\n"+
		"197001011995031001;Budi Santoso;Diskominfo;Sekretariat;PNS;1\n")
	broken := file("pegawai-rusak.csv", head+"1.96109E+17;Siti Rahma;Diskominfo;Aptika;PNS;1\n")
	february := file("pegawai-februari.csv", head+"196109231991031004;Siti Rahma, S.Kom.;Diskominfo;Bidang Aplikasi Informatika;PNS;0\n"+
		"197001011995031001;Budi Santoso;Diskominfo;Bidang Statistik;PNS;1\n"+
		"199512312020122004;Sri Wahyuni;Diskominfo;Sekretariat;PPPK;1\n")
	upload := func(path string) {
		b.open("/kantor/data-pegawai")
		j.upload("#f-berkas", path)
		b.click("#roster-upload button[type=submit]")
	}
	j.step("r01 impor pertama", func() {
		o.signIn(sop.RoleTenantAdmin)
		b.open("/kantor")
		b.clickText("main", "Data Kepegawaian")
		b.wantText("Data Kepegawaian", "Belum ada impor.")
		upload(january)
		b.wantText("Laporan impor data kepegawaian", "unggah: pegawai-januari.csv", "Impor pertama")
		j.shot("impor-pertama")
	})
	j.step("r02 berkas ditolak", func() {
		upload(broken)
		b.wantText("Berkas ditolak; data kepegawaian tidak berubah", "line 2")
		j.shot("berkas-ditolak")
	})
	j.step("r03 impor kedua", func() {
		upload(february)
		b.wantText("Akun yang diusulkan untuk dinonaktifkan", addr, "Pegawai tidak aktif lagi menurut data kepegawaian", "Pindah unit/instansi",
			"Usulkan penonaktifan")
		if got := eval[string](b, `document.getElementById("count-nonaktif").textContent`); got != "1" {
			b.fatalf("inactive count %q", got)
		}
		j.shot("laporan")
		b.shotWide("laporan")
		if m, _ := j.srv.App.Store.Mailbox(ctx, mb.ID); m.Status != registry.Active {
			b.fatalf("the import changed the mailbox: %s", m.Status)
		}
		if err := mailbox.TestLogin(ctx, dc.IMAP, addr, pw); err != nil {
			b.fatalf("the import touched the server: %v", err)
		}
	})
	var id int64
	j.step("r04 usulkan", func() {
		b.click("#propose")
		b.wantText("1 permohonan penonaktifan dibuat", "Penonaktifan diusulkan")
		j.shot("diusulkan")
		refs, err := j.srv.App.Store.RequestsOn(ctx, mb.TenantID, addr)
		if err != nil || len(refs) != 1 {
			b.fatalf("requests on the mailbox: %+v, %v", refs, err)
		}
		id = refs[0].ID
	})
	j.step("r05 penonaktifan", func() {
		o.carryOut(id, "dinonaktifkan")
		b.wantText("Diusulkan dari impor data kepegawaian")
		if err := mailbox.TestLogin(ctx, dc.IMAP, addr, pw); err == nil {
			b.fatalf("Dovecot accepts a login to the deactivated mailbox")
		}
	})
	checkConsole(t, b)
}
