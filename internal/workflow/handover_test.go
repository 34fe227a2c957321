package workflow_test

import (
	"context"
	"testing"

	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/mailbox"
	"github.com/surel-id/surel/internal/registry"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/store"
	"github.com/surel-id/surel/internal/workflow"
)

// An institutional mailbox's password goes to its responsible PNS alone; when that
// person is deactivated the mailbox is flagged for handover (still active on the
// server), a reset waits for the handover, and the Serah Terima service started by the
// front desk names the new responsible PNS, who alone receives the new password.
func TestInstitutionalHandover(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := setup(t, st, "kaltim")
		e.tenant.Institutional = true
		pj := newUser(t, st, e.tenant.ID, "budi")
		e.owned(t, pj, "budi.santoso@mail.go.id")
		const unit = "diskominfo@mail.go.id"
		if err := e.mail.Create(ctx, mailbox.New{Address: unit, Name: "Diskominfo", Password: "Lama-Sandi-123", Owner: "request:2"}); err != nil {
			t.Fatal(err)
		}
		m, err := e.eng.Registry.Created(ctx, registry.Mailbox{TenantID: e.tenant.ID, Address: unit, Kind: registry.Institutional, OwnerID: pj.ID,
			Name: pj.Profile.FullName, NIP: "196109231991031004", Instansi: "Pemkab Merangin", Unit: "Dinas Kominfo"}, audit.System)
		if err != nil {
			t.Fatal(err)
		}

		// Someone else asking a reset of the unit's mailbox: not found, nothing revealed.
		other := newUser(t, st, e.tenant.ID, "lain")
		if _, err := e.ask(t, other, sop.ServiceReset, "pemilik", map[string]string{"mailbox": "diskominfo"}); errs.CodeOf(err) != errs.NotFound {
			t.Fatalf("reset of the unit's mailbox by another: %v, want not found", err)
		}
		// The responsible person may; the password is revealed to them only.
		r, err := e.ask(t, pj, sop.ServiceReset, "pemilik", map[string]string{"mailbox": "diskominfo"})
		if err != nil {
			t.Fatal(err)
		}
		e.act(t, r.ID, workflow.Execute, "")
		e.runJobs(t)
		if _, err := e.eng.Reveal(ctx, other, r.ID, "127.0.0.1"); errs.CodeOf(err) != errs.NotFound {
			t.Fatalf("reveal of the unit's reset to another: %v, want not found", err)
		}
		if h, err := e.eng.Reveal(ctx, pj, r.ID, "127.0.0.1"); err != nil || h.Address != unit || h.Password == "" {
			t.Fatalf("reveal to the responsible person = %+v, %v", h, err)
		}

		// The responsible person's own mailbox is deactivated: the unit's is flagged.
		r, err = e.ask(t, pj, sop.ServiceDeactivate, "pensiun", map[string]string{"mailbox": "budi.santoso", "keterangan": "Pensiun"})
		if err != nil {
			t.Fatal(err)
		}
		e.act(t, r.ID, workflow.Forward, "sesuai SK")
		e.act(t, r.ID, workflow.Execute, "")
		e.runJobs(t)
		got, _ := st.Mailbox(ctx, m.ID)
		if got.Handover != registry.HandoverDeactivated || got.HandoverAt.IsZero() || got.Status != registry.Active {
			t.Fatalf("unit's mailbox after its responsible person's deactivation: %+v", got)
		}
		if info, err := e.mail.Get(ctx, unit); err != nil || info.Status != mailbox.StatusActive {
			t.Fatalf("the unit's mailbox on the server: %+v, %v (never locked silently)", info, err)
		}
		trail, _ := st.AuditTrail(ctx, registry.Object(m.ID))
		if len(trail) == 0 || trail[len(trail)-1].Action != "mailbox.handover_needed" {
			t.Fatalf("trail of the unit's mailbox: %+v", trail)
		}
		page, err := e.eng.Registry.List(ctx, e.members[sop.RoleAdminMail], registry.Query{Handover: true})
		if err != nil || len(page.Mailboxes) != 1 || page.Mailboxes[0].Address != unit || page.Handover != 1 {
			t.Fatalf("registry filtered by handover: %+v, %v", page, err)
		}
		// A reset waits for the handover.
		if _, err := e.ask(t, pj, sop.ServiceReset, "pemilik", map[string]string{"mailbox": "diskominfo"}); ruleOf(err, "mailbox") != "mailbox_handover" {
			t.Fatalf("reset of a mailbox waiting for handover: %v", err)
		}
		if request.Applies(sop.ServiceReset, got) || !request.Applies(sop.ServiceHandover, got) {
			t.Fatal("services offered on a flagged mailbox: reset yes or handover no")
		}

		// The front desk names the new responsible PNS: a NIP checked like a PNS request's.
		desk := e.members[sop.RoleFrontDesk]
		start := func(nip, name string) (request.Request, error) {
			return e.req.StaffStart(ctx, e.tenant, desk, "127.0.0.1", got, sop.ServiceHandover, "penanggung_jawab", map[string]string{"nip": nip, "nama_pj": name})
		}
		if _, err := start("196113231991031004", "Sari Dewi"); ruleOf(err, "nip") != "nip" {
			t.Fatalf("handover to a NIP with month 13: %v", err)
		}
		if _, err := start("198503122010012001", ""); ruleOf(err, "nama_pj") != "required" {
			t.Fatalf("handover without the new person's name: %v", err)
		}
		sari := newUser(t, st, e.tenant.ID, "sari")
		sari.Profile.NIP = "198503122010012001"
		if err := st.UpdateProfile(ctx, sari.ID, sari.Profile); err != nil {
			t.Fatal(err)
		}
		r, err = start("198503122010012001", "Sari Dewi")
		if err != nil {
			t.Fatal(err)
		}
		if r.UserID != sari.ID {
			t.Fatalf("the handover's applicant is %d, want the new responsible person's account %d", r.UserID, sari.ID)
		}
		if s := e.running(t, r.ID); s.Role != string(sop.RoleKepalaSeksi) {
			t.Fatalf("handover's first staff step: %+v", s)
		}
		e.act(t, r.ID, workflow.Forward, "NIP sesuai data kepegawaian")
		if s := e.running(t, r.ID); s.Kind != string(sop.KindHandover) || s.Role != string(sop.RoleAdminMail) {
			t.Fatalf("handover's action step: %+v", s)
		}
		e.act(t, r.ID, workflow.Execute, "")
		e.runJobs(t)
		got, _ = st.Mailbox(ctx, m.ID)
		if got.OwnerID != sari.ID || got.NIP != "198503122010012001" || got.Handover != "" || got.Status != registry.Active {
			t.Fatalf("unit's mailbox after the handover: %+v", got)
		}
		if !e.mustChange(t, unit) {
			t.Error("the handed-over password need not be changed at first login")
		}
		// The new password is the new person's: the previous one gets nothing.
		if _, err := e.eng.Reveal(ctx, pj, r.ID, "127.0.0.1"); errs.CodeOf(err) != errs.NotFound {
			t.Fatalf("reveal of the handover to the previous responsible person: %v, want not found", err)
		}
		if h, err := e.eng.Reveal(ctx, sari, r.ID, "127.0.0.1"); err != nil || h.Address != unit || h.Password == "" {
			t.Fatalf("reveal to the new responsible person = %+v, %v", h, err)
		}
		// From now on resets are the new person's to ask.
		if _, err := e.ask(t, pj, sop.ServiceReset, "pemilik", map[string]string{"mailbox": "diskominfo"}); errs.CodeOf(err) != errs.NotFound {
			t.Fatalf("reset by the previous responsible person: %v, want not found", err)
		}
		// At the front desk, a reset is asked for them: the request is theirs, and so is
		// the password.
		got, _ = st.Mailbox(ctx, m.ID)
		r, err = e.req.StaffStart(ctx, e.tenant, desk, "127.0.0.1", got, sop.ServiceReset, "pemilik", nil)
		if err != nil || r.UserID != sari.ID {
			t.Fatalf("front desk's reset of the unit's mailbox: applicant %d, %v; want %d", r.UserID, err, sari.ID)
		}
		e.act(t, r.ID, workflow.Execute, "")
		e.runJobs(t)
		if _, err := e.eng.Reveal(ctx, pj, r.ID, "127.0.0.1"); errs.CodeOf(err) != errs.NotFound {
			t.Fatalf("the desk's reset revealed to the previous responsible person: %v", err)
		}
		if h, err := e.eng.Reveal(ctx, sari, r.ID, "127.0.0.1"); err != nil || h.Password == "" {
			t.Fatalf("the desk's reset revealed to the responsible person = %+v, %v", h, err)
		}
		if _, err := e.ask(t, sari, sop.ServiceReset, "pemilik", map[string]string{"mailbox": "diskominfo"}); err != nil {
			t.Fatalf("reset by the new responsible person: %v", err)
		}
		// A person's mailbox has no handover.
		pm, _ := st.MailboxAt(ctx, e.tenant.ID, "budi.santoso@mail.go.id")
		if request.Applies(sop.ServiceHandover, pm) {
			t.Fatal("handover offered for a person's mailbox")
		}
	})
}

func ruleOf(err error, field string) string {
	e, ok := errs.As(err)
	if !ok {
		return ""
	}
	for _, f := range e.Fields {
		if f.Name == field {
			return f.Rule
		}
	}
	return ""
}
