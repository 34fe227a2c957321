package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/registry"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff/stafftest"
	"github.com/surel-id/surel/internal/store"
)

// TestRegistryPages opens the mailbox registry (/kantor/akun) as the mail admin at
// phone and desktop width: the counts, a search, the next page and one mailbox's page.
func TestRegistryPages(t *testing.T) {
	chromium(t)
	srv := startServer(t, store.SQLite)
	b := newBrowser(t, srv.URL, screenshotDir(t, filepath.Join("sqlite", "registry"), "[0-9][0-9]-*.png", "FAILED-*.png"))
	j := &journey{t: t, b: b, srv: srv}
	a := srv.App
	tn := a.Tenants.Default()
	o := &office{j: j, slug: tn.Slug, staff: map[sop.Role]stafftest.Member{}, codes: map[sop.Role]int{}}
	o.staff[sop.RoleAdminMail] = stafftest.New(t, a.Staff, tn, "admin@kominfo.go.id", sop.RoleAdminMail)
	first := []string{"Budi", "Siti", "Ani", "Rahmat", "Dewi", "Agus", "Sri", "Joko"}
	last := []string{"Santoso", "Rahma", "Budiarti", "Hidayat", "Lestari", "Salim", "Wahyuni"}
	ctx := context.Background()
	err := a.Store.Tx(ctx, func(ctx context.Context) error {
		for i := range 56 {
			f, l := first[i%len(first)], last[i%len(last)]
			m := registry.Mailbox{TenantID: tn.ID, Address: fmt.Sprintf("%s.%s%d@mail.go.id", strings.ToLower(f), strings.ToLower(l), i),
				Name: f + " " + l + ", S.Kom.", NIP: fmt.Sprintf("1985031220100110%02d", i), Instansi: "Dinas Komunikasi dan Informatika",
				Unit: "Bidang Aplikasi Informatika", QuotaBytes: 2 << 30, UsedBytes: int64(i) << 25}
			if i%9 == 0 {
				m.Kind = registry.Institutional
			}
			if _, err := a.Workflow.Registry.Created(ctx, m, audit.System); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	j.step("a01 daftar akun", func() {
		o.signIn(sop.RoleAdminMail)
		b.clickText("main", "Database Akun Email")
		b.wantPath("/kantor/akun")
		b.wantText("Database Akun Email", "Semua (56)", "Aktif (56)", "Berikutnya")
		j.shot("daftar")
		b.shotWide("daftar")
	})
	j.step("a02 cari", func() {
		b.fill("#q", "hidayat")
		b.click("form[role=search] button[type=submit]")
		b.wantText("rahmat.hidayat3@mail.go.id")
		b.wantNoText("budi.santoso0@")
		j.shot("cari")
	})
	j.step("a03 halaman berikut", func() {
		b.open("/kantor/akun")
		b.clickText("main", "Berikutnya ›")
		b.wantText("Halaman pertama")
		j.shot("berikutnya")
	})
	j.step("a04 satu akun", func() {
		b.open("/kantor/akun?q=siti")
		b.clickText("main", "siti.rahma1@mail.go.id")
		b.wantText("siti.rahma1@mail.go.id", "Pemilik", "mailbox.registered", "Jejak audit")
		j.shot("akun")
		b.shotWide("akun")
	})
	checkConsole(t, b)
}
