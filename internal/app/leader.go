package app

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/store"
	"github.com/surel-id/surel/internal/upload"
	"github.com/surel-id/surel/internal/workflow"
)

// Leadership timing. A process that finds the leader lock taken tries again every
// leaderRetry, so a new leader starts within that after the old one dies (its lock goes
// with its connection); the leader checks its lock every leaderCheck and stops its
// periodic work when it is lost.
const (
	leaderRetry = 5 * time.Second
	leaderCheck = time.Second
)

// periodic is one piece of work the leader repeats.
type periodic struct {
	name  string
	every time.Duration
	run   func(ctx context.Context, now time.Time) (int64, error)
}

// tasks is the periodic work of a deployment: one process (the leader) runs it, so a
// reminder or a snapshot is made once however many processes serve. Each task is safe
// to run twice at a hand-over (its marks are conditional, its deletes idempotent).
func (a *App) tasks() []periodic {
	return []periodic{
		{"reminders", time.Minute, func(ctx context.Context, now time.Time) (int64, error) {
			n, err := a.Workflow.Remind(ctx, now)
			return int64(n), err
		}},
		{"sweep", 10 * time.Minute, func(ctx context.Context, now time.Time) (int64, error) {
			return a.Store.Sweep(ctx, now, a.Config.Limits.SessionIdle, 4*a.Config.Limits.LockFor)
		}},
		{"documents swept", 10 * time.Minute, a.sweepDocuments},
		{"pruned", time.Hour, a.prune},
		{"scans purged", time.Hour, func(ctx context.Context, now time.Time) (int64, error) {
			n, err := a.Archive.PurgeScans(ctx, now, 1000)
			return int64(n), err
		}},
		{"rosters imported", time.Hour, a.scheduledRosters},
		{"mailbox syncs queued", 5 * time.Minute, a.scheduledSyncs},
		{"purges proposed", time.Hour, func(ctx context.Context, now time.Time) (int64, error) {
			var total int64
			var errs []error
			for _, t := range a.Tenants.bySlug {
				n, err := a.Workflow.ProposePurges(ctx, t, now, 500)
				total += int64(n)
				if err != nil {
					errs = append(errs, fmt.Errorf("tenant %s: %w", t.Slug, err))
				}
			}
			return total, errors.Join(errs...)
		}},
		{"capacity", workflow.CapacityEvery, func(ctx context.Context, now time.Time) (int64, error) {
			var errs []error
			for _, t := range a.Tenants.All() {
				if err := a.Workflow.SnapshotCapacity(ctx, t.ID); err != nil {
					errs = append(errs, fmt.Errorf("tenant %s: %w", t.Slug, err))
				}
			}
			return 0, errors.Join(errs...)
		}},
	}
}

// lead competes for the deployment's leader lock (a PostgreSQL advisory lock; always
// granted on SQLite) until ctx ends, and runs the periodic work while it holds it.
func (a *App) lead(ctx context.Context) {
	for ctx.Err() == nil {
		l, err := a.Store.TryLock(ctx, "leader")
		if err != nil {
			a.Log.Warn("leader: lock", "err", err)
		}
		if l != nil {
			a.Log.Info("leader: this process runs the periodic work")
			a.leading.Store(true)
			lctx, cancel := context.WithCancel(ctx)
			var wg sync.WaitGroup
			for _, p := range a.tasks() {
				wg.Add(1)
				go func() { defer wg.Done(); a.repeat(lctx, p) }()
			}
			a.hold(lctx, l)
			cancel()
			wg.Wait()
			a.leading.Store(false)
			l.Release()
			if ctx.Err() == nil {
				a.Log.Warn("leader: lock lost; another process takes over the periodic work")
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(leaderRetry):
		}
	}
}

// hold returns when ctx ends or the lock is lost.
func (a *App) hold(ctx context.Context, l interface{ Check(context.Context) error }) {
	t := time.NewTicker(leaderCheck)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		cctx, cancel := context.WithTimeout(ctx, leaderCheck)
		err := l.Check(cctx)
		cancel()
		if err != nil && ctx.Err() == nil {
			a.Log.Warn("leader: check", "err", err)
			return
		}
	}
}

// repeat runs p at once and then every p.every until ctx ends.
func (a *App) repeat(ctx context.Context, p periodic) {
	t := time.NewTicker(p.every)
	defer t.Stop()
	for {
		n, err := p.run(ctx, time.Now())
		switch {
		case err != nil && ctx.Err() == nil:
			a.Log.Error(p.name, "err", err)
		case n > 0:
			a.Log.Info(p.name, "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// listen applies what other processes announce (store.Listen): a tenant's SOP or
// calendar changed, so this process's cached copy goes; a job was queued, so the pool of
// its queue looks at once. At every (re)connection all caches are forgotten and all
// pools look, since what was said meanwhile was not heard.
func (a *App) listen(ctx context.Context) {
	a.Store.Listen(ctx, []string{store.ChannelSOP, store.ChannelJobs, store.ChannelTenant}, func(n store.Notification) {
		switch n.Channel {
		case "":
			a.Book.ForgetAll()
			a.Runner.WakeAll()
			for _, t := range a.Tenants.All() {
				if err := a.ApplySetup(ctx, t.ID); err != nil {
					a.Log.Warn("first-run settings not applied", "tenant", t.Slug, "err", err)
				}
			}
		case store.ChannelTenant:
			if id, err := strconv.ParseInt(n.Payload, 10, 64); err == nil {
				if err := a.ApplySetup(ctx, id); err != nil {
					a.Log.Warn("first-run settings not applied", "tenant", id, "err", err)
				}
			}
		case store.ChannelSOP:
			if id, err := strconv.ParseInt(n.Payload, 10, 64); err == nil {
				a.Book.Forget(id)
			}
		case store.ChannelJobs:
			if n.Payload == "" {
				a.Runner.WakeAll()
			} else {
				a.Runner.Wake(n.Payload)
			}
		}
	})
}

// sweepDocuments deletes the bytes of documents nothing refers to: uploads whose request
// never recorded them (a crash, or a form abandoned mid-way) and documents replaced or
// withdrawn whose removal after their commit did not happen (store/sweep.go).
func (a *App) sweepDocuments(ctx context.Context, now time.Time) (int64, error) {
	if d, ok := a.Uploads.Blobs.(*upload.Dir); ok {
		if _, err := d.SweepTemp(now, time.Hour); err != nil {
			return 0, err
		}
	}
	var n int64
	for {
		names, err := a.Store.FilesToSweep(ctx, now, 500)
		if err != nil || len(names) == 0 {
			return n, err
		}
		for _, name := range names {
			if err := a.Uploads.Remove(ctx, name); err != nil && !errors.Is(err, errs.ErrNotFound) {
				return n, err
			}
			if err := a.Store.SweptFile(ctx, name); err != nil {
				return n, err
			}
			n++
		}
	}
}

// prune deletes what the retention period (SUREL_RETENTION_DAYS) no longer keeps: done
// jobs and sent mail, about 21 million rows a year at national volume otherwise. In
// batches, so no statement holds the tables long.
func (a *App) prune(ctx context.Context, now time.Time) (int64, error) {
	before := now.Add(-a.Config.Jobs.Retention)
	var total int64
	for _, del := range []func(context.Context, time.Time, int) (int64, error){a.Store.PruneJobs, a.Store.PruneOutbox} {
		for {
			n, err := del(ctx, before, 5000)
			total += n
			if err != nil || n < 5000 {
				if err != nil {
					return total, err
				}
				break
			}
		}
	}
	return total, nil
}

// scheduledRosters reads each tenant's scheduled roster when a day has passed and it
// changed (rostersync.Service.Scheduled); its report waits for the tenant admin.
func (a *App) scheduledRosters(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	var errs []error
	for _, c := range a.Config.Tenants {
		t, ok := a.Tenants.BySlug(c.Slug)
		if !ok || c.Roster.Source == "" {
			continue
		}
		done, err := a.Web.Rosters.Scheduled(ctx, t.ID, c.Roster.Source, now)
		if err != nil {
			errs = append(errs, fmt.Errorf("tenant %s: %w", c.Slug, err))
		}
		if done {
			n++
		}
	}
	return n, errors.Join(errs...)
}

// scheduledSyncs queues the daily sync of each tenant whose mail server has a sync_at
// and whose time has come (workflow.Engine.ScheduledSync).
func (a *App) scheduledSyncs(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	var errs []error
	for _, t := range a.Tenants.All() {
		done, err := a.Workflow.ScheduledSync(ctx, t.ID, now)
		if err != nil {
			errs = append(errs, fmt.Errorf("tenant %s: %w", t.Slug, err))
		}
		if done {
			n++
		}
	}
	return n, errors.Join(errs...)
}
