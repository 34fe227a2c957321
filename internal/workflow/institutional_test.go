package workflow_test

import (
	"context"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/registry"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/store"
	"github.com/surel-id/surel/internal/workflow"
)

// An "Email Instansi/Unit" request goes through the tenant's SOP like a personal one; the
// registry records its mailbox as institutional, the responsible PNS as its owner.
func TestInstitutionalMailboxRegistered(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := setup(t, st, "kominfo")
		e.tenant.Institutional = true
		u := newUser(t, st, e.tenant.ID, "pj")
		r, err := e.req.NewDraft(ctx, e.tenant, u, "instansi", "perangkat_daerah", nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"doc_kepegawaian", "doc_surat_kepala"} {
			st.AddFile(ctx, &request.File{RequestID: r.ID, Field: f, Name: f + "pj", OriginalName: "a.pdf", Kind: "pdf", Size: 10, SHA256: "x", CreatedAt: time.Now()})
		}
		vals := map[string]string{"nip": "196109231991031004", "instansi": "Pemkab Merangin", "nama_unit": "Dinas Komunikasi dan Informatika",
			"phone": "081234567890", "mailbox": "diskominfo"}
		if r, err = e.req.SaveDraft(ctx, u, r, vals); err != nil {
			t.Fatal(err)
		}
		if r, err = e.req.Submit(ctx, e.tenant, u, r.ID); err != nil {
			t.Fatal(err)
		}
		for e.running(t, r.ID).Kind != string(sop.KindProvision) {
			e.act(t, r.ID, workflow.Forward, "ok")
		}
		stp := e.running(t, r.ID)
		if _, err := e.eng.Act(ctx, e.members[sop.Role(stp.Role)], r.ID, workflow.Input{StepID: stp.ID, Action: workflow.Provision, Mailbox: "diskominfo"}); err != nil {
			t.Fatalf("create step: %v", err)
		}
		e.runJobs(t)
		m, err := st.MailboxAt(ctx, e.tenant.ID, "diskominfo@mail.go.id")
		if err != nil || m.Kind != registry.Institutional || m.OwnerID != u.ID || m.NIP != "196109231991031004" ||
			m.Unit != "Dinas Komunikasi dan Informatika" || m.Name != u.Profile.FullName {
			t.Fatalf("registry row = %+v, %v", m, err)
		}
	})
}
