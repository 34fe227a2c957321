package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/mailbox"
	"github.com/surel-id/surel/internal/passwd"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/store"
)

// finished gives the signed-in applicant of email a request in status selesai whose
// mailbox exists on the tenant's mail server (the sql driver over the test database),
// as the back office leaves it; it returns the request.
func (h *harness) finished(email string) request.Request {
	h.t.Helper()
	ctx := context.Background()
	tn := h.a.Tenants.Default()
	u, err := h.a.Store.UserByEmail(ctx, tn.ID, email)
	if err != nil {
		h.t.Fatal(err)
	}
	r, err := h.a.Requests.NewDraft(ctx, tn, u, "email", "pns", nil)
	if err != nil {
		h.t.Fatal(err)
	}
	r.Status, r.Mailbox, r.UpdatedAt, r.ClosedAt = request.Done, "siti.rahma", time.Now(), time.Now()
	if err := h.a.Store.UpdateRequest(ctx, r); err != nil {
		h.t.Fatal(err)
	}
	ms, err := h.a.Workflow.Mailboxes(tn.ID)
	if err != nil {
		h.t.Fatal(err)
	}
	if err := ms.Server.Create(ctx, mailbox.New{Address: r.MailboxAddress(), Name: "Siti Rahma", Password: "Awal2026abc",
		Owner: "request:" + staffID(r.ID), MustChange: true}); err != nil {
		h.t.Fatal(err)
	}
	return r
}

// mailboxHash is the stored hash of the mailbox, without its scheme prefix.
func (h *harness) mailboxHash(address string) string {
	h.t.Helper()
	q := `SELECT password FROM mailboxes WHERE address = ?`
	if h.a.Store.Dialect() == store.Postgres {
		q = strings.Replace(q, "?", "$1", 1)
	}
	var s string
	if err := h.a.Store.DB().QueryRow(q, address).Scan(&s); err != nil {
		h.t.Fatal(err)
	}
	return strings.TrimPrefix(s, "{ARGON2ID}")
}

func TestMailboxPassword(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		h := start(t, st.Dialect(), nil)
		h.signup("siti@example.com")
		r := h.finished("siti@example.com")
		page := "/permohonan/" + staffID(r.ID)
		form := page + "/password-email"
		hasher := passwd.New(passwd.Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16})
		first := h.mailboxHash(r.MailboxAddress())

		// The request page offers the change; the form shows the address.
		contains(t, h.get(page).body, `href="`+form+`"`)
		g := h.get(form)
		if g.status != 200 {
			t.Fatalf("form: %d", g.status)
		}
		contains(t, g.body, "Ganti Password Email", r.MailboxAddress(), `name="portal_password"`, `name="mail_password2"`)

		// Errors come back by field, and nothing typed as a password is shown again.
		weak := h.post(form, url.Values{"mail_password": {"abc"}, "mail_password2": {"abc"}, "portal_password": {"rahasia123"}})
		if weak.status != 422 {
			t.Fatalf("weak password: %d", weak.status)
		}
		contains(t, weak.body, "Password email baru minimal 6 karakter.")
		if strings.Contains(weak.body, "rahasia123") || strings.Contains(weak.body, `value="abc"`) {
			t.Fatal("a password is echoed in the form")
		}
		wrong := h.post(form, url.Values{"mail_password": {"Kaltim2026x"}, "mail_password2": {"Kaltim2026x"}, "portal_password": {"salah12345"}})
		if wrong.status != 422 {
			t.Fatalf("wrong portal password: %d", wrong.status)
		}
		contains(t, wrong.body, "Password akun portal salah.")
		if strings.Contains(wrong.body, "Kaltim2026x") {
			t.Fatal("the new password is echoed in the form")
		}
		if h.mailboxHash(r.MailboxAddress()) != first {
			t.Fatal("a refused form changed the mailbox password")
		}

		// Someone else's request is not there for them.
		other := h.client()
		if res := h.postAs(other, "/daftar", registration(h, "ani@example.com")); res.status != 303 {
			t.Fatalf("register other: %d", res.status)
		}
		if res := h.do(other, "GET", h.mailLink("ani@example.com"), nil); res.status != 303 {
			t.Fatalf("activate other: %d", res.status)
		}
		if res := h.do(other, "GET", form, nil); res.status != 404 {
			t.Fatalf("stranger GET: %d", res.status)
		}
		if res := h.postAs(other, form, url.Values{"mail_password": {"Kaltim2026x"}, "mail_password2": {"Kaltim2026x"}, "portal_password": {"rahasia123"}}); res.status != 404 {
			t.Fatalf("stranger POST: %d", res.status)
		}

		// The owner's change reaches the mail server.
		ok := h.post(form, url.Values{"mail_password": {"Kaltim2026x"}, "mail_password2": {"Kaltim2026x"}, "portal_password": {"rahasia123"}})
		if ok.status != 303 || ok.loc != page {
			t.Fatalf("change: %d %s %s", ok.status, ok.loc, ok.body)
		}
		contains(t, h.get(page).body, "Password email "+r.MailboxAddress()+" berhasil diubah.")
		after := h.mailboxHash(r.MailboxAddress())
		if good, _, err := hasher.Verify(context.Background(), after, "Kaltim2026x"); err != nil || !good || after == first {
			t.Fatalf("the server's hash does not take the new password: %v", err)
		}
	})
}

// The change sits behind the authentication rate limit.
func TestMailboxPasswordRateLimited(t *testing.T) {
	h := start(t, store.SQLite, map[string]string{"SUREL_AUTH_RATE": "2"})
	h.signup("siti@example.com") // one limited POST
	r := h.finished("siti@example.com")
	form := "/permohonan/" + staffID(r.ID) + "/password-email"
	bad := url.Values{"mail_password": {"abc"}, "mail_password2": {"abc"}, "portal_password": {"salah"}}
	if res := h.post(form, bad); res.status != 422 {
		t.Fatalf("first: %d", res.status)
	}
	if res := h.post(form, bad); res.status != 429 {
		t.Fatalf("over the limit: %d, want 429", res.status)
	}
}
