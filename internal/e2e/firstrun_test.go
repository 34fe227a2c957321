package e2e

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/mailbox"
	"github.com/surel-id/surel/internal/mailbox/dovecottest"
	"github.com/surel-id/surel/internal/mailbox/sqlmail"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff/stafftest"
	"github.com/surel-id/surel/internal/store"
)

// TestFirstRun is issue 17's office's first hour after the first tenant admin: on a
// phone (360 px), the back office of an office still on the built-in settings points the
// admin to the first-run page; a mistyped form names the fields and keeps what was typed;
// "Tes koneksi" reads the sql driver's capacity and logs in to a mailbox through the
// real Dovecot that reads surel's tables (a wrong password comes back with Dovecot's
// answer); the saved settings rule the back office at once (name, domain, SOP, hours);
// the page reads in English too.
func TestFirstRun(t *testing.T) {
	chromium(t)
	if err := dovecottest.Installed(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %v", err)
		}
		t.Skip(err)
	}
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			dir, err := dovecottest.ScratchDir()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.RemoveAll(dir) })
			db := dovecottest.DB{Dialect: d}
			var dbURL string
			if d == store.SQLite {
				db.SQLitePath = filepath.Join(dir, "surel.db")
				dbURL = "sqlite:" + db.SQLitePath
			} else {
				dbURL = dbtest.URL(t, d)
				if db.Postgres, err = url.Parse(dbURL); err != nil {
					t.Fatal(err)
				}
			}
			dc := dovecottest.StartT(t, dir, db)
			srv := startServerEnv(t, d, map[string]string{"SUREL_DATABASE_URL": dbURL})
			// A mailbox the office already has on the domain: the connection test logs in
			// to it through Dovecot.
			ctx := context.Background()
			mails, err := sqlmail.New(srv.App.Store.DB(), srv.App.Store.Dialect(), sqlmail.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if err := mails.AddDomain(ctx, "palangkaraya.go.id"); err != nil {
				t.Fatal(err)
			}
			if err := mails.Create(ctx, mailbox.New{Address: "uji@palangkaraya.go.id", Name: "Akun Uji", Password: "UjiKoneksi2026", Owner: "test"}); err != nil {
				t.Fatal(err)
			}
			b := newBrowser(t, srv.URL, screenshotDir(t, filepath.Join(string(d), "pengaturan-awal"), "[0-9][0-9]-*.png", "FAILED-*.png"))
			j := &journey{t: t, b: b, srv: srv}
			o := &office{j: j, slug: "kominfo", staff: map[sop.Role]stafftest.Member{}, codes: map[sop.Role]int{}}
			o.staff[sop.RoleTenantAdmin] = stafftest.New(t, srv.App.Staff, srv.App.Tenants.Default(), "admin@kominfo.go.id", sop.RoleTenantAdmin)

			j.step("f01 kotak tugas menunjuk", func() {
				o.signIn(sop.RoleTenantAdmin)
				b.wantIn("#setup-prompt", "belum diatur")
				j.shot("kotak-tugas")
				b.clickText("#setup-prompt", "Buka Pengaturan Awal")
				b.wantPath("/kantor/pengaturan/awal")
				j.shot("formulir")
			})
			fillForm := func(domain string) {
				b.fill("#f-tenant_name", "Diskominfo Kota Palangka Raya")
				b.fill("#f-mail_domain", domain)
				b.do("sop", chromedp.SetValue(chromedp.CSS("#f-sop_preset"), "palangkaraya"))
				b.do("zone", chromedp.SetValue(chromedp.CSS("#f-time_zone"), "Asia/Jakarta"))
				b.fill("#f-hours_fri", "07:30-11:00")
				b.do("driver", chromedp.SetValue(chromedp.CSS("#f-mail_driver"), "sql"))
				b.fill("#f-mail_imap_addr", dc.IMAP)
			}
			j.step("f02 isian salah", func() {
				fillForm("Palangka Raya")
				b.fill("#f-hours_mon", "8 sampai 4")
				b.click("button[value=save]")
				b.wantText("Domain email harus berupa nama domain", "Senin: tulis jam kerja")
				if v := b.value("#f-hours_mon"); v != "8 sampai 4" {
					b.fatalf("typed hours lost: %q", v)
				}
				if v := b.value("#f-tenant_name"); v != "Diskominfo Kota Palangka Raya" {
					b.fatalf("typed name lost: %q", v)
				}
				if eval[string](b, `document.activeElement.id`) != "galat" {
					b.fatalf("focus is not on the error summary")
				}
				j.shot("isian-salah")
			})
			j.step("f03 tes koneksi", func() {
				fillForm("palangkaraya.go.id")
				b.fill("#f-hours_mon", "07:30-16:00")
				b.fill("#f-test_address", "uji@palangkaraya.go.id")
				b.fill("#f-test_password", "UjiKoneksi2026")
				b.click("button[value=test]")
				b.wantIn("#tes-koneksi", "Koneksi berhasil.")
				b.wantIn("#tes-koneksi", "Kapasitas terbaca: 1 akun")
				b.wantIn("#tes-koneksi", "Login IMAP ke "+dc.IMAP+" berhasil.")
				if v := b.value("#f-mail_imap_addr"); v != dc.IMAP {
					b.fatalf("typed IMAP address lost: %q", v)
				}
				if v := b.value("#f-test_password"); v != "" {
					b.fatalf("the test password is shown back")
				}
				j.shot("tes-berhasil")
				if srv.App.Tenants.Default().MailDomain != "mail.go.id" {
					b.fatalf("the test saved the settings")
				}
			})
			j.step("f04 tes password salah", func() {
				b.fill("#f-test_address", "uji@palangkaraya.go.id")
				b.fill("#f-test_password", "BukanPasswordnya1")
				b.click("button[value=test]")
				b.wantIn("#tes-koneksi", "Koneksi gagal.")
				b.wantIn("#tes-koneksi", "Login IMAP ke "+dc.IMAP+" gagal. Jawaban server:")
				b.wantIn("#tes-koneksi code", "Authentication failed")
				j.shot("tes-gagal")
			})
			j.step("f05 simpan", func() {
				b.click("button[value=save]")
				b.wantPath("/kantor/pengaturan/awal")
				b.wantText("Pengaturan awal tersimpan dan sudah berlaku.")
				tn := srv.App.Tenants.Default()
				if tn.Name != "Diskominfo Kota Palangka Raya" || tn.MailDomain != "palangkaraya.go.id" || tn.SOP != "palangkaraya" {
					b.fatalf("tenant after the save: %+v", tn)
				}
				_, cal, err := srv.App.Book.Workflow(ctx, tn.SOPRef())
				if err != nil || len(cal.Hours[5]) != 1 || cal.Hours[5][0].End != 11*60 {
					b.fatalf("Friday's hours after the save: %v %v", cal.Hours[5], err)
				}
				if v := b.value("#f-hours_fri"); v != "07:30-11:00" {
					b.fatalf("saved Friday shows %q", v)
				}
				j.shot("tersimpan")
				b.open("/kantor")
				if eval[bool](b, `!!document.querySelector("#setup-prompt")`) {
					b.fatalf("the inbox still points to the first-run page")
				}
				b.open("/kantor/alur")
				b.wantText("Palangka Raya")
			})
			j.step("f06 english", func() {
				b.open("/bahasa/en?next=/kantor/pengaturan/awal")
				b.wantText("The office's first-run settings", "Working hours", "Test the connection")
				j.shot("english")
				b.open("/bahasa/id?next=/kantor")
			})
			checkConsole(t, b)
		})
	}
}
