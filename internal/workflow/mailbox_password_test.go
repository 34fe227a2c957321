package workflow_test

import (
	"context"
	"strings"
	"testing"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/passwd"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/store"
	"github.com/surel-id/surel/internal/workflow"
)

// mailboxRow reads what sqlmail stored for an address: the scheme-prefixed hash and the
// must-change mark.
func mailboxRow(t *testing.T, st *store.Store, address string) (hash string, mustChange bool) {
	t.Helper()
	if err := st.DB().QueryRow(rebind(st, `SELECT password, must_change FROM mailboxes WHERE address = ?`), address).Scan(&hash, &mustChange); err != nil {
		t.Fatal(err)
	}
	return hash, mustChange
}

// verifies tells whether the stored ARGON2ID hash accepts pw, as Dovecot would.
func verifies(t *testing.T, h *passwd.Hasher, stored, pw string) bool {
	t.Helper()
	ok, _, err := h.Verify(context.Background(), strings.TrimPrefix(stored, "{ARGON2ID}"), pw)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

func TestChangeMailboxPassword(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := setup(t, st, "kominfo")
		hasher := passwd.New(passwd.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})
		e.eng.Portal = hasher
		u, r := e.submit(t, "budi", "budi.santoso")

		// Before the mailbox exists there is nothing to change.
		in := workflow.MailboxPassword{Portal: "portal123", Password: "Kaltim2026x", Password2: "Kaltim2026x", IP: "127.0.0.1"}
		if err := e.eng.ChangeMailboxPassword(ctx, u, r.ID, in); errs.CodeOf(err) != errs.Conflict {
			t.Fatalf("before done: %v, want conflict", err)
		}

		e.act(t, r.ID, workflow.Forward, "")
		e.act(t, r.ID, workflow.Forward, "")
		e.act(t, r.ID, workflow.Provision, "")
		e.runJobs(t)
		r, _ = st.Request(ctx, r.ID)
		if r.Status != request.Done {
			t.Fatalf("status %s, want selesai", r.Status)
		}
		address := r.MailboxAddress()
		// The first password must be changed at the first login: mark it so here, whatever
		// provisioning left, to see the owner's change clear it.
		if _, err := st.DB().ExecContext(ctx, rebind(st, `UPDATE mailboxes SET must_change = TRUE WHERE address = ?`), address); err != nil {
			t.Fatal(err)
		}
		first, _ := mailboxRow(t, st, address)
		if !verifies(t, hasher, first, "Sementara-12345") {
			t.Fatal("provisioned mailbox does not take the first password")
		}
		var err error
		if u.PasswordHash, err = hasher.Hash(ctx, "portal123"); err != nil {
			t.Fatal(err)
		}
		mailsBefore, _ := st.Messages(ctx, u.Email, 50)

		// Refusals change nothing on the server.
		refused := []struct {
			name  string
			in    workflow.MailboxPassword
			field string
			rule  string
		}{
			{"short", workflow.MailboxPassword{Portal: "portal123", Password: "ab1", Password2: "ab1"}, "mail_password", "password_min"},
			{"no digit", workflow.MailboxPassword{Portal: "portal123", Password: "abcdefghij", Password2: "abcdefghij"}, "mail_password", "password_mix"},
			{"local part", workflow.MailboxPassword{Portal: "portal123", Password: "Budi.Santoso9", Password2: "Budi.Santoso9"}, "mail_password", "password_personal"},
			{"mismatch", workflow.MailboxPassword{Portal: "portal123", Password: "Kaltim2026x", Password2: "Kaltim2026y"}, "mail_password2", "password_match"},
			{"no portal password", workflow.MailboxPassword{Password: "Kaltim2026x", Password2: "Kaltim2026x"}, "portal_password", "required"},
			{"wrong portal password", workflow.MailboxPassword{Portal: "salah999", Password: "Kaltim2026x", Password2: "Kaltim2026x"}, "portal_password", "password_wrong"},
		}
		for _, c := range refused {
			err := e.eng.ChangeMailboxPassword(ctx, u, r.ID, c.in)
			fe, ok := errs.As(err)
			if !ok || fe.Code != errs.Invalid || !hasField(fe.Fields, c.field, c.rule) {
				t.Fatalf("%s: %v, want %s %s", c.name, err, c.field, c.rule)
			}
			if now, _ := mailboxRow(t, st, address); now != first {
				t.Fatalf("%s: the mailbox password changed", c.name)
			}
		}

		// A stranger's request does not exist for them, even with a valid form.
		stranger := newUser(t, st, e.tenant.ID, "stranger")
		stranger.PasswordHash = u.PasswordHash
		if err := e.eng.ChangeMailboxPassword(ctx, stranger, r.ID, in); errs.CodeOf(err) != errs.NotFound {
			t.Fatalf("stranger: %v, want not found", err)
		}
		if now, _ := mailboxRow(t, st, address); now != first {
			t.Fatal("a stranger changed the mailbox password")
		}

		// The owner changes it: the server's hash is new, the first-login mark is gone.
		if err := e.eng.ChangeMailboxPassword(ctx, u, r.ID, in); err != nil {
			t.Fatal(err)
		}
		after, must := mailboxRow(t, st, address)
		if after == first || !verifies(t, hasher, after, "Kaltim2026x") || verifies(t, hasher, after, "Sementara-12345") {
			t.Fatal("the server's password hash did not change to the new password")
		}
		if must {
			t.Fatal("must_change still set after the owner chose a password")
		}

		// Audited without the password; the owner told in the portal and by e-mail,
		// which never carries it.
		trail, _ := st.AuditTrail(ctx, "request:"+itoa(r.ID))
		var found bool
		for _, a := range trail {
			if strings.Contains(a.Detail, "Kaltim2026x") {
				t.Fatalf("audit entry %s carries the password", a.Action)
			}
			if a.Action == "mailbox.password" {
				found = a.Detail == address && a.Actor == "user:"+itoa(u.ID) && a.IP == "127.0.0.1"
			}
		}
		if !found {
			t.Fatalf("no mailbox.password entry in %+v", trail)
		}
		if rep, err := st.VerifyAudit(ctx); err != nil || rep.Break != nil {
			t.Fatalf("verify = %+v, %v", rep, err)
		}
		ns, _ := st.NotificationsOf(ctx, u.ID, 10)
		if len(ns) == 0 || ns[0].Key != "mailpw.notif" || ns[0].Arg != r.Number {
			t.Fatalf("notifications = %+v", ns)
		}
		msgs, _ := st.Messages(ctx, u.Email, 50)
		if len(msgs) != len(mailsBefore)+1 {
			t.Fatalf("e-mails %d → %d, want one more", len(mailsBefore), len(msgs))
		}
		for _, m := range msgs {
			if strings.Contains(m.Text, "Kaltim2026x") || strings.Contains(m.HTML, "Kaltim2026x") {
				t.Fatal("an e-mail carries the new password")
			}
		}
		if !strings.Contains(msgs[0].Subject, address) {
			t.Fatalf("newest e-mail %q is not the password notice", msgs[0].Subject)
		}
	})
}

func hasField(fs []errs.Field, name, rule string) bool {
	for _, f := range fs {
		if f.Name == name && f.Rule == rule {
			return true
		}
	}
	return false
}
