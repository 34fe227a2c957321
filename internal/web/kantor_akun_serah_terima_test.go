package web_test

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/registry"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff/stafftest"
)

// An institutional mailbox waiting for a handover over HTTP: its count and filter on the
// registry page, its badge and note, no reset offered; the Serah Terima form refuses a
// bad NIP next to its field with what was typed, and a good one starts the request.
func TestKantorAkunSerahTerima(t *testing.T) {
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			h := staffHarness(t, d)
			ctx := context.Background()
			tn := h.a.Tenants.Default()
			reg := h.a.Workflow.Registry
			var unit registry.Mailbox
			err := h.a.Store.Tx(ctx, func(ctx context.Context) error {
				if _, err := reg.Created(ctx, registry.Mailbox{TenantID: tn.ID, Address: "budi.santoso@mail.go.id", Name: "Budi Santoso",
					NIP: "198503122010011001"}, audit.System); err != nil {
					return err
				}
				var err error
				if unit, err = reg.Created(ctx, registry.Mailbox{TenantID: tn.ID, Address: "diskominfo@mail.go.id", Kind: registry.Institutional,
					Name: "Budi Santoso", NIP: "198503122010011001", Instansi: "Pemkab", Unit: "Dinas Kominfo"}, audit.System); err != nil {
					return err
				}
				_, err = reg.ResponsibleGone(ctx, tn.ID, 0, "198503122010011001", registry.HandoverLeft, "impor #1", audit.System)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			desk := stafftest.New(t, h.a.Staff, tn, "loket@kominfo.go.id", sop.RoleFrontDesk)
			c := h.client()
			h.signInStaff(c, desk)
			r := h.do(c, "GET", "/kantor", nil)
			contains(t, r.body, `id="handover-task"`, "1 akun email instansi perlu serah terima", `href="/kantor/akun?serah_terima=1"`)
			r = h.do(c, "GET", "/kantor/akun", nil)
			contains(t, r.body, `id="filter-handover"`, "Perlu serah terima (1)", `class="badge warn handover"`)
			r = h.do(c, "GET", "/kantor/akun?serah_terima=1", nil)
			if !strings.Contains(r.body, "diskominfo@mail.go.id") || strings.Contains(r.body, "budi.santoso@mail.go.id") {
				t.Fatalf("handover filter: %s", r.body)
			}
			page := "/kantor/akun/" + strconv.FormatInt(unit.ID, 10)
			r = h.do(c, "GET", page, nil)
			contains(t, r.body, `id="handover-note"`, "tidak ada lagi dalam data kepegawaian", `id="layanan-serah_terima"`, "NIP penanggung jawab baru")
			if strings.Contains(r.body, `id="layanan-reset_password"`) {
				t.Fatal("a reset is offered for a mailbox waiting for its handover")
			}
			form := url.Values{"layanan": {"serah_terima"}, "jenis": {"penanggung_jawab"}, "nip": {"19850312201001100"}, "nama_pj": {"Sari Dewi"}}
			r = h.do(c, "POST", page+"/layanan", form)
			if r.status != 422 || !strings.Contains(r.body, `value="Sari Dewi"`) || !strings.Contains(r.body, "has-error") {
				t.Fatalf("bad NIP: %d %s", r.status, r.body)
			}
			form.Set("nip", "199001012015032002")
			r = h.do(c, "POST", page+"/layanan", form)
			if r.status != 303 || !strings.HasPrefix(r.loc, "/kantor/permohonan/") {
				t.Fatalf("handover started: %d %q", r.status, r.loc)
			}
		})
	}
}
