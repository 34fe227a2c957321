package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/store"
)

// The OPD letter a request was started from, on both engines: recorded on the request
// (its row, and the registry's list of a mailbox's requests), a letter's sent requests
// found by its number in their order (not a draft, not another tenant's with the same
// number), and the tenant's letters listed latest first with their counts.
func TestLetterRequests(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		tid, other := tenant(t, st, "a"), tenant(t, st, "b")
		u, uo := staffUser(t, st, tid, "desk"), staffUser(t, st, other, "desk-b")
		at := time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)
		n := 0
		mk := func(tenantID, userID int64, local, ref string, status request.Status) request.Request {
			t.Helper()
			n++
			created := at.Add(time.Duration(n) * time.Minute)
			r := request.Request{TenantID: tenantID, UserID: userID, Service: sop.ServiceReset, Kind: "pemilik", Status: request.Draft,
				Domain: "mail.go.id", Mailbox: local, Channel: request.ChannelKantor, LetterRef: ref, Values: map[string]string{},
				CreatedAt: created, UpdatedAt: created}
			if err := st.CreateRequest(ctx, &r); err != nil {
				t.Fatal(err)
			}
			if status == request.Draft {
				return r
			}
			r.Status, r.SubmittedAt = status, created
			if err := st.SubmitRequest(ctx, &r); err != nil {
				t.Fatal(err)
			}
			return r
		}
		const a, b = "800/12/DINKES/2026", "800/3/BKD/2026"
		ani := mk(tid, u.ID, "ani", a, request.Waiting)
		budi := mk(tid, u.ID, "budi", a, request.Done)
		mk(tid, u.ID, "dedi", a, request.Draft)               // never sent: not the letter's
		mk(tid, u.ID, "eko", "", request.Waiting)             // no letter
		theirs := mk(other, uo.ID, "ani", a, request.Waiting) // the same number in another tenant
		citra := mk(tid, u.ID, "citra", b, request.Waiting)

		got, err := st.Request(ctx, ani.ID)
		if err != nil || got.LetterRef != a {
			t.Fatalf("request read back: %q %v", got.LetterRef, err)
		}
		rs, err := st.LetterRequests(ctx, tid, a, 10)
		if err != nil || len(rs) != 2 || rs[0].ID != ani.ID || rs[1].ID != budi.ID || rs[1].LetterRef != a {
			t.Fatalf("letter %s: %+v %v", a, rs, err)
		}
		if rs, _ := st.LetterRequests(ctx, tid, a, 1); len(rs) != 1 {
			t.Fatalf("limit 1: %d", len(rs))
		}
		if rs, _ := st.LetterRequests(ctx, other, a, 10); len(rs) != 1 || rs[0].ID != theirs.ID {
			t.Fatalf("the other tenant's letter %s: %+v", a, rs)
		}
		for _, ref := range []string{"800/99/X", ""} {
			if rs, err := st.LetterRequests(ctx, tid, ref, 10); err != nil || len(rs) != 0 {
				t.Fatalf("letter %q: %+v %v", ref, rs, err)
			}
		}

		letters, err := st.RecentLetters(ctx, tid, 10)
		if err != nil || len(letters) != 2 {
			t.Fatalf("recent letters: %+v %v", letters, err)
		}
		if l := letters[0]; l.Ref != b || l.Requests != 1 || l.Done != 0 || !l.At.Equal(citra.SubmittedAt) {
			t.Fatalf("latest letter: %+v", l)
		}
		if l := letters[1]; l.Ref != a || l.Requests != 2 || l.Done != 1 || !l.At.Equal(ani.SubmittedAt) {
			t.Fatalf("first letter: %+v", l)
		}
		if letters, _ := st.RecentLetters(ctx, tid, 1); len(letters) != 1 || letters[0].Ref != b {
			t.Fatalf("limit 1: %+v", letters)
		}
		if letters, _ := st.RecentLetters(ctx, other, 10); len(letters) != 1 || letters[0].Requests != 1 {
			t.Fatalf("the other tenant's letters: %+v", letters)
		}

		refs, err := st.RequestsOn(ctx, tid, "budi@mail.go.id")
		if err != nil || len(refs) != 1 || refs[0].LetterRef != a {
			t.Fatalf("the mailbox's requests: %+v %v", refs, err)
		}
	})
}
