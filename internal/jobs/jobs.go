// Package jobs runs background work (sending mail, creating and testing mailboxes) from
// a table in the database. A job is enqueued in the same transaction as the state
// change that causes it, retried with exponential backoff, and after its last attempt is
// left "dead" where staff can see it and retry it.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/surel-id/surel/internal/errs"
)

// Job states.
const (
	StatusQueued  = "queued"
	StatusRunning = "running"
	StatusDone    = "done"
	StatusDead    = "dead"
)

// Job is one unit of background work. Ref points at the row it works on (an outbox
// message, a request), so the payload lives with the domain and the job stays small.
type Job struct {
	ID          int64
	Kind        string
	Ref         int64
	Status      string
	Attempts    int
	MaxAttempts int
	RunAt       time.Time
	LastError   string
	CreatedAt   time.Time
	FinishedAt  time.Time
}

// Store keeps jobs.
type Store interface {
	// EnqueueJob adds a queued job and returns its id.
	EnqueueJob(ctx context.Context, kind string, ref int64, maxAttempts int, runAt time.Time) (int64, error)
	// ClaimJob takes the next due job (or one whose lease ran out: its runner died),
	// marks it running until now+lease and counts the attempt; errs.ErrNotFound if none.
	ClaimJob(ctx context.Context, now time.Time, lease time.Duration) (Job, error)
	FinishJob(ctx context.Context, id int64, at time.Time) error
	RetryJob(ctx context.Context, id int64, runAt time.Time, lastError string) error
	BuryJob(ctx context.Context, id int64, at time.Time, lastError string) error
}

// Handler does the work of one kind of job. It must be idempotent: a job may run again
// after a crash between its work and its FinishJob.
type Handler func(ctx context.Context, j Job) error

type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
func (p permanent) Unwrap() error { return p.err }

// Permanent marks an error that retrying cannot cure (a rejected address, a missing
// row): the job is buried at once.
func Permanent(err error) error { return permanent{err} }

// IsPermanent tells whether err was marked Permanent.
func IsPermanent(err error) bool { return errors.As(err, new(permanent)) }

// Runner claims and runs jobs.
type Runner struct {
	Store    Store
	Handlers map[string]Handler
	Log      *slog.Logger
	// Poll is how often an idle runner looks for due jobs.
	Poll time.Duration
	// Lease is how long a claimed job is its runner's; a job still running after it is
	// taken again by another runner.
	Lease time.Duration
	Now   func() time.Time
	// OnDead is told about every job that gives up, for metrics.
	OnDead func(Job)
	// OnRun is told the outcome of every attempt, for metrics.
	OnRun func(kind string, err error)
}

// Backoff is the wait before attempt n+1: 30 s doubling to at most 6 h, with jitter so a
// recovering SMTP server is not hit by every retry at once.
func Backoff(attempt int) time.Duration {
	d := 30 * time.Second << min(attempt-1, 10)
	if d > 6*time.Hour {
		d = 6 * time.Hour
	}
	return d/2 + rand.N(d/2+1)
}

func (r *Runner) defaults() {
	if r.Now == nil {
		r.Now = time.Now
	}
	if r.Poll == 0 {
		r.Poll = 500 * time.Millisecond
	}
	if r.Lease == 0 {
		r.Lease = 5 * time.Minute
	}
}

// Run works jobs until ctx ends.
func (r *Runner) Run(ctx context.Context) {
	r.defaults()
	t := time.NewTicker(r.Poll)
	defer t.Stop()
	for {
		for ctx.Err() == nil {
			ran, err := r.RunOne(ctx)
			if err != nil {
				r.Log.ErrorContext(ctx, "jobs: claim", "err", err)
				break
			}
			if !ran {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunOne runs the next due job, if any, and tells whether there was one.
func (r *Runner) RunOne(ctx context.Context) (bool, error) {
	r.defaults()
	now := r.Now()
	j, err := r.Store.ClaimJob(ctx, now, r.Lease)
	if err != nil {
		if errors.Is(err, errs.ErrNotFound) {
			return false, nil
		}
		return false, err
	}
	h, ok := r.Handlers[j.Kind]
	if !ok {
		err = Permanent(fmt.Errorf("no handler for job kind %q", j.Kind))
	} else {
		err = safeRun(ctx, h, j)
	}
	if r.OnRun != nil {
		r.OnRun(j.Kind, err)
	}
	log := r.Log.With("job", j.ID, "kind", j.Kind, "ref", j.Ref, "attempt", j.Attempts)
	switch {
	case err == nil:
		return true, r.Store.FinishJob(ctx, j.ID, r.Now())
	case IsPermanent(err) || j.Attempts >= j.MaxAttempts:
		log.ErrorContext(ctx, "jobs: gave up", "err", err)
		if r.OnDead != nil {
			j.LastError = err.Error()
			r.OnDead(j)
		}
		return true, r.Store.BuryJob(ctx, j.ID, r.Now(), err.Error())
	default:
		next := r.Now().Add(Backoff(j.Attempts))
		log.WarnContext(ctx, "jobs: will retry", "err", err, "at", next)
		return true, r.Store.RetryJob(ctx, j.ID, next, err.Error())
	}
}

func safeRun(ctx context.Context, h Handler, j Job) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return h(ctx, j)
}
