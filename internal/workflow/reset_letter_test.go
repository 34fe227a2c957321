package workflow_test

import (
	"context"
	"testing"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/store"
	"github.com/surel-id/surel/internal/workflow"
)

// An OPD's letter listing several people for a reset (Kalbar): the whole list is checked
// first, each wrong line named (unknown, twice, deactivated) and nothing started; the
// fixed list starts one reset request per person, each through the reset's flow, and
// each person's account letter holds their own address and password alone.
func TestResetsByLetter(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := setup(t, st, "kaltim")
		desk := e.members[sop.RoleFrontDesk]
		e.owned(t, newUser(t, st, e.tenant.ID, "ani"), "ani.lestari@mail.go.id")
		e.owned(t, newUser(t, st, e.tenant.ID, "budi"), "budi.santoso@mail.go.id")
		e.owned(t, newUser(t, st, e.tenant.ID, "citra"), "citra.dewi@mail.go.id")
		gone := e.owned(t, newUser(t, st, e.tenant.ID, "dedi"), "dedi.pensiun@mail.go.id")
		e.deactivate(t, gone)

		_, err := e.req.ResetsByLetter(ctx, e.tenant, desk, "", "ani.lestari\n\nbudi.santoso@mail.go.id\ntidak.ada\nANI.LESTARI\ndedi.pensiun", "800/12/DISKOMINFO")
		ee, ok := errs.As(err)
		if !ok {
			t.Fatalf("a list with wrong lines: %v", err)
		}
		got := map[string]bool{}
		for _, f := range ee.Fields {
			got[f.Rule] = true
		}
		for _, rule := range []string{"list_line_unknown", "list_line_twice", "list_line_state"} {
			if !got[rule] {
				t.Errorf("no %s among %+v", rule, ee.Fields)
			}
		}
		if refs, _ := st.RequestsOn(ctx, e.tenant.ID, "ani.lestari@mail.go.id"); len(refs) != 0 {
			t.Fatalf("a reset started from a wrong list: %+v", refs)
		}
		if _, err := e.req.ResetsByLetter(ctx, e.tenant, e.members[sop.RoleKepalaBidang], "", "ani.lestari", "1"); errs.CodeOf(err) != errs.Forbidden {
			t.Fatalf("kabid entering a letter: %v", err)
		}

		rs, err := e.req.ResetsByLetter(ctx, e.tenant, desk, "10.0.0.1", "ani.lestari\nbudi.santoso@mail.go.id\n citra.dewi \n", "800/12/DISKOMINFO")
		if err != nil || len(rs) != 3 {
			t.Fatalf("resets: %d %v", len(rs), err)
		}
		// The same letter again: every line has a reset under way, none starts twice.
		if again, err := e.req.ResetsByLetter(ctx, e.tenant, desk, "", "ani.lestari", "800/12/DISKOMINFO"); len(again) != 0 || !fieldErr(err, request.FieldLetterList, "list_line_open") {
			t.Fatalf("the letter again: %d %v", len(again), err)
		}
		seen := map[string]bool{}
		for _, r := range rs {
			if r.Service != sop.ServiceReset || r.Channel != request.ChannelKantor {
				t.Fatalf("request %+v", r)
			}
			e.act(t, r.ID, workflow.Execute, "")
			e.runJobs(t)
			l, err := e.eng.RevealForLetter(ctx, desk, r.ID, "")
			if err != nil || l.Handover.Address != r.MailboxAddress() || l.Handover.Password == "" {
				t.Fatalf("letter of %s: %+v %v", r.MailboxAddress(), l.Handover, err)
			}
			seen[l.Handover.Address] = true
			if !e.mustChange(t, r.MailboxAddress()) {
				t.Errorf("%s need not change the new password", r.MailboxAddress())
			}
		}
		if len(seen) != 3 {
			t.Fatalf("letters for %v", seen)
		}
	})
}
