package app

import (
	"context"
	"sync"
	"time"
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
