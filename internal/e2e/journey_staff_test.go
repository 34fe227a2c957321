package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff/stafftest"
)

// TestJourneyStaffFirstLogin is the first tenant admin's first day: made as `surel staff
// add` makes it, they sign in with the password, set up the second factor by the QR
// code's secret with a code computed here as the app would, keep the recovery codes,
// and add a kepala seksi at /kantor/staf, who gets the set-password e-mail.
func TestJourneyStaffFirstLogin(t *testing.T) {
	chromium(t)
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			srv := startServer(t, d)
			b := newBrowser(t, srv.URL, screenshotDir(t, string(d), "s[0-9][0-9]-*.png"))
			j := &journey{t: t, b: b, srv: srv}
			admin := stafftest.Unenrolled(t, srv.App.Staff, srv.App.Tenants.Default(), "admin@kominfo.go.id", sop.RoleTenantAdmin)

			j.step("s01 password", func() {
				b.open("/masuk?next=/kantor/staf")
				b.fill("#f-login", admin.Username)
				b.fill("#f-password", admin.Password)
				b.click(`form[action="/masuk"] button[type=submit]`)
				b.wantPath("/masuk/aktifkan-2fa")
				b.wantText("Aktifkan verifikasi dua langkah", "Pasang aplikasi autentikator")
				if !eval[bool](b, `(() => { const i = document.querySelector("img[src^='data:image/png']"); return !!i && i.complete && i.naturalWidth > 0 })()`) {
					b.fatalf("the QR code did not load")
				}
				j.shot("s01-aktifkan-2fa")
			})
			var codes []string
			j.step("s02 enrol with a code", func() {
				secret := strings.ReplaceAll(eval[string](b, `document.querySelector("#totp-secret").textContent`), " ", "")
				b.fill("#f-otp", "123456")
				b.click(`form[action="/masuk/aktifkan-2fa"] button[type=submit]`)
				b.wantFieldError("otp", "salah")
				code, err := totp.GenerateCode(secret, time.Now())
				if err != nil {
					b.fatalf("code: %v", err)
				}
				b.fill("#f-otp", code)
				b.click(`form[action="/masuk/aktifkan-2fa"] button[type=submit]`)
				b.wantText("Simpan kode pemulihan Anda", "hanya ditampilkan sekali")
				codes = eval[[]string](b, `[...document.querySelectorAll("#recovery-codes code")].map(c => c.textContent)`)
				if len(codes) != 10 {
					b.fatalf("%d recovery codes", len(codes))
				}
				j.shot("s02-kode-pemulihan")
				b.clickText("main", "Lanjutkan")
				b.wantPath("/kantor/staf")
				b.wantText("admin@kominfo.go.id", "Admin Tenant")
				j.shot("s03-petugas")
			})
			j.step("s03 add a kepala seksi", func() {
				b.clickText("main", "Tambah Petugas")
				b.wantPath("/kantor/staf/tambah")
				b.fill("#f-first_name", "Rina")
				b.fill("#f-last_name", "Wati")
				b.fill("#f-email", "rina@kominfo.go.id")
				eval[bool](b, `(document.querySelector("input[name=staff_roles][value=kepala_seksi]").click(), true)`)
				j.shot("s04-tambah-petugas")
				b.click(`form[action="/kantor/staf/tambah"] button[type=submit]`)
				b.wantPath("/kantor/staf")
				b.wantIn(".flash", "rina@kominfo.go.id")
				b.wantText("Rina Wati", "Kepala Seksi", "belum diaktifkan")
				m := srv.Mail.Wait(t, "rina@kominfo.go.id", 1, mailTimeout)
				if !strings.Contains(m.Subject, "petugas") || m.Link("/lupa-password/") == "" {
					b.fatalf("invitation %q without a set-password link", m.Subject)
				}
			})
			j.step("s04 sign in again with a recovery code", func() {
				b.clickText("header", "Keluar")
				b.open("/masuk")
				b.fill("#f-login", admin.Email)
				b.fill("#f-password", admin.Password)
				b.click(`form[action="/masuk"] button[type=submit]`)
				b.wantPath("/masuk/verifikasi")
				j.shot("s05-verifikasi")
				b.fill("#f-otp", codes[0])
				b.click(`form[action="/masuk/verifikasi"] button[type=submit]`)
				b.wantPath("/kantor")
			})
			checkConsole(t, b)
		})
	}
}
