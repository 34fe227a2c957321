package workflow_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

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

// The purge service deletes the account on Zimbra and on cPanel as on the sql driver:
// deactivated through its flow, proposed once the retention period has passed, confirmed
// by the admin, then gone from the server and "dihapus" in the registry. A delegated
// Zimbra admin without deleteAccount stops the step at once with the right to grant,
// and the account and its registry entry stay as they were.
func TestPurgeOnEachDriver(t *testing.T) {
	const addr = "budi.santoso@mail.go.id"
	for _, driver := range []string{"zimbra", "zimbra-without-right", "cpanel"} {
		t.Run(driver, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, st *store.Store) {
				ctx := context.Background()
				e := setup(t, st, "kaltim")
				u := newUser(t, st, e.tenant.ID, "budi")
				var exists func() bool
				switch driver {
				case "zimbra", "zimbra-without-right":
					admin := ""
					if driver == "zimbra-without-right" {
						admin = "surel@mail.go.id"
					}
					f := zimbraEnv(t, e, admin)
					f.Do(func(s *zimbrafake.State) {
						if admin != "" {
							rights := slices.DeleteFunc(slices.Clone(zimbrafake.DomainAdminRights), func(r string) bool { return r == zimbrafake.RightDeleteAccount })
							s.Admins[admin] = &zimbrafake.Admin{ID: "adm-surel", Password: "rahasia", Rights: map[string][]string{"mail.go.id": rights}}
						}
						s.AddAccount(addr, "Lama-Sandi-123", map[string]string{"displayName": "Budi Santoso"})
					})
					exists = func() bool { return f.Account(addr) != nil }
				case "cpanel":
					f := cpanelfake.Start(t, "mail.go.id")
					srv, err := cpanel.New(cpanel.Options{URL: f.URL, HTTPClient: f.Client, User: "desa", Token: "TOKEN123",
						Owners: sqlmail.NewOwners(st.DB(), st.Dialect(), nil)})
					if err != nil {
						t.Fatal(err)
					}
					if err := srv.Create(ctx, mailbox.New{Address: addr, Password: "Lama-Sandi-123", Owner: "request:1"}); err != nil {
						t.Fatal(err)
					}
					e.eng.Mailboxes = func(int64) (workflow.MailServer, error) {
						return workflow.MailServer{Server: srv, Limits: mailbox.Limits{MaxAccounts: 100}}, nil
					}
					exists = func() bool { return f.Mailbox(addr) != nil }
				}
				m, err := e.eng.Registry.Created(ctx, registry.Mailbox{TenantID: e.tenant.ID, Address: addr, OwnerID: u.ID, Name: u.Profile.FullName,
					NIP: "196109231991031004"}, audit.System)
				if err != nil {
					t.Fatal(err)
				}
				e.deactivate(t, m)
				if m, _ = st.Mailbox(ctx, m.ID); m.Status != registry.Inactive {
					t.Fatalf("deactivated: %+v", m)
				}
				e.clock.Set(m.PurgeAfter.Add(time.Hour))
				if n, err := e.eng.ProposePurges(ctx, e.tenant, e.clock.Now(), 100); err != nil || n != 1 {
					t.Fatalf("proposed: %d %v", n, err)
				}
				refs, _ := st.RequestsOn(ctx, e.tenant.ID, addr)
				var purge request.Request
				for _, ref := range refs {
					if r, _ := st.Request(ctx, ref.ID); r.Service == sop.ServicePurge {
						purge = r
					}
				}
				if purge.ID == 0 || !exists() {
					t.Fatalf("purge request %+v, on the server %v", purge, exists())
				}
				e.act(t, purge.ID, workflow.Execute, "masa retensi 365 hari berakhir")
				e.runJobs(t)
				purge, _ = st.Request(ctx, purge.ID)
				got, _ := st.Mailbox(ctx, m.ID)
				if driver == "zimbra-without-right" {
					stp := e.running(t, purge.ID)
					if stp.Status != request.StepFailed || !strings.Contains(stp.Note, "zmprov grantRight domain mail.go.id usr surel@mail.go.id deleteAccount") {
						t.Fatalf("purge step without the right: %+v", stp)
					}
					if !exists() || got.Status != registry.Inactive {
						t.Fatalf("after the refusal: on the server %v, registry %s", exists(), got.Status)
					}
					return
				}
				steps, _ := st.StepsOf(ctx, purge.ID)
				i := slices.IndexFunc(steps, func(s request.Step) bool { return s.Kind == string(sop.KindPurge) })
				if purge.Status != request.Done || i < 0 || !strings.Contains(steps[i].Note, "dihapus permanen dari mail server") {
					t.Fatalf("purge request %s: %+v", purge.Status, steps)
				}
				if exists() || got.Status != registry.Removed {
					t.Fatalf("after the purge: on the server %v, registry %s", exists(), got.Status)
				}
			})
		})
	}
}
