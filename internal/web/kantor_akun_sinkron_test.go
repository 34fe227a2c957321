package web_test

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"

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
			contains(t, r.body, "Sinkronisasi Mail Server", "mail.go.id", "belum pernah disinkronkan")
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
