package workflow

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/config"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/jobs"
	"github.com/surel-id/surel/internal/registry"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff"
)

// JobSync is a sync of a tenant's mail server into its registry (its Ref the tenant):
// what the tenant admin's "Sinkronkan" queues. It runs in its own pool, one at a time
// and with a long timeout (app.pools): 50,000 accounts take about a minute.
const JobSync = "registry.sync"

// SyncTimeout bounds one sync attempt.
const SyncTimeout = 10 * time.Minute

// SyncMailboxes reads every account of the tenant's mail domain on its server into the
// registry now (registry.Service.Sync): `surel mailbox sync` and the sync job.
func (e *Engine) SyncMailboxes(ctx context.Context, tenantID int64, by audit.Actor) (registry.SyncRun, error) {
	if e.Registry == nil {
		return registry.SyncRun{}, errors.New("workflow: no registry")
	}
	t, ok := e.Tenant(tenantID)
	if !ok {
		return registry.SyncRun{}, fmt.Errorf("workflow: tenant %d not configured", tenantID)
	}
	ms, err := e.Mailboxes(tenantID)
	if err != nil {
		return registry.SyncRun{}, err
	}
	return e.Registry.Sync(ctx, tenantID, t.MailDomain, ms.Server, by)
}

// RequestSync queues a sync of staff member m's tenant, audited as m's, unless one is
// queued or running already (errs.Conflict "sync.running").
func (e *Engine) RequestSync(ctx context.Context, m staff.Member, ip string) error {
	if !m.Has(sop.RoleTenantAdmin) {
		return errs.New(errs.Forbidden, "error.forbidden")
	}
	return e.Store.Tx(ctx, func(ctx context.Context) error {
		busy, err := e.Store.JobPending(ctx, JobSync, m.TenantID)
		if err != nil {
			return err
		}
		if busy {
			return errs.New(errs.Conflict, "sync.running_conflict")
		}
		if _, err := e.Store.EnqueueJob(ctx, JobSync, m.TenantID, 3, e.now()); err != nil {
			return err
		}
		return e.Audit.Record(ctx, m.Actor().From(ip).Entry(m.TenantID, "registry.sync_requested", audit.Object("tenant", m.TenantID), ""))
	})
}

// SyncJob runs a queued sync.
func (e *Engine) SyncJob(ctx context.Context, j jobs.Job) error {
	_, err := e.SyncMailboxes(ctx, j.Ref, audit.System)
	return err
}

// SyncPending tells whether a sync of the tenant is queued or running.
func (e *Engine) SyncPending(ctx context.Context, tenantID int64) (bool, error) {
	return e.Store.JobPending(ctx, JobSync, tenantID)
}

// SyncSchedule is a tenant's daily sync: its time of day and zone, and the slot that
// last fell due.
type SyncSchedule struct {
	At   string         // "02:00"
	Zone *time.Location // the tenant's SOP's time zone
	// Due is the latest time at or before now that the sync fell due: today's At, or
	// yesterday's before it.
	Due time.Time
}

// SyncScheduleOf is the tenant's daily sync as of now; ok false when it has none.
func (e *Engine) SyncScheduleOf(ctx context.Context, tenantID int64, now time.Time) (SyncSchedule, bool, error) {
	ms, err := e.Mailboxes(tenantID)
	if err != nil || ms.SyncAt == "" {
		return SyncSchedule{}, false, nil
	}
	mins, ok := config.ParseTimeOfDay(ms.SyncAt)
	if !ok {
		return SyncSchedule{}, false, fmt.Errorf("workflow: tenant %d: sync_at %q", tenantID, ms.SyncAt)
	}
	t, ok := e.Tenant(tenantID)
	if !ok {
		return SyncSchedule{}, false, fmt.Errorf("workflow: tenant %d not configured", tenantID)
	}
	loc := time.UTC
	if e.Book != nil {
		def, _, err := e.Book.Workflow(ctx, t.SOPRef())
		if err != nil {
			return SyncSchedule{}, false, err
		}
		if loc, err = def.Location(); err != nil {
			return SyncSchedule{}, false, err
		}
	}
	l := now.In(loc)
	due := time.Date(l.Year(), l.Month(), l.Day(), mins/60, mins%60, 0, 0, loc)
	if due.After(now) {
		due = due.AddDate(0, 0, -1)
	}
	return SyncSchedule{At: ms.SyncAt, Zone: loc, Due: due}, true, nil
}

// ScheduledSync queues the tenant's daily sync (the job "Sinkronkan sekarang" queues,
// audited as the system's) when its time of day has come and no sync started since,
// nor is one queued or running: the leader's periodic work, so one process asks it
// however many serve. It tells whether it queued one.
func (e *Engine) ScheduledSync(ctx context.Context, tenantID int64, now time.Time) (bool, error) {
	sch, ok, err := e.SyncScheduleOf(ctx, tenantID, now)
	if err != nil || !ok || e.Registry == nil {
		return false, err
	}
	runs, err := e.Registry.Syncs(ctx, tenantID, 1)
	if err != nil {
		return false, err
	}
	if len(runs) > 0 && !runs[0].StartedAt.Before(sch.Due) {
		return false, nil
	}
	queued := false
	err = e.Store.Tx(ctx, func(ctx context.Context) error {
		busy, err := e.Store.JobPending(ctx, JobSync, tenantID)
		if err != nil || busy {
			return err
		}
		if _, err := e.Store.EnqueueJob(ctx, JobSync, tenantID, 3, e.now()); err != nil {
			return err
		}
		queued = true
		return e.Audit.Record(ctx, audit.System.Entry(tenantID, "registry.sync_scheduled", audit.Object("tenant", tenantID),
			"setiap hari pukul "+sch.At))
	})
	return queued, err
}
