package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/mailbox"
	"github.com/surel-id/surel/internal/roster"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff/stafftest"
	"github.com/surel-id/surel/internal/store"
)

// TestAdoptAndClaim clicks through adopting the mailboxes a tenant ran before surel and
// claiming one: the tenant admin syncs the mail server from the registry, reviews the
// owners proposed by name (confirms one, rejects another), the employee whose mailbox
// it is claims it from the portal ("Klaim Akun Email"), staff confirm along the SOP,
// the registry records the owner, and the owner changes the mailbox's password from
// the portal.
func TestAdoptAndClaim(t *testing.T) {
	chromium(t)
	srv := startServer(t, store.SQLite)
	b := newBrowser(t, srv.URL, screenshotDir(t, filepath.Join("sqlite", "adopt"), "[0-9][0-9]-*.png", "FAILED-*.png"))
	j := &journey{t: t, b: b, srv: srv}
	a := srv.App
	tn := a.Tenants.Default()
	ctx := context.Background()
	o := &office{j: j, slug: tn.Slug, staff: map[sop.Role]stafftest.Member{}, codes: map[sop.Role]int{}}
	for _, r := range []sop.Role{sop.RoleTenantAdmin, sop.RoleKepalaSeksi, sop.RoleKepalaBidang, sop.RoleAdminMail} {
		o.staff[r] = stafftest.New(t, a.Staff, tn, strings.ReplaceAll(string(r), "_", "")+"@kominfo.go.id", r)
	}
	// The server before surel: two mailboxes made by hand; the roster knows both people.
	ms, err := a.Workflow.Mailboxes(tn.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []struct{ addr, name string }{{"siti.lama@mail.go.id", "Siti Rahma"}, {"dewi.lestari@mail.go.id", "Dewi Lestari"}} {
		if err := ms.Server.Create(ctx, mailbox.New{Address: m.addr, Name: m.name, Password: "Lama-Sekali-2019", Owner: "sebelum-surel"}); err != nil {
			t.Fatal(err)
		}
	}
	src, _ := roster.NewReader(strings.NewReader("nip,nama,instansi,unit_kerja,status,aktif\n" +
		"196109231991031004,Siti Rahma S.Kom,Dinas Komunikasi dan Informatika,Bidang Aptika,PNS,1\n" +
		"199001012015032001,Dewi Lestari,Bappeda,Bidang Ekonomi,PNS,1\n"))
	if _, err := a.Store.ImportRoster(ctx, tn.ID, src); err != nil {
		t.Fatal(err)
	}
	wait := func(what, text string, path string) {
		deadline := time.Now().Add(2 * mailTimeout)
		for !strings.Contains(b.text(), text) {
			if time.Now().After(deadline) {
				b.fatalf("%s: not in time", what)
			}
			time.Sleep(pollEvery)
			b.open(path)
		}
	}
	var id int64
	j.step("k01 sinkronisasi", func() {
		o.signIn(sop.RoleTenantAdmin)
		b.open("/kantor/akun")
		b.wantText("Database Akun Email", "Belum ada akun email yang tercatat")
		b.clickText("main", "Sinkronisasi mail server")
		b.wantPath("/kantor/akun/sinkron")
		b.wantText("belum pernah disinkronkan")
		j.shot("sinkron-awal")
		b.click("form[action='/kantor/akun/sinkron'] button[type=submit]")
		b.wantText("Sinkronisasi dimulai")
		// The proposals commit before the sync's own record: wait for the record.
		wait("sync", "Selesai", "/kantor/akun/sinkron")
		b.wantText("2 akun menunggu tinjauan pemilik")
		j.shot("sinkron-selesai")
		b.shotWide("sinkron-selesai")
		b.open("/kantor/akun")
		b.wantText("siti.lama@mail.go.id", "dewi.lestari@mail.go.id", "Diambil dari mail server", "Pemilik belum diketahui")
		j.shot("akun-diambil")
	})
	j.step("k02 tinjauan", func() {
		b.open("/kantor/akun/sinkron")
		b.clickText("main", "2 akun menunggu tinjauan pemilik")
		b.wantPath("/kantor/akun/tinjau")
		b.wantText("Tinjauan Pemilik Akun", "199001012015032001", "Bappeda", "75 dari 100")
		j.shot("tinjauan")
		b.shotWide("tinjauan")
		b.click("button[aria-label='Konfirmasi dewi.lestari@mail.go.id']")
		b.wantText("Pemilik dewi.lestari@mail.go.id dikonfirmasi")
		b.click("button[aria-label='Tolak siti.lama@mail.go.id']")
		b.wantText("Usulan pemilik siti.lama@mail.go.id ditolak", "Tidak ada akun yang menunggu tinjauan")
		j.shot("tinjauan-selesai")
		b.open("/kantor/akun?q=dewi")
		b.clickText("main", "dewi.lestari@mail.go.id")
		b.wantText("Dewi Lestari", "Bappeda", "dari nama, dikonfirmasi petugas", "mailbox.owner")
		j.shot("akun-dikonfirmasi")
	})
	j.step("k03 klaim", func() {
		o.signOut()
		j.readyApplicant("siti."+tn.Slug+"@example.com", "Siti", "Rahma")
		b.open("/tambah-permohonan")
		b.wantText("Klaim Akun Email")
		j.shot("katalog")
		b.open("/tambah-permohonan/klaim")
		b.wantText("Alamat harus sudah ada di mail server")
		j.tap("input[value=pns]")
		b.click("#isi form button[type=submit]")
		b.wantText("Alamat email yang sudah Anda miliki")
		b.fill("#f-nip", "196109231991031004")
		b.fill("#f-satuan_kerja", "Bidang Aptika")
		b.fill("#f-phone", "081234567890")
		b.fill("#f-mailbox", "tidak.ada")
		b.waitJS("live check of an unknown address", `document.getElementById("addr-live").textContent.includes("tidak ada di mail server")`, actionTimeout)
		j.shot("klaim-alamat-salah")
		b.fill("#f-mailbox", "dewi.lestari")
		b.waitJS("live check of another's address", `document.getElementById("addr-live").textContent.includes("atas NIP lain")`, actionTimeout)
		j.shot("klaim-alamat-orang-lain")
		b.fill("#f-mailbox", "Siti.Lama")
		// The live check says the address is there and claimable, not a bare tick.
		b.waitJS("live check of the claimed address", `document.getElementById("addr-live").textContent.includes("siti.lama@mail.go.id ada di mail server")`, actionTimeout)
		b.wantIn("#addr-live", "dapat diklaim")
		j.shot("klaim-formulir")
		b.click("button[value=next]")
		if !strings.HasSuffix(b.path(), "/ringkasan") {
			b.fatalf("not on the summary: %s\n%s", b.path(), b.text())
		}
		b.wantText("siti.lama@mail.go.id", "196109231991031004")
		b.clickText("main", "Kirim")
		b.wantText("Menunggu Diproses")
		j.shot("klaim-terkirim")
		fmt.Sscanf(b.path(), "/permohonan/%d", &id)
		if id == 0 {
			b.fatalf("no request id in %s", b.path())
		}
	})
	staffAct := func(role sop.Role, action, note string) {
		o.signIn(role)
		b.open(fmt.Sprintf("/kantor/permohonan/%d", id))
		b.wantText("Langkah saat ini", "siti.lama@mail.go.id", "Klaim Akun Email")
		// The claim's own flow: its steps speak of a claim, never of making an account.
		b.wantNoText("Membuat akun", "membuat akun")
		if note != "" {
			b.fill("#f-note", note)
		}
		j.shot("klaim-" + string(role))
		b.click(fmt.Sprintf("button[name=aksi][value=%s]", action))
	}
	j.step("k04 petugas", func() {
		o.signIn(sop.RoleKepalaSeksi)
		b.open(fmt.Sprintf("/kantor/permohonan/%d", id))
		b.wantIn("#langkah-ini", "Memverifikasi kepemilikan akun")
		staffAct(sop.RoleKepalaSeksi, "forward", "NIP dan nama cocok dengan data kepegawaian; alamat ada di mail server")
		b.wantPath("/kantor")
		o.signIn(sop.RoleAdminMail)
		b.open(fmt.Sprintf("/kantor/permohonan/%d", id))
		b.wantIn("#langkah-ini", "Mencatat akun sebagai milik pemohon")
		b.wantIn("button[name=aksi][value=execute]", "Konfirmasi klaim")
		staffAct(sop.RoleAdminMail, "execute", "")
		wait("claim recorded", "dicatat sebagai milik pemohon", fmt.Sprintf("/kantor/permohonan/%d", id))
		b.wantIn(".history", "Memverifikasi kepemilikan akun")
		b.wantIn(".history", "Selesai")
		j.shot("klaim-dicatat")
		b.open("/kantor/akun?q=siti")
		b.clickText("main", "siti.lama@mail.go.id")
		b.wantText("Siti Rahma S.Kom", "196109231991031004", "siti.kominfo@example.com", "diklaim pemilik, dikonfirmasi petugas")
		j.shot("akun-diklaim")
	})
	j.step("k05 ganti password", func() {
		o.applicant()
		b.open(fmt.Sprintf("/permohonan/%d", id))
		b.wantText("Selesai", "siti.lama@mail.go.id")
		b.wantNoText("Tampilkan password")
		b.clickText("main", "Ganti password email")
		b.fill("#f-mail_password", "PasswordBaru2026")
		b.fill("#f-mail_password2", "PasswordBaru2026")
		b.fill("#f-portal_password", password)
		j.shot("ganti-password")
		b.click("form[action$='/password-email'] button[type=submit]")
		b.wantPath(fmt.Sprintf("/permohonan/%d", id))
		j.shot("password-diganti")
		trail, err := a.Store.AuditTrail(ctx, fmt.Sprintf("request:%d", id))
		if err != nil || !strings.Contains(fmt.Sprint(trail), "mailbox.password") {
			b.fatalf("no password change in the trail: %v %v", trail, err)
		}
	})
	checkConsole(t, b)
}
