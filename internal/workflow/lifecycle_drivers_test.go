package workflow_test

import (
	"context"
	"strings"
	"testing"

	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/mailbox"
	"github.com/surel-id/surel/internal/mailbox/cpanel"
	"github.com/surel-id/surel/internal/mailbox/cpanel/cpanelfake"
	"github.com/surel-id/surel/internal/mailbox/sqlmail"
	"github.com/surel-id/surel/internal/mailbox/zimbra/zimbrafake"
	"github.com/surel-id/surel/internal/registry"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/store"
	"github.com/surel-id/surel/internal/workflow"
)

// A reset of a mailbox surel did not make (adopted by a sync: no owner mark, so the
// reset cannot create it again) asks for a new password at the first login wherever the
// server keeps that mark: Zimbra's SetPassword clears zimbraPasswordMustChange, so the
// driver sets it again by ModifyAccount; the sql driver sets must_change; cPanel has no
// such mark, and the step's note says so. The old password stops working on each.
func TestResetAdoptedMailboxOnEachDriver(t *testing.T) {
	const addr = "lama.pegawai@mail.go.id"
	const old = "Lama-2020pw-Sandi"
	for _, driver := range []string{"sql", "zimbra", "cpanel"} {
		t.Run(driver, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, st *store.Store) {
				ctx := context.Background()
				e := setup(t, st, "kaltim")
				var mustChange func() bool
				var password func() string
				switch driver {
				case "sql":
					if err := e.mail.Create(ctx, mailbox.New{Address: addr, Password: old, Owner: "tangan"}); err != nil {
						t.Fatal(err)
					}
					// Made by hand on the server: no owner mark of surel's.
					if _, err := st.DB().ExecContext(ctx, rebind(st, `UPDATE mailboxes SET owner = '' WHERE address = ?`), addr); err != nil {
						t.Fatal(err)
					}
					mustChange = func() bool { return e.mustChange(t, addr) }
					password = func() string { h, _ := mailboxRow(t, st, addr); return h }
				case "zimbra":
					f := zimbraEnv(t, e, "")
					f.Do(func(s *zimbrafake.State) {
						s.AddAccount(addr, old, map[string]string{"displayName": "Pegawai Lama"})
					})
					mustChange = func() bool { return f.Account(addr).Attrs["zimbraPasswordMustChange"] == "TRUE" }
					password = func() string { return f.Account(addr).Password }
				case "cpanel":
					f := cpanelfake.Start(t, "mail.go.id")
					f.Do(func(s *cpanelfake.State) {
						s.Mailboxes[addr] = &cpanelfake.Mailbox{Local: "lama.pegawai", Domain: "mail.go.id", Password: old}
					})
					srv, err := cpanel.New(cpanel.Options{URL: f.URL, HTTPClient: f.Client, User: "desa", Token: "TOKEN123",
						Owners: sqlmail.NewOwners(st.DB(), st.Dialect(), nil)})
					if err != nil {
						t.Fatal(err)
					}
					e.eng.Mailboxes = func(int64) (workflow.MailServer, error) {
						return workflow.MailServer{Server: srv, Limits: mailbox.Limits{MaxAccounts: 100}}, nil
					}
					mustChange = func() bool { return false }
					password = func() string { return f.Mailbox(addr).Password }
				}
				before := password()
				m, err := e.eng.Registry.Created(ctx, registry.Mailbox{TenantID: e.tenant.ID, Address: addr, Name: "Pegawai Lama",
					NIP: "196109231991031004", Source: registry.Adopted}, audit.System)
				if err != nil {
					t.Fatal(err)
				}
				r, err := e.req.StaffStart(ctx, e.tenant, e.members[sop.RoleFrontDesk], "10.0.0.1", m, sop.ServiceReset, "pemilik", nil)
				if err != nil {
					t.Fatal(err)
				}
				e.act(t, r.ID, workflow.Execute, "")
				e.runJobs(t)
				r, _ = st.Request(ctx, r.ID)
				if r.Status != request.Done {
					t.Fatalf("reset: status %s", r.Status)
				}
				if password() == before {
					t.Fatal("the password on the server did not change")
				}
				steps, _ := st.StepsOf(ctx, r.ID)
				note := steps[len(steps)-1].Note
				for _, s := range steps {
					if s.Kind == string(sop.KindResetPassword) {
						note = s.Note
					}
				}
				switch driver {
				case "cpanel":
					if !strings.Contains(note, "tidak mengenal kewajiban ganti kata sandi") {
						t.Fatalf("cPanel's reset note: %q", note)
					}
				default:
					if !mustChange() {
						t.Fatal("the adopted mailbox's new password need not be changed at the first login")
					}
					if !strings.Contains(note, "wajib diganti saat login pertama") {
						t.Fatalf("reset note: %q", note)
					}
				}
			})
		})
	}
}
