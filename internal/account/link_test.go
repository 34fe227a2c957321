package account_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/notify"
	"github.com/surel-id/surel/internal/store"
)

// rowCounts counts the rows of the tables a request for a link may write.
func rowCounts(t *testing.T, st *store.Store) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, tbl := range []string{"user_tokens", "outbox", "jobs", "link_requests", "users"} {
		var n int
		if err := st.DB().QueryRow("SELECT COUNT(*) FROM " + tbl).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[tbl] = n
	}
	return out
}

// A request for a reset or activation link does the same work for a registered address
// and for an unknown one, so its answer time tells nothing (issue 12: a known address
// wrote a token, a message and a job in the request and answered 0.7–4 ms later). The
// link is mailed by the job, to the registered address only, once.
func TestLinkRequestSameWork(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := setup(t, st)
		f.svc.Register(ctx, f.tenant, budi)
		f.svc.Activate(ctx, f.tenant, secretIn(t, f.lastMail(t, "budi.santoso@gmail.com")))
		pending := budi
		pending.Email, pending.FirstName = "pending@example.com", "Pending"
		f.svc.Register(ctx, f.tenant, pending)
		f.runJobs(t)

		for _, c := range []struct {
			name string
			call func(email string) error
		}{
			{"reset", func(e string) error { return f.svc.RequestReset(ctx, f.tenant, e) }},
			{"activation", func(e string) error { return f.svc.ResendActivation(ctx, f.tenant, e) }},
		} {
			var diffs []string
			for _, email := range []string{"budi.santoso@gmail.com", "pending@example.com", "nobody@example.com"} {
				before := rowCounts(t, st)
				if err := c.call(email); err != nil {
					t.Fatal(err)
				}
				after := rowCounts(t, st)
				d := ""
				for _, tbl := range []string{"user_tokens", "outbox", "jobs", "link_requests", "users"} {
					d += fmt.Sprintf("%s+%d ", tbl, after[tbl]-before[tbl])
				}
				diffs = append(diffs, d)
			}
			if diffs[0] != diffs[1] || diffs[1] != diffs[2] || diffs[0] != "user_tokens+0 outbox+0 jobs+1 link_requests+1 users+0 " {
				t.Fatalf("%s: the request's writes differ by address: %q", c.name, diffs)
			}
		}
		f.runJobs(t)
		mails := map[string]int{}
		ms, _ := st.Messages(ctx, "", 50)
		for _, m := range ms {
			mails[m.To+" "+m.Subject]++
		}
		// budi: one reset link (the activation request of an active account mails
		// nothing); pending: an activation link for each request; nobody: nothing.
		for _, m := range ms {
			if m.To == "nobody@example.com" {
				t.Fatalf("mail to an unknown address: %q", m.Subject)
			}
		}
		if n := countTo(ms, "budi.santoso@gmail.com"); n != 3 { // activation, welcome, reset
			t.Fatalf("budi got %d mails: %v", n, mails)
		}
		if n := countTo(ms, "pending@example.com"); n != 3 { // at registration and after each request
			t.Fatalf("pending got %d mails: %v", n, mails)
		}
		// A job run twice mails once.
		if err := f.svc.SendLink(ctx, 1); err != nil {
			t.Fatal(err)
		}
		if ms2, _ := st.Messages(ctx, "", 50); len(ms2) != len(ms) {
			t.Fatalf("a link request answered twice")
		}
	})
}

func countTo(ms []notify.Message, to string) int {
	n := 0
	for _, m := range ms {
		if m.To == to {
			n++
		}
	}
	return n
}
