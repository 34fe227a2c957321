package workflow_test

import (
	"context"
	"errors"
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

// counting counts Capacity calls to the real driver underneath; fail makes them fail,
// hang makes them wait for their context (an unanswering server).
type counting struct {
	mailbox.Server
	n          atomic.Int32
	fail, hang atomic.Bool
}

func (c *counting) Capacity(ctx context.Context, domain string) (mailbox.Capacity, error) {
	c.n.Add(1)
	if c.hang.Load() {
		<-ctx.Done()
		return mailbox.Capacity{}, ctx.Err()
	}
	if c.fail.Load() {
		return mailbox.Capacity{}, errors.New("connection refused")
	}
	return c.Server.Capacity(ctx, domain)
}

// Staff's pages show the capacity from the leader's snapshot and never call the server:
// before the first reading they say it is being checked, after it they show the figures
// with their time, and when a later reading fails they keep the last figures beside the
// error.
func TestCapacityFromSnapshot(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := setup(t, st, "kaltim")
		srv := &counting{Server: e.mail}
		srv.hang.Store(true)
		e.eng.Mailboxes = func(int64) (workflow.MailServer, error) {
			return workflow.MailServer{Server: srv, Limits: mailbox.Limits{MaxAccounts: 1}}, nil
		}
		if err := e.mail.Create(ctx, mailbox.New{Address: "a.b@mail.go.id", Password: "x-1234567", Owner: "manual"}); err != nil {
			t.Fatal(err)
		}
		begin := time.Now()
		v := e.eng.Capacity(ctx, e.tenant.ID)
		if !v.Checking || v.Known() || v.Full() || srv.n.Load() != 0 || time.Since(begin) > time.Second {
			t.Fatalf("view before any snapshot = %+v after %s, %d server calls", v, time.Since(begin), srv.n.Load())
		}
		srv.hang.Store(false)
		if err := e.eng.SnapshotCapacity(ctx, e.tenant.ID); err != nil {
			t.Fatal(err)
		}
		for range 5 {
			v = e.eng.Capacity(ctx, e.tenant.ID)
		}
		if v.Err != nil || v.Checking || v.Now.Accounts != 1 || !v.Full() || !v.At.Equal(e.clock.Now().UTC().Truncate(time.Microsecond)) {
			t.Fatalf("view after the snapshot = %+v", v)
		}
		srv.fail.Store(true)
		e.clock.Set(e.clock.Now().Add(5 * time.Minute))
		if err := e.eng.SnapshotCapacity(ctx, e.tenant.ID); err != nil {
			t.Fatal(err)
		}
		old := v.At
		v = e.eng.Capacity(ctx, e.tenant.ID)
		if v.Err == nil || !strings.Contains(v.Err.Error(), "connection refused") || v.Now.Accounts != 1 || !v.At.Equal(old) {
			t.Fatalf("view after a failed reading = %+v", v)
		}
		if n := srv.n.Load(); n != 2 {
			t.Fatalf("%d server calls, want the 2 snapshots' only", n)
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
