package workflow_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/mailbox/zimbra/zimbrafake"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/seal"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/store"
	"github.com/surel-id/surel/internal/workflow"
)

// A sealed password gone stale before the create ran (sealed under a secret key since
// replaced, or breaking the class of service's policy, which CreateAccount would refuse
// at every retry) is replaced by one within the policy and sealed again; the applicant
// is handed the password the server has.
func TestStaleSealedPasswordResealed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := setup(t, st, "kominfo")
		f := zimbraEnv(t, e, "")
		f.Do(func(s *zimbrafake.State) { s.COS["default"].Attrs["zimbraPasswordMinLength"] = "20" })
		old, _ := seal.New(bytes.Repeat([]byte{9}, 32))
		for i, c := range []struct{ name, sealed string }{
			{"old key", old.Seal("Sementara-12345678901", "")},
			{"old policy", ""},
		} {
			u, r := e.submitNIP(t, "stale"+itoa(int64(i)), "budi.santoso"+itoa(int64(i)), "19610923199103100"+itoa(int64(i+4)))
			sealed := c.sealed
			if sealed == "" {
				sealed = e.eng.Seal.Seal("Pendek-123", "request:"+itoa(r.ID))
			} else {
				sealed = old.Seal("Sementara-12345678901", "request:"+itoa(r.ID))
			}
			if err := st.PutCredential(ctx, workflow.Credential{RequestID: r.ID, Address: r.MailboxAddress(), Sealed: sealed, CreatedAt: time.Now()}); err != nil {
				t.Fatal(err)
			}
			for e.running(t, r.ID).Kind != string(sop.KindProvision) {
				e.act(t, r.ID, workflow.Forward, "")
			}
			stp := e.running(t, r.ID)
			if _, err := e.eng.Act(ctx, e.members[sop.Role(stp.Role)], r.ID, workflow.Input{StepID: stp.ID, Action: workflow.Provision, Mailbox: r.Mailbox}); err != nil {
				t.Fatal(err)
			}
			e.runJobs(t)
			if r, _ = st.Request(ctx, r.ID); r.Status != request.Done {
				t.Fatalf("%s: status %s, steps %+v", c.name, r.Status, e.running(t, r.ID))
			}
			h, err := e.eng.Reveal(ctx, u, r.ID, "127.0.0.1")
			if err != nil {
				t.Fatalf("%s: reveal: %v", c.name, err)
			}
			a := f.Account(r.MailboxAddress())
			if a == nil || a.Password != h.Password || len(h.Password) < 20 {
				t.Fatalf("%s: handed %q, server has %+v", c.name, h.Password, a)
			}
		}
	})
}
