package workflow_test

import (
	"context"
	"testing"

	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/mailbox/zimbra/zimbrafake"
	"github.com/surel-id/surel/internal/passwd"
	"github.com/surel-id/surel/internal/registry"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/store"
	"github.com/surel-id/surel/internal/workflow"
)

// fieldRule is the rule err names for field, "" when none.
func fieldRule(err error, field string) string {
	fe, ok := errs.As(err)
	if !ok {
		return ""
	}
	for _, f := range fe.Fields {
		if f.Name == field {
			return f.Rule
		}
	}
	return ""
}

// A mailbox the Zimbra server held before surel, adopted by a sync, shows as existing in
// the live check; its owner claims it ("Klaim Akun Email"), staff confirm along the SOP,
// the create step records the owner and changes nothing on the server; then the
// portal's password change works for it, refusing a password the server's class of
// service forbids (which Zimbra would set anyway) before calling the server.
func TestClaimExistingMailbox(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := setup(t, st, "kominfo")
		f := zimbraEnv(t, e, "")
		f.Do(func(s *zimbrafake.State) {
			s.AddAccount("lama.pegawai@mail.go.id", "Lama-2020pw", map[string]string{"displayName": "Pegawai Lama"})
			s.COS["default"].Attrs["zimbraPasswordMinLength"] = "14"
			s.COS["default"].Attrs["zimbraPasswordMinPunctuationChars"] = "1"
		})
		if run, err := e.eng.SyncMailboxes(ctx, e.tenant.ID, audit.System); err != nil || run.Added != 1 {
			t.Fatalf("sync: %+v %v", run, err)
		}
		if _, err := e.req.CheckMailbox(ctx, e.tenant, "lama.pegawai", 0, "mailbox"); fieldRule(err, "mailbox") != "address_exists" {
			t.Fatalf("live check of an adopted address: %v", err)
		}

		claim := func(name, address string) (request.Request, error) {
			u := newUser(t, st, e.tenant.ID, name)
			r, err := e.req.NewDraft(ctx, e.tenant, u, "klaim", "pns", nil)
			if err != nil {
				t.Fatal(err)
			}
			vals := map[string]string{"nip": "198503122010011003", "instansi": "Diskominfo", "satuan_kerja": "Bidang Aptika",
				"phone": "081234567890", "mailbox": address}
			if r, err = e.req.SaveDraft(ctx, u, r, vals); err != nil {
				return r, err
			}
			return e.req.Submit(ctx, e.tenant, u, r.ID)
		}
		if _, err := claim("salah", "tidak.ada@mail.go.id"); fieldRule(err, "mailbox") != "claim_unknown" {
			t.Fatalf("claim of an unknown address: %v", err)
		}
		r, err := claim("lama", " Lama.Pegawai@mail.go.id")
		if err != nil || r.Mailbox != "lama.pegawai" {
			t.Fatalf("claim: %+v %v", r, err)
		}
		u, _ := st.UserByID(ctx, r.UserID)
		for e.running(t, r.ID).Kind != string(sop.KindProvision) {
			e.act(t, r.ID, workflow.Forward, "cocok dengan data kepegawaian")
		}
		stp := e.running(t, r.ID)
		if _, err := e.eng.Act(ctx, e.members[sop.Role(stp.Role)], r.ID, workflow.Input{StepID: stp.ID, Action: workflow.Provision, Mailbox: "lama.pegawai"}); err != nil {
			t.Fatalf("create step: %v", err)
		}
		e.runJobs(t)
		if r, _ = st.Request(ctx, r.ID); r.Status != request.Done {
			t.Fatalf("claim status %s", r.Status)
		}
		m, err := st.MailboxAt(ctx, e.tenant.ID, "lama.pegawai@mail.go.id")
		if err != nil || m.OwnerID != u.ID || m.OwnerMatch != registry.MatchClaim || m.NIP != "198503122010011003" || m.Source != registry.Adopted {
			t.Fatalf("registry after the claim: %+v %v", m, err)
		}
		if a := f.Account("lama.pegawai@mail.go.id"); a.Password != "Lama-2020pw" || a.Attrs["zimbraNotes"] != "" {
			t.Fatalf("the claim changed the server: %+v", a)
		}
		if c, err := e.eng.CredentialOf(ctx, r.ID); err != nil || c.Exists {
			t.Fatalf("a claim has a credential: %+v %v", c, err)
		}
		if _, err := e.req.CheckMailbox(ctx, e.tenant, "lama.pegawai", 0, "mailbox"); fieldRule(err, "mailbox") != "address_taken" {
			t.Fatalf("live check of a claimed address: %v", err)
		}

		hasher := passwd.New(passwd.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})
		e.eng.Portal = hasher
		if u.PasswordHash, err = hasher.Hash(ctx, "portal123"); err != nil {
			t.Fatal(err)
		}
		weak := workflow.MailboxPassword{Portal: "portal123", Password: "Kaltim2026xyz", Password2: "Kaltim2026xyz"}
		if err := e.eng.ChangeMailboxPassword(ctx, u, r.ID, weak); fieldRule(err, "mail_password") != "server_min_length" {
			t.Fatalf("a password the server's policy forbids: %v", err)
		}
		weak.Password, weak.Password2 = "Kalimantan2026xyz", "Kalimantan2026xyz"
		if err := e.eng.ChangeMailboxPassword(ctx, u, r.ID, weak); fieldRule(err, "mail_password") != "server_punct" {
			t.Fatalf("no punctuation: %v", err)
		}
		if a := f.Account("lama.pegawai@mail.go.id"); a.Password != "Lama-2020pw" {
			t.Fatal("a refused password reached the server")
		}
		good := workflow.MailboxPassword{Portal: "portal123", Password: "Kalimantan-2026xyz", Password2: "Kalimantan-2026xyz"}
		if err := e.eng.ChangeMailboxPassword(ctx, u, r.ID, good); err != nil {
			t.Fatal(err)
		}
		if a := f.Account("lama.pegawai@mail.go.id"); a.Password != "Kalimantan-2026xyz" {
			t.Fatalf("password on the server: %q", a.Password)
		}
	})
}
