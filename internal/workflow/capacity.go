package workflow

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/mailbox"
)

// CapacityView is a tenant's mail server capacity as staff see it at the capacity check
// (seed 004 step 3): the server's figures against the tenant's limits, as of At.
type CapacityView struct {
	Now          mailbox.Capacity
	Limits       mailbox.Limits
	DefaultQuota int64
	// At is when the figures were read; zero before any reading succeeded. Checking is
	// true while none has been tried yet.
	At       time.Time
	Checking bool
	// Err is the latest reading's failure: with At set, the figures shown are older.
	Err error
}

// Known tells whether there are figures to show.
func (c CapacityView) Known() bool { return !c.At.IsZero() }

// Full reports whether one more mailbox would pass a limit.
func (c CapacityView) Full() bool {
	return c.Known() && c.Limits.Check(c.Now, c.DefaultQuota) != nil
}

// CapacitySnapshot is a tenant's mail server figures as the leader last read them (At,
// zero before a reading succeeded), and the latest reading's error ("" when it
// succeeded).
type CapacitySnapshot struct {
	TenantID int64
	Figures  mailbox.Capacity
	At       time.Time
	Error    string
}

// CapacityEvery is how often the leader reads each tenant's capacity. Counting a national
// domain's mailboxes takes about a second (bench/RESULTS-backoffice.md): one process
// does it for all, and pages read the snapshot.
const CapacityEvery = time.Minute

// Capacity gives the tenant's capacity for display from the last snapshot, whatever its
// age (shown with it): a page never waits on the mail server. Before the first snapshot
// the view says so (Checking).
func (e *Engine) Capacity(ctx context.Context, tenantID int64) CapacityView {
	snap, err := e.Store.CapacitySnapshot(ctx, tenantID)
	switch {
	case errors.Is(err, errs.ErrNotFound):
		return e.capacityView(tenantID, nil)
	case err != nil:
		v := e.capacityView(tenantID, nil)
		v.Checking, v.Err = false, err
		return v
	}
	return e.capacityView(tenantID, &snap)
}

// capacityView is the tenant's capacity for display from snap, nil before the first.
func (e *Engine) capacityView(tenantID int64, snap *CapacitySnapshot) CapacityView {
	var v CapacityView
	if ms, err := e.Mailboxes(tenantID); err == nil {
		v.Limits, v.DefaultQuota = ms.Limits, ms.DefaultQuota
	}
	if snap == nil {
		v.Checking = true
		return v
	}
	v.Now, v.At = snap.Figures, snap.At
	if snap.Error != "" {
		v.Err = errors.New(snap.Error)
	}
	return v
}

// SnapshotCapacity reads the tenant's capacity from its mail server (within a minute's
// bound, holding one of the server's call slots) and stores it for the pages, the
// server's error included. For the leader's periodic work.
func (e *Engine) SnapshotCapacity(ctx context.Context, tenantID int64) error {
	ms, err := e.Mailboxes(tenantID)
	if err != nil {
		return err
	}
	t, ok := e.Tenant(tenantID)
	if !ok {
		return fmt.Errorf("workflow: tenant %d not configured", tenantID)
	}
	ctx, cancel := context.WithTimeout(ctx, 45*time.Second)
	defer cancel()
	snap := CapacitySnapshot{TenantID: tenantID}
	// The slot is waited for: a reading a minute late is no harm.
	if ms.Calls != nil {
		select {
		case ms.Calls <- struct{}{}:
			defer func() { <-ms.Calls }()
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	c, err := ms.Server.Capacity(ctx, t.MailDomain)
	snap.Figures, snap.At = c, e.now()
	if err != nil {
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			err = fmt.Errorf("the mail server did not answer within 45 s: %w", err)
		}
		snap.Error = err.Error()
	}
	if err := e.Store.SaveCapacity(context.WithoutCancel(ctx), snap); err != nil {
		return err
	}
	if snap.Error == "" && e.OnCapacity != nil {
		e.OnCapacity(ctx, tenantID, CapacityView{Now: snap.Figures, Limits: ms.Limits, DefaultQuota: ms.DefaultQuota, At: snap.At})
	}
	return nil
}
