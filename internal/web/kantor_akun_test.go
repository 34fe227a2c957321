package web_test

import (
	"context"
	"encoding/csv"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/registry"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff/stafftest"
)

// The registry over HTTP: staff see their tenant's mailboxes with counts, search and
// filters, a page per mailbox with its trail, and the CSV export of a selection;
// another tenant's mailbox does not exist for them, and applicants never see any.
func TestKantorAkun(t *testing.T) {
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			h := staffHarness(t, d)
			ctx := context.Background()
			tn := h.a.Tenants.Default()
			other, err := h.a.Store.EnsureTenant(ctx, "lain", "Kantor Lain", time.Now())
			if err != nil {
				t.Fatal(err)
			}
			reg := h.a.Workflow.Registry
			var ids []int64
			err = h.a.Store.Tx(ctx, func(ctx context.Context) error {
				for i, p := range []struct{ addr, name, nip string }{
					{"budi.santoso@mail.go.id", "Budi Santoso", "198503122010011001"},
					{"siti.rahma@mail.go.id", "=HYPERLINK(\"x\")", "199001012015012003"},
					{"ani.budiarti@mail.go.id", "Ani Budiarti", ""},
				} {
					m, err := reg.Created(ctx, registry.Mailbox{TenantID: tn.ID, Address: p.addr, Name: p.name, NIP: p.nip,
						Instansi: "Dinas Kominfo", Unit: "Aptika " + strconv.Itoa(i), QuotaBytes: 1 << 30}, audit.System)
					if err != nil {
						return err
					}
					ids = append(ids, m.ID)
				}
				m, err := reg.Created(ctx, registry.Mailbox{TenantID: other, Address: "rahasia@lain.go.id", Name: "Orang Lain"}, audit.System)
				ids = append(ids, m.ID)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			q := int64(5 << 30)
			h.a.Store.Tx(ctx, func(ctx context.Context) error {
				_, err := reg.Apply(ctx, tn.ID, "ani.budiarti@mail.go.id", registry.Change{Status: registry.Inactive, Quota: &q,
					Retention: 90 * 24 * time.Hour, Action: "mailbox.deactivate", Detail: "uji"}, audit.System)
				return err
			})

			admin := stafftest.New(t, h.a.Staff, tn, "admin@kominfo.go.id", sop.RoleAdminMail)
			ac := h.client()
			h.signInStaff(ac, admin)
			r := h.do(ac, "GET", "/kantor/akun", nil)
			if r.status != 200 {
				t.Fatalf("registry page: %d", r.status)
			}
			contains(t, r.body, "Database Akun Email", "Semua (3)", "Aktif (2)", "Nonaktif (1)", "budi.santoso@mail.go.id",
				"ani.budiarti@mail.go.id", "198503122010011001", "Aptika 0", `href="/kantor/akun/`+strconv.FormatInt(ids[0], 10)+`"`)
			if strings.Contains(r.body, "rahasia@lain.go.id") {
				t.Fatal("another tenant's mailbox listed")
			}
			r = h.do(ac, "GET", "/kantor/akun?q=santoso", nil)
			if !strings.Contains(r.body, "budi.santoso@mail.go.id") || strings.Contains(r.body, "siti.rahma@") {
				t.Fatalf("search: %s", r.body)
			}
			r = h.do(ac, "GET", "/kantor/akun?status=nonaktif", nil)
			if !strings.Contains(r.body, "ani.budiarti@") || strings.Contains(r.body, "budi.santoso@") {
				t.Fatal("status filter")
			}
			if r := h.do(ac, "GET", "/kantor/akun?q=%00%27&status=x&dari=%00", nil); r.status != 200 {
				t.Fatalf("bad query: %d", r.status)
			}
			r = h.do(ac, "GET", "/kantor/akun/"+strconv.FormatInt(ids[2], 10), nil)
			contains(t, r.body, "ani.budiarti@mail.go.id", "Nonaktif", "mailbox.registered", "mailbox.deactivate", "5.0 GB", "Dapat dihapus permanen setelah")
			if r := h.do(ac, "GET", "/kantor/akun/"+strconv.FormatInt(ids[3], 10), nil); r.status != 404 {
				t.Fatalf("another tenant's mailbox: %d", r.status)
			}
			r = h.do(ac, "GET", "/kantor/akun.csv?status=aktif", nil)
			rows, err := csv.NewReader(strings.NewReader(r.body)).ReadAll()
			if err != nil || len(rows) != 3 || rows[0][0] != "alamat" || rows[1][0] != "budi.santoso@mail.go.id" || rows[2][5] != `'=HYPERLINK("x")` {
				t.Fatalf("csv: %v %v", rows, err)
			}
			// Applicants: the back office is closed to them.
			h.signup("warga@example.com")
			if r := h.get("/kantor/akun"); r.status != 403 {
				t.Fatalf("applicant at the registry: %d", r.status)
			}
			if r := h.get("/kantor/akun.csv"); r.status != 403 {
				t.Fatalf("applicant at the export: %d", r.status)
			}
		})
	}
}
