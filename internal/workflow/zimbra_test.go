package workflow_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/mailbox"
	"github.com/surel-id/surel/internal/mailbox/zimbra"
	"github.com/surel-id/surel/internal/mailbox/zimbra/zimbrafake"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/store"
	"github.com/surel-id/surel/internal/workflow"
)

// zimbraEnv points the engine at the Zimbra fake (domain mail.go.id) and its IMAP,
// signing in as admin.
func zimbraEnv(t *testing.T, e *env, admin string) *zimbrafake.Server {
	t.Helper()
	f := zimbrafake.Start(t, "mail.go.id")
	imap := f.StartIMAP(t)
	if admin == "" {
		admin = "admin@mail.go.id"
	}
	srv, err := zimbra.New(zimbra.Options{URL: f.URL, HTTPClient: f.Client, AdminUser: admin, AdminPassword: "rahasia"})
	if err != nil {
		t.Fatal(err)
	}
	e.eng.Mailboxes = func(int64) (workflow.MailServer, error) {
		return workflow.MailServer{Server: srv, Limits: mailbox.Limits{MaxAccounts: 100},
			Test: func(ctx context.Context, address, password string) error {
				return mailbox.TestLogin(ctx, imap, address, password)
			}}, nil
	}
	return f
}

// Provisioning on Zimbra: the password is generated within the class of service's
// policy (CreateAccount enforces it), and the account test, answered "password must be
// changed" after a right password, passes with that note instead of failing.
func TestZimbraProvisionAndMustChange(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := setup(t, st, "palangkaraya")
		f := zimbraEnv(t, e, "")
		f.Do(func(st *zimbrafake.State) {
			for k, v := range map[string]string{"zimbraPasswordMinLength": "18", "zimbraPasswordMinPunctuationChars": "1", "zimbraPasswordMinNumericChars": "2"} {
				st.COS["default"].Attrs[k] = v
			}
		})
		_, r := e.submit(t, "budi", "budi.santoso")
		e.act(t, r.ID, workflow.Forward, "")
		e.act(t, r.ID, workflow.Provision, "")
		e.runJobs(t)
		a := f.Account("budi.santoso@mail.go.id")
		if a == nil || a.Attrs["zimbraPasswordMustChange"] != "TRUE" || a.Attrs["zimbraNotes"] != "surel owner=request:"+itoa(r.ID) {
			t.Fatalf("account on Zimbra: %+v", a)
		}
		steps, _ := st.StepsOf(ctx, r.ID)
		i := slices.IndexFunc(steps, func(s request.Step) bool { return s.Kind == "account_test" })
		if i < 0 || steps[i].Status != request.StepDone || !strings.Contains(steps[i].Note, "kata sandi baru") {
			t.Fatalf("account test step: %+v", steps)
		}
		if stp := e.running(t, r.ID); stp.Kind != "deliver" {
			t.Fatalf("running after the account test: %+v", stp)
		}
	})
}

// An address held by a distribution list stops provisioning at once with the reason,
// for staff to choose another address; no retries against the server.
func TestZimbraListNameFailsForGood(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		e := setup(t, st, "palangkaraya")
		f := zimbraEnv(t, e, "")
		f.Do(func(st *zimbrafake.State) { st.Lists["budi.santoso@mail.go.id"] = []string{"x@mail.go.id"} })
		_, r := e.submit(t, "budi", "budi.santoso")
		e.act(t, r.ID, workflow.Forward, "")
		e.act(t, r.ID, workflow.Provision, "")
		e.runJobs(t)
		stp := e.running(t, r.ID)
		if stp.Status != request.StepFailed || !strings.Contains(stp.Note, "distribution list") {
			t.Fatalf("step = %+v", stp)
		}
		if n := strings.Count(strings.Join(f.Calls(), " "), "CreateAccountRequest"); n != 1 {
			t.Fatalf("%d creates: a taken address was retried", n)
		}
	})
}

// A delegated admin without getDomainQuotaUsage: the Kabid still sees the accounts and
// quota against the limits, with a note naming the right, not an error.
func TestZimbraCapacityWithoutQuotaUsageRight(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := setup(t, st, "kaltim")
		f := zimbraEnv(t, e, "surel@mail.go.id")
		f.Do(func(st *zimbrafake.State) {
			st.Admins["surel@mail.go.id"] = &zimbrafake.Admin{ID: "adm-surel", Password: "rahasia",
				Rights: map[string][]string{"mail.go.id": zimbrafake.DomainAdminRights}}
			st.AddAccount("lama@mail.go.id", "x", map[string]string{"zimbraMailQuota": "1073741824"})
		})
		if err := e.eng.SnapshotCapacity(ctx, e.tenant.ID); err != nil {
			t.Fatal(err)
		}
		v := e.eng.Capacity(ctx, e.tenant.ID)
		if v.Err != nil || v.Now.Accounts != 1 || v.Now.QuotaAllocated != 1<<30 || v.Now.UsedBytes != -1 ||
			len(v.Now.Notes) != 2 || !strings.Contains(v.Now.Notes[0], "grant the right getDomainQuotaUsage on domain mail.go.id") ||
			!strings.Contains(v.Now.Notes[1], "getCos") {
			t.Fatalf("capacity view = %+v", v)
		}
	})
}
