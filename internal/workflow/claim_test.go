package workflow_test

import (
	"context"
	"strings"
	"testing"

	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/mailbox/zimbra/zimbrafake"
	"github.com/surel-id/surel/internal/passwd"
	"github.com/surel-id/surel/internal/registry"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/roster"
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
			s.AddAccount("ber.nip@mail.go.id", "Nip-2020pw", map[string]string{"displayName": "Ber NIP", "employeeNumber": "198503122010011003"})
			s.COS["default"].Attrs["zimbraPasswordMinLength"] = "14"
			s.COS["default"].Attrs["zimbraPasswordMinPunctuationChars"] = "1"
		})
		// The roster knows the NIP the server records for ber.nip: the sync takes it.
		src, err := roster.NewReader(strings.NewReader("nip,nama,instansi,unit,status,aktif\n198503122010011003,Ber NIP,Diskominfo,Bidang Aptika,PNS,1\n"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.ImportRoster(ctx, e.tenant.ID, src); err != nil {
			t.Fatal(err)
		}
		if run, err := e.eng.SyncMailboxes(ctx, e.tenant.ID, audit.System); err != nil || run.Added != 2 {
			t.Fatalf("sync: %+v %v", run, err)
		}
		if _, err := e.req.CheckMailbox(ctx, e.tenant, "lama.pegawai", 0, "mailbox"); fieldRule(err, "mailbox") != "address_exists" {
			t.Fatalf("live check of an adopted address: %v", err)
		}

		// The claim form's live check says whose the server records an address as.
		asker := newUser(t, st, e.tenant.ID, "penanya")
		draft, err := e.req.NewDraft(ctx, e.tenant, asker, "klaim", "pns", nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct{ address, nip, state, rule string }{
			{"lama.pegawai", "198503122010011003", request.ClaimOwnerUnknown, ""},
			{"ber.nip", "198503122010011003", request.ClaimYours, ""},
			{"ber.nip", "", request.ClaimNeedsNIP, ""},
			{"ber.nip", "199001012015032001", "", "claim_other_nip"},
			{"tidak.ada", "198503122010011003", "", "claim_unknown"},
		} {
			_, state, err := e.req.CheckClaimable(ctx, e.tenant, c.address, draft.ID, c.nip, "mailbox")
			if state != c.state || fieldRule(err, "mailbox") != c.rule {
				t.Errorf("live check of %s for NIP %q: %q %v, want %q %q", c.address, c.nip, state, err, c.state, c.rule)
			}
		}
		// A new account's check says nothing of claims.
		if _, state, err := e.req.CheckClaimable(ctx, e.tenant, "baru.sekali", 0, "", "mailbox"); state != "" || err != nil {
			t.Errorf("live check of a new address: %q %v", state, err)
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
		// The claim's own flow (services: klaim): staff verify the ownership, then confirm;
		// no step of the creation's SOP, no "Membuat akun".
		if stp := e.running(t, r.ID); stp.Key != "verifikasi_kepemilikan" || stp.Kind != string(sop.KindManual) || !strings.Contains(stp.Name, "kepemilikan") {
			t.Fatalf("claim's first staff step: %+v", stp)
		}
		e.act(t, r.ID, workflow.Forward, "cocok dengan data kepegawaian")
		stp := e.running(t, r.ID)
		if stp.Key != "konfirmasi" || stp.Kind != string(sop.KindClaim) || stp.Role != string(sop.RoleAdminMail) {
			t.Fatalf("claim's confirmation step: %+v", stp)
		}
		if acts := workflow.Actions(stp.Kind); len(acts) == 0 || acts[0] != workflow.Execute {
			t.Fatalf("actions at the confirmation: %v", acts)
		}
		if _, err := e.eng.Act(ctx, e.members[sop.Role(stp.Role)], r.ID, workflow.Input{StepID: stp.ID, Action: workflow.Execute}); err != nil {
			t.Fatalf("confirmation step: %v", err)
		}
		e.runJobs(t)
		if r, _ = st.Request(ctx, r.ID); r.Status != request.Done || r.ClosedAt.IsZero() {
			t.Fatalf("claim status %s, closed %v", r.Status, r.ClosedAt)
		}
		steps, err := st.StepsOf(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, s := range steps {
			keys = append(keys, s.Key)
			if strings.Contains(s.Name, "Membuat akun") || strings.Contains(s.Name, "membuat akun") {
				t.Errorf("a claim's history names an account's creation: %q", s.Name)
			}
			if s.Kind == string(sop.KindProvision) || s.Kind == string(sop.KindAccountTest) {
				t.Errorf("a claim ran a %s step", s.Kind)
			}
		}
		if strings.Join(keys, ",") != "pengajuan,verifikasi_kepemilikan,konfirmasi,selesai" {
			t.Errorf("claim's history: %v", keys)
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
