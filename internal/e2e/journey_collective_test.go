package e2e

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/mailbox"
	"github.com/surel-id/surel/internal/mailbox/dovecottest"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff/stafftest"
	"github.com/surel-id/surel/internal/store"
)

// collectiveNIP is a valid NIP for the list's row i: born 1985-<month>-<day>, appointed
// 2010-01, sequence i.
func collectiveNIP(i int) string {
	return fmt.Sprintf("1985%02d%02d201001%d%03d", 1+i%12, 1+i%28, 1+i%2, i+1)
}

// collectiveList writes the OPD's list of 50 employees: the first three with a personal
// e-mail, the rest without; surel proposes each address (<word>.pegawai). bad puts five
// errors in it: a NIP of 10 digits, a NIP given twice, a reserved address, an address
// another row asks for, a formula.
func collectiveList(t *testing.T, bad bool) string {
	var b strings.Builder
	b.WriteString("NIP;Nama;Jabatan;Unit Kerja;Nomor HP;Email Pribadi;Alamat Usulan\n")
	for i := 0; i < 50; i++ {
		nip, name, email, mb := collectiveNIP(i), strings.ToUpper(word(i)[:1])+word(i)[1:]+" Pegawai", "", ""
		if i < 3 {
			email = fmt.Sprintf("pegawai%d@example.com", i)
		}
		if bad {
			switch i {
			case 10:
				nip = "1985010120"
			case 11:
				nip = collectiveNIP(12)
			case 20:
				mb = "postmaster"
			case 21, 22:
				mb = "kembar.pegawai"
			case 30:
				name = `=HYPERLINK("http://x","Klik")`
			}
		}
		fmt.Fprintf(&b, "%s;%s;Staf Pelaksana;Bidang Pelayanan;0812345678%02d;%s;%s\n", nip, name, i, email, mb)
	}
	p := filepath.Join(t.TempDir(), "daftar.csv")
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// word is a distinct name part for row i (names are letters only).
func word(i int) string {
	const letters = "abcdefghijklmnopqrstuvwxyz"
	return string([]byte{letters[i/26%26], letters[i%26], 'o'})
}

// TestJourneyCollective is issue 19's "Done when", clicked through in Chromium against
// Debian's Dovecot reading surel's tables: an OPD's 50-row list with errors is uploaded
// at the front desk, its report read, the list fixed and uploaded again, the rows sent;
// the Kasi approves every row at once, the mail admin creates all the mailboxes at once
// (capacity checked for the list) and sends the results; three employees claim theirs
// through the portal and Dovecot accepts the password each was shown; the others' sealed
// letters print, and so does the OPD's result letter.
func TestJourneyCollective(t *testing.T) {
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
			cfg := filepath.Join(t.TempDir(), "tenants.yaml")
			os.WriteFile(cfg, []byte(fmt.Sprintf(`tenants:
  - slug: palangkaraya
    name: Diskominfo Kota Palangka Raya
    mail_domain: mail.go.id
    sop: palangkaraya
    institutional_mailboxes: true
    mail_server:
      driver: sql
      imap_addr: %s
      webmail_url: https://webmail.palangkaraya.go.id
      limits:
        max_accounts: 100
        total_quota: 200G
        default_quota: 1G
`, dc.IMAP)), 0o600)
			srv := startServerEnv(t, d, map[string]string{"SUREL_CONFIG": cfg, "SUREL_DATABASE_URL": dbURL})
			b := newBrowser(t, srv.URL, screenshotDir(t, filepath.Join(string(d), "kolektif"), "[0-9][0-9]-*.png", "FAILED-*.png"))
			j := &journey{t: t, b: b, srv: srv}
			o := &office{j: j, slug: "palangkaraya", staff: map[sop.Role]stafftest.Member{}, codes: map[sop.Role]int{}}
			tn := srv.App.Tenants.Default()
			for _, r := range []sop.Role{sop.RoleFrontDesk, sop.RoleKepalaSeksi, sop.RoleAdminMail} {
				o.staff[r] = stafftest.New(t, srv.App.Staff, tn, strings.ReplaceAll(string(r), "_", "")+"@palangkaraya.go.id", r)
			}
			letterScan := writePNG(t, 60, 40)
			ctx := context.Background()
			var page string
			j.step("c01 unggah daftar berkesalahan", func() {
				o.signIn(sop.RoleFrontDesk)
				b.clickText("main", "Permohonan Kolektif")
				b.wantPath("/kantor/kolektif")
				b.wantText("Unggah daftar baru", "Templat Excel (.xlsx)")
				b.fill("#f-instansi", "Dinas Kesehatan Kota Palangka Raya")
				j.choose("#f-province", "62", "#f-regency")
				j.choose("#f-regency", "62.71", "")
				j.upload("#f-scan_permohonan", letterScan)
				j.upload("#f-daftar", collectiveList(t, true))
				j.shot("unggah")
				b.click("#request-form button[type=submit]:not([formmethod])")
				b.waitJS("the report", `!!document.getElementById("rows")`, 2*actionTimeout)
				page = b.path()
				b.wantText("45 valid belum dikirim · 5 perlu diperbaiki",
					"NIP harus tepat 18 digit", "sama dengan baris 13 daftar ini",
					"Alamat usulan adalah nama yang dicadangkan", "sudah diusulkan di baris 23 daftar ini", "berisi rumus")
				j.shot("laporan")
			})
			j.step("c02 perbaiki dan kirim", func() {
				j.upload("#f-daftar", collectiveList(t, false))
				b.click("#reupload-form button[type=submit]")
				b.waitJS("the fixed report", `document.getElementById("counts").textContent.includes("50 valid belum dikirim · 0 perlu diperbaiki")`, 2*actionTimeout)
				j.shot("diperbaiki")
				b.click("#kirim")
				b.waitJS("rows sent", `document.getElementById("counts").textContent.includes("50 dikirim")`, 4*actionTimeout)
				b.wantText("50 baris dikirim sebagai permohonan")
				j.shot("dikirim")
			})
			approveAll := func(role sop.Role, want string) {
				o.signIn(role)
				b.open(page)
				b.click("#setujui")
				b.waitJS("approved", fmt.Sprintf(`document.body.innerText.includes(%q)`, want), 4*actionTimeout)
				j.shot("setujui-" + string(role))
			}
			j.step("c03 kasi setujui semua", func() { approveAll(sop.RoleKepalaSeksi, "50 baris diproses; 0 tidak dapat diproses") })
			j.step("c04 admin buat semua akun", func() {
				approveAll(sop.RoleAdminMail, "50 baris diproses; 0 tidak dapat diproses")
				// The create jobs and the account tests run; then every row waits at
				// "kirim konfirmasi", the admin's step again.
				deadline := time.Now().Add(20 * mailTimeout)
				for {
					b.open(page)
					if strings.Count(b.text(), "Mengirimkan") >= 50 || strings.Count(b.text(), "konfirmasi") >= 50 {
						break
					}
					if time.Now().After(deadline) {
						b.fatalf("the mailboxes were not created and tested in time")
					}
					time.Sleep(10 * pollEvery)
				}
				approveAll(sop.RoleAdminMail, "50 baris diproses; 0 tidak dapat diproses")
				b.waitJS("all done", `document.getElementById("counts").textContent.includes("50 selesai")`, actionTimeout)
				// Every mailbox is on the server Dovecot reads.
				for i := 0; i < 50; i++ {
					addr := word(i) + ".pegawai@mail.go.id"
					var n int
					q := "SELECT COUNT(*) FROM mailboxes WHERE address = ?"
					if d == store.Postgres {
						q = "SELECT COUNT(*) FROM mailboxes WHERE address = $1"
					}
					if err := srv.App.Store.DB().QueryRow(q, addr).Scan(&n); err != nil || n != 1 {
						b.fatalf("mailbox %s: %d, %v", addr, n, err)
					}
				}
			})
			j.step("c05 undang tiga pegawai", func() {
				o.signIn(sop.RoleFrontDesk)
				b.open(page)
				b.click("#undang")
				b.wantText("3 undangan dikirim")
				j.shot("undangan")
			})
			linkRE := regexp.MustCompile(`/lupa-password/[A-Za-z0-9_-]+`)
			for i := 0; i < 3; i++ {
				addr := fmt.Sprintf("pegawai%d@example.com", i)
				j.step(fmt.Sprintf("c06 pegawai %d mengambil akun", i), func() {
					m := srv.Mail.Wait(t, addr, 1, mailTimeout)
					for _, mm := range srv.Mail.Messages() {
						if strings.Contains(strings.Join(mm.To, ","), addr) && strings.Contains(mm.Subject, "sudah dibuat") {
							m = mm
						}
					}
					link := linkRE.FindString(m.Text)
					if link == "" || strings.Contains(m.Text, "Sementara") {
						b.fatalf("invitation to %s without a claim link: %s", addr, m.Text)
					}
					o.signOut()
					b.open(link)
					b.fill("#f-password", "PunyaSaya2026")
					b.fill("#f-password2", "PunyaSaya2026")
					j.shot("ambil-akun")
					b.click("main form.card button[type=submit]")
					// The new password signs the employee in.
					b.wantPath("/akun")
					b.open("/permohonan")
					b.click("main a[href^='/permohonan/']:not([href='/permohonan/baru'])")
					b.clickText("main", "Tampilkan password")
					pw := eval[string](b, `document.querySelector("code.password").textContent`)
					address := eval[string](b, `(document.body.innerText.match(/[a-z]+\.pegawai@mail\.go\.id/) || [""])[0]`)
					j.shot("password")
					if err := mailbox.TestLogin(ctx, dc.IMAP, address, pw); err != nil {
						b.fatalf("Dovecot refuses %s's revealed password: %v", address, err)
					}
				})
			}
			j.step("c07 surat akun dan surat hasil", func() {
				o.signIn(sop.RoleFrontDesk)
				b.open(page)
				if n := eval[int](b, `document.querySelectorAll("button[form^='surat-']").length`); n != 47 {
					b.fatalf("%d sealed letters offered, want 47", n)
				}
				id := eval[string](b, `document.querySelector("form[id^='surat-']").id.slice(6)`)
				if got := fetchStart(b, "POST", "/kantor/permohonan/"+id+"/surat"); got != "200 %PDF" {
					b.fatalf("sealed letter: %s", got)
				}
				if got := fetchStart(b, "GET", page+"/surat-hasil"); got != "200 %PDF" {
					b.fatalf("result letter: %s", got)
				}
				j.shot("selesai")
			})
			checkConsole(t, b)
		})
	}
}

// fetchStart fetches a path of the site from the page, as its own form or link would (the
// session's cookie, the page's origin), and gives the status and the body's first four
// bytes: "200 %PDF".
func fetchStart(b *browser, method, path string) string {
	b.t.Helper()
	eval[bool](b, fmt.Sprintf(`(window.__got = "", fetch(%q, {method: %q, credentials: "same-origin"}).then(r => r.text().then(t => window.__got = r.status + " " + t.slice(0, 4))), true)`, path, method))
	b.waitJS("the fetch of "+path, `window.__got !== ""`, 2*actionTimeout)
	return eval[string](b, `window.__got`)
}
