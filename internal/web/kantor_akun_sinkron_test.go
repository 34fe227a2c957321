package web_test

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/audit"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/mailbox"
	"github.com/surel-id/surel/internal/roster"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff/stafftest"
)

// The tenant admin syncs the mail server from the registry's screen (a job, never two at
// once), the result and the proposals by name show, and staff settle each proposal;
// the other roles reach neither screen.
func TestKantorAkunSync(t *testing.T) {
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			h := staffHarness(t, d)
			ctx := context.Background()
			tn := h.a.Tenants.Default()
			ms, err := h.a.Workflow.Mailboxes(tn.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range []struct{ local, name string }{{"dewi.lestari", "Dewi Lestari"}, {"tamu", "Tamu Saja"}} {
				if err := ms.Server.Create(ctx, mailbox.New{Address: a.local + "@mail.go.id", Name: a.name, Password: "Rahasia2026x", Owner: "lama"}); err != nil {
					t.Fatal(err)
				}
			}
			src, _ := roster.NewReader(strings.NewReader("nip,nama,instansi,unit_kerja,status,aktif\n199001012015032001,Dewi Lestari,Bappeda,Bidang Ekonomi,PNS,1\n"))
			if _, err := h.a.Store.ImportRoster(ctx, tn.ID, src); err != nil {
				t.Fatal(err)
			}
			admin := stafftest.New(t, h.a.Staff, tn, "admin@kominfo.go.id", sop.RoleTenantAdmin)
			ac := h.client()
			h.signInStaff(ac, admin)
			r := h.do(ac, "GET", "/kantor/akun/sinkron", nil)
			contains(t, r.body, "Sinkronisasi Mail Server", "mail.go.id", "belum pernah disinkronkan", "Tidak ada sinkronisasi otomatis", "mail_server.sync_at")
			if r := h.do(ac, "POST", "/kantor/akun/sinkron", url.Values{}); r.status != 303 {
				t.Fatalf("sync: %d", r.status)
			}
			r = h.do(ac, "GET", "/kantor/akun/sinkron", nil)
			contains(t, r.body, "Sinkronisasi dimulai", `id="sync-running"`)
			h.do(ac, "POST", "/kantor/akun/sinkron", url.Values{})
			r = h.do(ac, "GET", "/kantor/akun/sinkron", nil)
			contains(t, r.body, "masih berjalan; tidak dimulai dua kali")
			h.runJobs()
			r = h.do(ac, "GET", "/kantor/akun/sinkron", nil)
			contains(t, r.body, `id="sync-runs"`, "1 akun menunggu tinjauan pemilik", "Selesai")
			if strings.Contains(r.body, `id="sync-running"`) {
				t.Fatal("still running after the job")
			}
			r = h.do(ac, "GET", "/kantor/akun/tinjau", nil)
			contains(t, r.body, "dewi.lestari@mail.go.id", "199001012015032001", "Bappeda", "75 dari 100")
			if strings.Contains(r.body, "tamu@mail.go.id") {
				t.Fatal("an account without a namesake proposed")
			}
			m, err := h.a.Workflow.Registry.At(ctx, tn.ID, "dewi.lestari@mail.go.id")
			if err != nil {
				t.Fatal(err)
			}
			id := strconv.FormatInt(m.ID, 10)

			// The mail admin reviews too; the front desk neither reviews nor syncs.
			mail := stafftest.New(t, h.a.Staff, tn, "mail@kominfo.go.id", sop.RoleAdminMail)
			mc := h.client()
			h.signInStaff(mc, mail)
			if r := h.do(mc, "POST", "/kantor/akun/sinkron", url.Values{}); r.status != 403 {
				t.Fatalf("mail admin syncs: %d", r.status)
			}
			desk := stafftest.New(t, h.a.Staff, tn, "loket@kominfo.go.id", sop.RoleFrontDesk)
			dc := h.client()
			h.signInStaff(dc, desk)
			for _, c := range []struct{ method, path string }{{"GET", "/kantor/akun/tinjau"}, {"POST", "/kantor/akun/" + id + "/tinjau"}, {"GET", "/kantor/akun/sinkron"}} {
				if r := h.do(dc, c.method, c.path, url.Values{"keputusan": {"konfirmasi"}}); r.status != 403 {
					t.Fatalf("front desk %s %s: %d", c.method, c.path, r.status)
				}
			}
			if r := h.do(mc, "POST", "/kantor/akun/"+id+"/tinjau", url.Values{"keputusan": {"entah"}}); r.status != 422 {
				t.Fatalf("bad decision: %d", r.status)
			}
			if r := h.do(mc, "POST", "/kantor/akun/"+id+"/tinjau", url.Values{"keputusan": {"konfirmasi"}}); r.status != 303 {
				t.Fatalf("confirm: %d", r.status)
			}
			r = h.do(mc, "GET", "/kantor/akun/tinjau", nil)
			contains(t, r.body, "Pemilik dewi.lestari@mail.go.id dikonfirmasi", "Tidak ada akun yang menunggu tinjauan")
			h.do(ac, "POST", "/kantor/akun/"+id+"/tinjau", url.Values{"keputusan": {"tolak"}})
			r = h.do(ac, "GET", "/kantor/akun/tinjau", nil)
			contains(t, r.body, "sudah diputuskan oleh petugas lain")
			r = h.do(ac, "GET", "/kantor/akun/"+id, nil)
			contains(t, r.body, "Dewi Lestari", "Bappeda", "dari nama, dikonfirmasi petugas", "mailbox.owner")
		})
	}
}

// A tenant whose mail server has sync_at gets its sync queued once a day from that hour
// of its time zone (the leader's periodic work asks ScheduledSync), never while one is
// queued or after one started since; the sync page names the hour and the last result.
func TestKantorAkunSyncDaily(t *testing.T) {
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			cfg := filepath.Join(t.TempDir(), "tenants.yaml")
			os.WriteFile(cfg, []byte(`tenants:
  - slug: kominfo
    name: Layanan Kominfo
    mail_domain: mail.go.id
    hosts: [127.0.0.1]
    mail_server: {sync_at: "02:00"}
  - slug: kaltim
    name: Diskominfo Kaltim
    mail_domain: kaltimprov.go.id
    hosts: [kaltim.test]
`), 0o600)
			h := start(t, d, map[string]string{"SUREL_CONFIG": cfg})
			ctx := context.Background()
			tn := h.a.Tenants.Default()
			kaltim, _ := h.a.Tenants.BySlug("kaltim")
			ms, err := h.a.Workflow.Mailboxes(tn.ID)
			if err != nil {
				t.Fatal(err)
			}
			if err := ms.Server.Create(ctx, mailbox.New{Address: "dewi.lestari@mail.go.id", Name: "Dewi Lestari", Password: "Rahasia2026x", Owner: "lama"}); err != nil {
				t.Fatal(err)
			}
			admin := stafftest.New(t, h.a.Staff, tn, "admin@kominfo.go.id", sop.RoleTenantAdmin)
			ac := h.client()
			h.signInStaff(ac, admin)
			r := h.do(ac, "GET", "/kantor/akun/sinkron", nil)
			contains(t, r.body, `id="sync-schedule"`, "setiap hari pukul 02:00 WIB")
			if strings.Contains(r.body, `id="sync-last"`) {
				t.Fatal("a last sync before any")
			}

			wib := time.FixedZone("WIB", 7*3600)
			day := func(d, h, m int) time.Time { return time.Date(2026, 12, d, h, m, 0, 0, wib) }
			queue := func(now time.Time, want bool) {
				t.Helper()
				ok, err := h.a.Workflow.ScheduledSync(ctx, tn.ID, now)
				if err != nil || ok != want {
					t.Fatalf("at %s: queued %v, want %v (%v)", now, ok, want, err)
				}
			}
			// No sync yet: the day's slot (or yesterday's) is due; a queued one is not doubled.
			queue(day(7, 1, 0), true)
			queue(day(7, 1, 5), false)
			if ok, _ := h.a.Workflow.ScheduledSync(ctx, kaltim.ID, day(7, 3, 0)); ok {
				t.Fatal("a tenant without sync_at synced")
			}
			h.runJobs()
			r = h.do(ac, "GET", "/kantor/akun/sinkron", nil)
			contains(t, r.body, `id="sync-last"`, "Sinkronisasi terakhir", "1 akun di server, 1 baru diambil")
			// It ran after the 6th's 02:00: nothing before the 7th's.
			queue(day(7, 1, 59), false)
			runs, _ := h.a.Workflow.Registry.Syncs(ctx, tn.ID, 5)
			if len(runs) != 1 {
				t.Fatalf("runs %+v", runs)
			}
			// The real clock ran the job; the next slot after it is tomorrow's 02:00.
			next := runs[0].StartedAt.In(wib)
			tomorrow := time.Date(next.Year(), next.Month(), next.Day()+1, 2, 0, 0, 0, wib)
			if next.Hour() < 2 {
				tomorrow = tomorrow.AddDate(0, 0, -1)
			}
			queue(tomorrow.Add(-time.Minute), false)
			queue(tomorrow, true)
			trail, err := h.a.Store.AuditTrail(ctx, audit.Object("tenant", tn.ID))
			n := 0
			for _, e := range trail {
				if e.Action == "registry.sync_scheduled" && e.Actor == audit.System.Ref {
					n++
				}
			}
			if err != nil || n != 2 {
				t.Fatalf("scheduled syncs audited %d times: %v", n, err)
			}

		})
	}
}
