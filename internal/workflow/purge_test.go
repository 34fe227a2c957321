package workflow_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/mailbox"
	"github.com/surel-id/surel/internal/registry"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/store"
	"github.com/surel-id/surel/internal/workflow"
)

// deactivate takes mailbox m through the Kaltim deactivation flow.
func (e *env) deactivate(t *testing.T, m registry.Mailbox) {
	t.Helper()
	r, err := e.req.StaffStart(context.Background(), e.tenant, e.members[sop.RoleFrontDesk], "", m, sop.ServiceDeactivate, "pensiun", nil)
	if err != nil {
		t.Fatal(err)
	}
	e.act(t, r.ID, workflow.Forward, "")
	e.act(t, r.ID, workflow.Execute, "")
	e.runJobs(t)
}

// A deactivated mailbox is purged only after the tenant's retention period and only
// through its own confirmation: when the period ends the leader's run proposes a purge
// request (once: a second run or a second process proposes nothing more), a task of the
// admin's purge step; "execute" there deletes the mailbox on the server (the sql driver's
// row, which Dovecot and Postfix read) and the registry records it "dihapus". A refused
// purge keeps the mailbox and is not proposed again; a purge cannot be asked before the
// period ends, and the driver refuses to purge a mailbox that is not deactivated.
func TestPurgeAfterRetention(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := setup(t, st, "kaltim")
		u := newUser(t, st, e.tenant.ID, "budi")
		const addr = "budi.santoso@mail.go.id"
		m := e.owned(t, u, addr)
		keep := e.owned(t, u, "budi.lain@mail.go.id")
		if err := e.mail.Purge(ctx, addr); !errors.Is(err, mailbox.ErrNotAllowed) {
			t.Fatalf("purge of an active mailbox: %v, want refused", err)
		}
		e.deactivate(t, m)
		e.deactivate(t, keep)
		m, _ = st.Mailbox(ctx, m.ID)
		if m.Status != registry.Inactive || !m.PurgeAfter.Equal(m.DeactivatedAt.Add(workflow.DefaultRetention)) {
			t.Fatalf("deactivated: %+v", m)
		}
		if _, err := e.req.StaffStart(ctx, e.tenant, e.members[sop.RoleAdminMail], "", m, sop.ServicePurge, "retensi", nil); !fieldErr(err, "mailbox", "purge_not_due") {
			t.Fatalf("purge before the retention period ends: %v", err)
		}
		if n, err := e.eng.ProposePurges(ctx, e.tenant, e.clock.Now(), 100); err != nil || n != 0 {
			t.Fatalf("proposed during the retention period: %d %v", n, err)
		}

		e.clock.Set(m.PurgeAfter.Add(time.Hour))
		if n, err := e.eng.ProposePurges(ctx, e.tenant, e.clock.Now(), 100); err != nil || n != 2 {
			t.Fatalf("proposed after the retention period: %d %v, want 2", n, err)
		}
		if n, err := e.eng.ProposePurges(ctx, e.tenant, e.clock.Now(), 100); err != nil || n != 0 {
			t.Fatalf("a second run proposed %d more (%v)", n, err)
		}
		// Nothing is deleted before the staff's confirmation.
		if _, err := e.mail.Get(ctx, addr); err != nil {
			t.Fatalf("the mailbox went before its confirmation: %v", err)
		}
		refs, _ := st.RequestsOn(ctx, e.tenant.ID, addr)
		var purge request.Request
		for _, ref := range refs {
			if r, _ := st.Request(ctx, ref.ID); r.Service == sop.ServicePurge {
				purge = r
			}
		}
		if purge.ID == 0 || purge.Status != request.Waiting {
			t.Fatalf("no purge request waiting for %s: %+v", addr, refs)
		}
		stp := e.running(t, purge.ID)
		if stp.Kind != string(sop.KindPurge) || stp.Role != string(sop.RoleAdminMail) {
			t.Fatalf("purge step %+v", stp)
		}
		if _, err := e.eng.Act(ctx, e.members[sop.RoleFrontDesk], purge.ID, workflow.Input{StepID: stp.ID, Action: workflow.Execute}); errs.CodeOf(err) != errs.Forbidden {
			t.Fatalf("front desk confirming a purge: %v", err)
		}
		e.act(t, purge.ID, workflow.Execute, "masa retensi 365 hari berakhir")
		e.runJobs(t)
		if r, _ := st.Request(ctx, purge.ID); r.Status != request.Done {
			steps, _ := st.StepsOf(ctx, purge.ID)
			t.Fatalf("purge request %s: %+v", r.Status, steps)
		}
		if _, err := e.mail.Get(ctx, addr); !errors.Is(err, mailbox.ErrNoSuchMailbox) {
			t.Fatalf("the purged mailbox on the server: %v", err)
		}
		if got, _ := st.Mailbox(ctx, m.ID); got.Status != registry.Removed {
			t.Fatalf("registry after the purge: %s", got.Status)
		}
		trail, _ := st.AuditTrail(ctx, registry.Object(m.ID))
		if len(trail) == 0 || trail[len(trail)-1].Action != "mailbox.purge" {
			t.Fatalf("mailbox trail %+v", trail)
		}

		// The other purge refused: the mailbox stays, deactivated, and is not proposed again.
		refs, _ = st.RequestsOn(ctx, e.tenant.ID, keep.Address)
		for _, ref := range refs {
			if r, _ := st.Request(ctx, ref.ID); r.Service == sop.ServicePurge {
				e.act(t, r.ID, workflow.Refuse, "Arsip masih diperlukan BKPSDM")
			}
		}
		e.clock.Set(e.clock.Now().Add(48 * time.Hour))
		if n, err := e.eng.ProposePurges(ctx, e.tenant, e.clock.Now(), 100); err != nil || n != 0 {
			t.Fatalf("a refused purge proposed again: %d %v", n, err)
		}
		if info, err := e.mail.Get(ctx, keep.Address); err != nil || info.Status != mailbox.StatusDeactivated {
			t.Fatalf("the kept mailbox: %+v %v", info, err)
		}
		if got, _ := st.Mailbox(ctx, keep.ID); got.Status != registry.Inactive {
			t.Fatalf("registry of the kept mailbox: %s", got.Status)
		}
	})
}
