package workflow_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/mailbox"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/store"
	"github.com/surel-id/surel/internal/workflow"
)

// counting counts Capacity calls to the real driver underneath.
type counting struct {
	mailbox.Server
	n atomic.Int32
}

func (c *counting) Capacity(ctx context.Context, domain string) (mailbox.Capacity, error) {
	c.n.Add(1)
	return c.Server.Capacity(ctx, domain)
}

// The capacity shown to staff is read once a minute, not on every page view; an old
// figure is served while the fresh one is read.
func TestCapacityIsCachedForAMinute(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := setup(t, st, "kaltim")
		srv := &counting{Server: e.mail}
		e.eng.Mailboxes = func(int64) (workflow.MailServer, error) {
			return workflow.MailServer{Server: srv, Limits: mailbox.Limits{MaxAccounts: 1}}, nil
		}
		if err := e.mail.Create(ctx, mailbox.New{Address: "a.b@mail.go.id", Password: "x-1234567", Owner: "manual"}); err != nil {
			t.Fatal(err)
		}
		v := e.eng.Capacity(ctx, e.tenant.ID)
		if v.Err != nil || v.Now.Accounts != 1 || !v.Full() {
			t.Fatalf("first view = %+v", v)
		}
		for range 5 {
			e.eng.Capacity(ctx, e.tenant.ID)
		}
		if n := srv.n.Load(); n != 1 {
			t.Fatalf("%d reads within the minute, want 1", n)
		}
		e.clock.Set(e.clock.Now().Add(2 * time.Minute))
		if v := e.eng.Capacity(ctx, e.tenant.ID); v.Now.Accounts != 1 {
			t.Fatalf("stale view = %+v", v)
		}
		deadline := time.Now().Add(5 * time.Second)
		for srv.n.Load() != 2 {
			if time.Now().After(deadline) {
				t.Fatal("no background refresh after the minute")
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}

// Provisioning past the tenant's limit is refused with the figures, shown on the step.
func TestProvisionRefusedWhenFull(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := setup(t, st, "palangkaraya")
		e.eng.Mailboxes = func(int64) (workflow.MailServer, error) {
			return workflow.MailServer{Server: e.mail, Limits: mailbox.Limits{MaxAccounts: 1}}, nil
		}
		if err := e.mail.Create(ctx, mailbox.New{Address: "a.b@mail.go.id", Password: "x-1234567", Owner: "manual"}); err != nil {
			t.Fatal(err)
		}
		_, r := e.submit(t, "dewi", "dewi.lestari")
		e.act(t, r.ID, workflow.Forward, "")
		e.act(t, r.ID, workflow.Provision, "")
		e.runJobs(t)
		stp := e.running(t, r.ID)
		if stp.Status != request.StepFailed || !strings.Contains(stp.Note, "1 of 1 accounts") {
			t.Fatalf("step past the limit = %+v", stp)
		}
		if _, err := e.mail.Get(ctx, "dewi.lestari@mail.go.id"); err == nil {
			t.Fatal("a mailbox was made past the limit")
		}
	})
}
