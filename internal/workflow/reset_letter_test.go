package workflow_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff"
	"github.com/surel-id/surel/internal/store"
	"github.com/surel-id/surel/internal/workflow"
)

// An OPD's letter listing several people for a reset (Kalbar): the whole list is checked
// first, each wrong line named (unknown, twice, deactivated) and nothing started; the
// fixed list starts one reset request per person, each recording the letter's number
// (required, at most 100 characters) with its history's first step saying so, each
// through the reset's flow, and each person's account letter holds their own address
// and password alone. The letter's requests are read back by its number, by its tenant's
// desk only, and the recent letters count them and those done.
func TestResetsByLetter(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := setup(t, st, "kaltim")
		desk := e.members[sop.RoleFrontDesk]
		e.owned(t, newUser(t, st, e.tenant.ID, "ani"), "ani.lestari@mail.go.id")
		e.owned(t, newUser(t, st, e.tenant.ID, "budi"), "budi.santoso@mail.go.id")
		e.owned(t, newUser(t, st, e.tenant.ID, "citra"), "citra.dewi@mail.go.id")
		const ref = "800/12/DISKOMINFO"
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
		// The letter's number: required, at most 100 characters (counted as characters).
		for bad, rule := range map[string]string{"  ": "required", strings.Repeat("é", 101): "max_len"} {
			if rs, err := e.req.ResetsByLetter(ctx, e.tenant, desk, "", "ani.lestari", bad); len(rs) != 0 || !fieldErr(err, request.FieldLetterRef, rule) {
				t.Fatalf("number %q: %d %v", bad, len(rs), err)
			}
		}
		// 100 characters of two bytes each is not too long.
		if _, err := e.req.ResetsByLetter(ctx, e.tenant, desk, "", "tidak.ada", strings.Repeat("é", 100)); fieldErr(err, request.FieldLetterRef, "max_len") {
			t.Fatalf("100 characters refused: %v", err)
		}
		if _, err := e.req.LetterRequests(ctx, desk, ref); errs.CodeOf(err) != errs.NotFound {
			t.Fatalf("a letter before anything started: %v", err)
		}

		rs, err := e.req.ResetsByLetter(ctx, e.tenant, desk, "10.0.0.1", "ani.lestari\nbudi.santoso@mail.go.id\n citra.dewi \n", " "+ref+" ")
		if err != nil || len(rs) != 3 {
			t.Fatalf("resets: %d %v", len(rs), err)
		}
		// Every request records the letter's number with it, and its history's first
		// step says so.
		for _, r := range rs {
			got, err := st.Request(ctx, r.ID)
			if err != nil || got.LetterRef != ref || r.LetterRef != ref {
				t.Fatalf("request %d records %q (returned %q): %v", r.ID, got.LetterRef, r.LetterRef, err)
			}
			steps, err := st.StepsOf(ctx, r.ID)
			if err != nil || len(steps) == 0 || steps[0].Note != "Berdasarkan surat nomor "+ref {
				t.Fatalf("history of %d: %+v %v", r.ID, steps, err)
			}
		}
		// The letter's requests by its number, for its staff only.
		byRef, err := e.req.LetterRequests(ctx, desk, ref)
		if err != nil || len(byRef) != 3 || byRef[0].ID != rs[0].ID || byRef[2].ID != rs[2].ID {
			t.Fatalf("the letter's requests: %+v %v", byRef, err)
		}
		otherID, _ := st.EnsureTenant(ctx, "kalbar", "Diskominfo Kalbar", time.Now())
		elsewhere := staff.Member{UserID: desk.UserID, TenantID: otherID, Roles: []sop.Role{sop.RoleFrontDesk}}
		if got, err := e.req.LetterRequests(ctx, elsewhere, ref); errs.CodeOf(err) != errs.NotFound || len(got) != 0 {
			t.Fatalf("another tenant's desk reads the letter: %+v %v", got, err)
		}
		if got, err := e.req.RecentLetters(ctx, elsewhere, 10); err != nil || len(got) != 0 {
			t.Fatalf("another tenant's desk lists the letter: %+v %v", got, err)
		}
		if _, err := e.req.LetterRequests(ctx, e.members[sop.RoleKepalaBidang], ref); errs.CodeOf(err) != errs.Forbidden {
			t.Fatalf("kabid reading a letter: %v", err)
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
		letters, err := e.req.RecentLetters(ctx, desk, 10)
		if err != nil || len(letters) != 1 || letters[0].Ref != ref || letters[0].Requests != 3 || letters[0].Done != 3 {
			t.Fatalf("recent letters: %+v %v", letters, err)
		}
	})
}
