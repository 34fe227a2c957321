package report_test

import (
	"context"
	"strings"
	"testing"

	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/mailbox"
	"github.com/surel-id/surel/internal/registry"
	"github.com/surel-id/surel/internal/report"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff/stafftest"
	"github.com/surel-id/surel/internal/workflow"
)

// The services on an existing mailbox are measured against their own flows: a
// deactivation's steps (the Kasi's check, the admin's action) have their own table,
// named after the service, with the flow's step names and standards; they are not
// counted into the creation's steps of the same key; and filtered to the service, the
// report's step table is that flow's.
func TestServiceStepsReported(t *testing.T) {
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			o := start(t, d)
			ctx := context.Background()
			desk := stafftest.New(t, o.a.Staff, o.tenant, "loket@kaltimprov.go.id", sop.RoleFrontDesk).Member
			ms, err := o.a.Workflow.Mailboxes(o.tenant.ID)
			if err != nil {
				t.Fatal(err)
			}
			const addr = "lama.pegawai@kaltimprov.go.id"
			if err := ms.Server.Create(ctx, mailbox.New{Address: addr, Password: "Sandi-Lama-123", Owner: "request:0"}); err != nil {
				t.Fatal(err)
			}
			m, err := o.a.Workflow.Registry.Created(ctx, registry.Mailbox{TenantID: o.tenant.ID, Address: addr, Name: "Pegawai Lama",
				NIP: "196109231991031004", Source: registry.Adopted}, audit.System)
			if err != nil {
				t.Fatal(err)
			}
			r, err := o.a.Requests.StaffStart(ctx, o.tenant, desk, "", m, sop.ServiceDeactivate, "pensiun", map[string]string{"keterangan": "SK pensiun"})
			if err != nil {
				t.Fatal(err)
			}
			o.clk.at(2026, 3, 2, 9, 30)
			o.act(t, r.ID, workflow.Forward, "")
			o.clk.at(2026, 3, 2, 10, 0)
			o.act(t, r.ID, workflow.Execute, "")

			f := report.Filter{From: sop.Date{Year: 2026, Month: 3, Day: 1}, To: sop.Date{Year: 2026, Month: 3, Day: 31}, Group: report.Day}
			rep := o.report(t, report.KindService, f)
			flow := table(t, rep, "langkah-nonaktif")
			if !strings.Contains(flow.Title, "Penonaktifan Akun Email") {
				t.Fatalf("flow table title %q", flow.Title)
			}
			rows := cells(flow)
			check := rows["Kasi Pengelolaan Aplikasi dan Domain memverifikasi alasan penonaktifan dengan data kepegawaian."]
			act := rows["Admin mail server menonaktifkan akun email (login dan penerimaan email ditolak, data disimpan)."]
			if check == nil || check[3] != "1" || check[4] != "1" || act == nil || act[3] != "1" || act[2] == "" {
				t.Fatalf("deactivation's steps: %v", rows)
			}
			// The creation's table counts no step of the deactivation.
			for name, row := range cells(table(t, rep, "langkah")) {
				if row[3] != "0" {
					t.Fatalf("creation step %q counts %s ended, all of them the deactivation's", name, row[3])
				}
			}
			f.Service = sop.ServiceDeactivate
			only := cells(table(t, o.report(t, report.KindService, f), "langkah"))
			if r := only["Kasi Pengelolaan Aplikasi dan Domain memverifikasi alasan penonaktifan dengan data kepegawaian."]; r == nil || r[3] != "1" {
				t.Fatalf("filtered to the deactivation: %v", only)
			}
		})
	}
}
