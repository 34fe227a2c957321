package workflow

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/surel-id/surel/internal/audit"
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
