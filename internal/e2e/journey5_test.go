package e2e

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
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

// TestJourney5Mailbox is PRODUCT.md journeys 5 and 7 against Debian's Dovecot reading
// surel's own tables: the Palangka Raya SOP's create step makes the mailbox, its account
// test logs in over IMAP and delivers over LMTP, the applicant takes the password once in
// the portal and Dovecot accepts it, then changes it from the portal and Dovecot accepts
// only the new one.
func TestJourney5Mailbox(t *testing.T) {
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
    mail_server:
      driver: sql
      imap_addr: %s
      lmtp_addr: %s
      webmail_url: https://webmail.palangkaraya.go.id
      limits:
        max_accounts: 100
        total_quota: 200G
        default_quota: 1G
`, dc.IMAP, dc.LMTP)), 0o600)
			srv := startServerEnv(t, d, map[string]string{"SUREL_CONFIG": cfg, "SUREL_DATABASE_URL": dbURL})
			b := newBrowser(t, srv.URL, screenshotDir(t, filepath.Join(string(d), "mailbox"), "[0-9][0-9]-*.png", "FAILED-*.png"))
			j := &journey{t: t, b: b, srv: srv}
			o := &office{j: j, slug: "palangkaraya", staff: map[sop.Role]stafftest.Member{}, codes: map[sop.Role]int{}}
			tn := srv.App.Tenants.Default()
			for _, r := range []sop.Role{sop.RoleKepalaSeksi, sop.RoleAdminMail} {
				o.staff[r] = stafftest.New(t, srv.App.Staff, tn, strings.ReplaceAll(string(r), "_", "")+"@palangkaraya.go.id", r)
			}
			scan := writePNG(t, 60, 40)
			var id int64
			var first string
			ctx := context.Background()
			j.step("m01 permohonan", func() { id = o.submitted(scan) })
			j.step("m02 cek data", func() { o.act(id, sop.RoleKepalaSeksi, "forward", "Data valid") })
			j.step("m03 buat dan uji", func() {
				o.act(id, sop.RoleAdminMail, "provision", "")
				deadline := time.Now().Add(2 * mailTimeout)
				for !strings.Contains(b.text(), "Pengujian akun siti.rahma@mail.go.id berhasil") {
					if time.Now().After(deadline) {
						b.fatalf("account test not done in time")
					}
					time.Sleep(pollEvery)
					b.open(fmt.Sprintf("/kantor/permohonan/%d", id))
				}
				j.shot("diuji")
			})
			j.step("m04 kirim hasil", func() { o.act(id, sop.RoleAdminMail, "deliver", "") })
			j.step("m05 password sekali", func() {
				o.applicant()
				b.open(fmt.Sprintf("/permohonan/%d", id))
				b.clickText("main", "Tampilkan password")
				first = eval[string](b, `document.querySelector("code.password").textContent`)
				if !eval[bool](b, `!!document.querySelector("a[href='https://webmail.palangkaraya.go.id']")`) {
					b.fatalf("no webmail link with the password")
				}
				j.shot("password")
				if err := mailbox.TestLogin(ctx, dc.IMAP, "siti.rahma@mail.go.id", first); err != nil {
					b.fatalf("Dovecot refuses the revealed password: %v", err)
				}
			})
			j.step("m06 ganti password", func() {
				b.open(fmt.Sprintf("/permohonan/%d", id))
				b.clickText("main", "Ganti password email")
				b.fill("#f-mail_password", "PasswordBaru2026")
				b.fill("#f-mail_password2", "PasswordBaru2026")
				b.fill("#f-portal_password", password)
				j.shot("ganti-password")
				b.click("form[action$='/password-email'] button[type=submit]")
				b.wantPath(fmt.Sprintf("/permohonan/%d", id))
				if err := mailbox.TestLogin(ctx, dc.IMAP, "siti.rahma@mail.go.id", "PasswordBaru2026"); err != nil {
					b.fatalf("Dovecot refuses the new password: %v", err)
				}
				if err := mailbox.TestLogin(ctx, dc.IMAP, "siti.rahma@mail.go.id", first); err == nil {
					b.fatalf("Dovecot still accepts the first password")
				}
			})
			checkConsole(t, b)
		})
	}
}
