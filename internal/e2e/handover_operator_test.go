package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/mailbox"
	"github.com/surel-id/surel/internal/mailbox/dovecottest"
	"github.com/surel-id/surel/internal/registry"
	"github.com/surel-id/surel/internal/sop"
)

// TestJourneyHandoverOperator is issue 19's handover of an institutional mailbox and its
// OPD operator, clicked through in Chromium at 360 px on both engines against Debian's
// Dovecot (Kaltim): a roster import without the responsible PNS flags the unit's mailbox
// "perlu serah terima" (filter, badge, note; it still works); the front desk names the new
// responsible PNS (a bad NIP refused next to its field), the Kasi checks, the admin hands
// over; the new responsible person takes the new password once and Dovecot accepts it,
// the old one is refused; the tenant admin marks them as the OPD's operator, and they
// upload their OPD's list from the portal and send it.
func TestJourneyHandoverOperator(t *testing.T) {
	chromium(t)
	if err := dovecottest.Installed(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %v", err)
		}
		t.Skip(err)
	}
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			o, dc := lifecycleOfficeWith(t, "serah-terima", "kaltim", d, "    institutional_mailboxes: true\n")
			j, b, a := o.j, o.j.b, o.j.srv.App
			ctx := context.Background()
			tn := a.Tenants.Default()
			const unit, old = "diskominfo@mail.go.id", "SandiUnit-2026!"
			siti := o.ownerWithMailbox("siti.rahma@mail.go.id", "SandiLama-2026!")
			ms, err := a.Workflow.Mailboxes(tn.ID)
			if err != nil {
				t.Fatal(err)
			}
			if err := ms.Server.Create(ctx, mailbox.New{Address: unit, Name: "Diskominfo", Password: old, Owner: "request:0"}); err != nil {
				t.Fatal(err)
			}
			mb, err := a.Workflow.Registry.Created(ctx, registry.Mailbox{TenantID: tn.ID, Address: unit, Kind: registry.Institutional,
				OwnerID: siti.OwnerID, Name: siti.Name, NIP: siti.NIP, Instansi: "Pemprov Kaltim", Unit: "Dinas Komunikasi dan Informatika"}, audit.System)
			if err != nil {
				t.Fatal(err)
			}
			// The new responsible PNS has a portal account.
			const sariEmail, sariNIP = "sari.dewi@example.com", "198503122010012001"
			if err := a.Accounts.Register(ctx, tn, account.RegisterInput{FirstName: "Sari", LastName: "Dewi", Email: sariEmail, Phone: "081234567891",
				Password: password, Password2: password}); err != nil {
				t.Fatal(err)
			}
			link := j.srv.Mail.Wait(t, sariEmail, 1, mailTimeout).Link("/aktivasi/")
			sari, err := a.Accounts.Activate(ctx, tn, link[strings.LastIndex(link, "/")+1:])
			if err != nil {
				t.Fatal(err)
			}
			sari.Profile = account.Profile{FullName: "Sari Dewi, S.Kom.", Jabatan: "Pranata Komputer", Instansi: "Dinas Kesehatan",
				SatuanKerja: "Sekretariat", Phone: "081234567891", Address: "Jl. Kesuma Bangsa", NIP: sariNIP}
			if err := a.Accounts.UpdateProfile(ctx, sari, sari.Profile); err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			file := func(name, body string) string {
				p := filepath.Join(dir, name)
				if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
					t.Fatal(err)
				}
				return p
			}
			const head = "nip;nama;instansi;unit;status;aktif\n"
			sariRow := sariNIP + ";Sari Dewi, S.Kom.;Dinas Kesehatan;Sekretariat;PNS;1\n" +
				"198001012005011001;Andi Pratama;Dinas Kesehatan;Sekretariat;PNS;1\n198001022005011002;Budi Hartono;Dinas Kesehatan;Sekretariat;PNS;1\n"
			january := file("pegawai-januari.csv", head+"196109231991031004;Siti Rahma, S.Kom.;Diskominfo;Bidang Aplikasi Informatika;PNS;1\n"+sariRow)
			february := file("pegawai-februari.csv", head+sariRow)
			signInAs := func(email string) {
				o.signOut()
				b.open("/masuk")
				b.fill("#f-login", email)
				b.fill("#f-password", password)
				b.click("form[action='/masuk'] button[type=submit]")
				b.waitJS("signed in", `!!document.querySelector("form[action='/keluar']")`, actionTimeout)
			}
			narrow := func(what string) {
				if w := eval[int](b, `document.documentElement.scrollWidth`); w > phoneWidth {
					b.fatalf("%s is %d px wide at %d px", what, w, phoneWidth)
				}
			}
			page := fmt.Sprintf("/kantor/akun/%d", mb.ID)
			j.step("s01 impor menandai serah terima", func() {
				o.signIn(sop.RoleTenantAdmin)
				for _, f := range []string{january, february} {
					b.open("/kantor/data-pegawai")
					j.upload("#f-berkas", f)
					b.click("#roster-upload button[type=submit]")
					b.wantText("Laporan impor data kepegawaian")
				}
				b.open("/kantor/akun")
				b.wantText("Perlu serah terima (1)")
				b.click("#filter-handover")
				b.wantText(unit, "Perlu serah terima")
				b.wantNoText("siti.rahma@mail.go.id")
				narrow("the registry filtered")
				j.shot("daftar-serah-terima")
				b.clickText("main", unit)
				b.wantText("perlu serah terima sejak", "penanggung jawab tidak ada lagi dalam data kepegawaian", "Serah Terima Email Instansi")
				if eval[bool](b, `!!document.getElementById("layanan-reset_password")`) {
					b.fatalf("a reset is offered while the mailbox waits for its handover")
				}
				narrow("the mailbox's page")
				j.shot("akun-perlu-serah-terima")
				if err := mailbox.TestLogin(ctx, dc.IMAP, unit, old); err != nil {
					b.fatalf("the flagged mailbox no longer works: %v", err)
				}
			})
			var id int64
			j.step("s02 loket menunjuk penanggung jawab baru", func() {
				o.signIn(sop.RoleFrontDesk)
				b.open(page)
				b.fill("#layanan-serah_terima input[name=nip]", "19850312201001200")
				b.fill("#layanan-serah_terima input[name=nama_pj]", "Sari Dewi")
				b.click("#layanan-serah_terima button[type=submit]")
				b.wantText("NIP penanggung jawab baru")
				if b.value("#layanan-serah_terima input[name=nama_pj]") != "Sari Dewi" {
					b.fatalf("the typed name was lost")
				}
				j.shot("nip-salah")
				b.fill("#layanan-serah_terima input[name=nip]", sariNIP)
				b.click("#layanan-serah_terima button[type=submit]")
				b.wantText("Langkah saat ini", unit)
				id = parseIDFromPath(b, "/kantor/permohonan/")
				j.shot("serah-terima-dibuat")
			})
			j.step("s03 kasi dan admin", func() { o.carryOut(id, "diserahkan kepada") })
			j.step("s04 penanggung jawab baru mengambil password", func() {
				signInAs(sariEmail)
				b.open(fmt.Sprintf("/permohonan/%d", id))
				b.wantText("Selesai", unit)
				b.clickText("main", "Tampilkan password")
				pw := eval[string](b, `document.querySelector("code.password").textContent`)
				narrow("the revealed password")
				j.shot("password-penanggung-jawab")
				if err := mailbox.TestLogin(ctx, dc.IMAP, unit, pw); err != nil && !errors.Is(err, mailbox.ErrPasswordChangePending) {
					b.fatalf("Dovecot refuses the handed-over password: %v", err)
				}
				if err := mailbox.TestLogin(ctx, dc.IMAP, unit, old); err == nil {
					b.fatalf("Dovecot still accepts the unit's old password")
				}
				// The previous responsible person sees nothing of it.
				o.applicant()
				b.open(fmt.Sprintf("/permohonan/%d", id))
				b.wantText("tidak ditemukan")
			})
			j.step("s05 registry dan operator", func() {
				o.signIn(sop.RoleTenantAdmin)
				b.open(page)
				b.wantText("Sari Dewi", sariNIP)
				b.wantNoText("perlu serah terima sejak")
				b.open("/kantor/operator-opd")
				b.fill("#f-email", sariEmail)
				b.fill("#f-instansi", "Dinas Kesehatan")
				b.click("#operator-form button[type=submit]")
				b.wantText(sariEmail, "Dinas Kesehatan")
				narrow("the operators' page")
				j.shot("operator-opd")
			})
			j.step("s06 operator mengunggah daftar", func() {
				signInAs(sariEmail)
				b.open("/permohonan")
				b.click("#operator-link a")
				b.wantPath("/kolektif")
				b.wantText("Sebagai operator Dinas Kesehatan")
				j.choose("#f-province", "64", "#f-regency")
				j.choose("#f-regency", "64.72", "")
				j.upload("#f-scan_permohonan", writePNG(t, 60, 40))
				j.upload("#f-daftar", file("daftar.csv", "NIP;Nama;Jabatan;Unit Kerja;Nomor HP;Email Pribadi;Alamat Usulan\n"+
					"198001012005011001;Andi Pratama;Staf;Sekretariat;081234567890;andi@example.com;\n"+
					"198001022005011002;Budi Hartono;Staf;Sekretariat;081234567891;;\n"+
					"198001032005011003;Cici Lestari;Staf;Sekretariat;081234567892;;\n"))
				narrow("the operator's upload form")
				j.shot("operator-unggah")
				b.click("#request-form button[type=submit]:not([formmethod])")
				b.waitJS("the report", `!!document.getElementById("rows")`, 2*actionTimeout)
				// A row the roster does not bear out is held back, and says why.
				b.wantText("Dinas Kesehatan", "2 valid belum dikirim · 1 perlu diperbaiki",
					"NIP tidak ada di data kepegawaian. Baris yang tidak cocok dengan data kepegawaian tidak dikirim")
				b.wantNoText("%!")
				narrow("the operator's report")
				b.click("#kirim")
				b.waitJS("rows sent", `document.getElementById("counts").textContent.includes("2 dikirim")`, 4*actionTimeout)
				j.shot("operator-terkirim")
			})
			checkConsole(t, b)
		})
	}
}
