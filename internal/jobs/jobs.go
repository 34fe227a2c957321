// Package jobs runs background work (sending mail, creating and testing mailboxes) from
// a table in the database, with several processes sharing it. A job is enqueued in the
// same transaction as the state change that causes it, retried with exponential backoff,
// and after its last attempt is left "dead" where staff can see it and retry it.
//
// Each process runs one Runner: a bounded pool of workers per queue (mail apart from
// provisioning, so an unanswering mail server holds up neither the other nor the
// pages), each claiming a batch of due jobs at a time (FOR UPDATE SKIP LOCKED on
// PostgreSQL, so processes never wait on each other's rows) and woken by a notification
// when a job is queued. A claimed job is leased to its runner for a short time, renewed
// by a heartbeat while it runs: when a process dies (kill -9), its jobs are taken over by
// another within the lease, and a restarted process takes back its own at once. An
// attempt counts only when it ran to an outcome (done, failed, timed out), never when
// its process stopped under it; a process that stops gracefully finishes its running
// jobs within a grace period and records their outcome before it closes the database.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"
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
	ID   int64
	Kind string
	// Queue is the pool of workers that runs it (Pool.Name), from its kind.
	Queue  string
	Ref    int64
	Status string
	// Attempts counts the runs that came to an outcome; Claims every time a runner took
	// it, crashed runs included.
	Attempts    int
	Claims      int
	MaxAttempts int
	RunAt       time.Time
	LastError   string
	CreatedAt   time.Time
	FinishedAt  time.Time
}

// Last tells whether the run a handler is given is the job's last attempt (a failure
// then buries it).
func (j Job) Last() bool { return j.Attempts+1 >= j.MaxAttempts }

// Store keeps jobs. by is the claiming runner's Instance; a job whose lease went to
// another runner meanwhile (this one stalled past it) is not changed by this one.
type Store interface {
	// Tx runs fn in one transaction (the calls with the ctx it gets join it).
	Tx(ctx context.Context, fn func(ctx context.Context) error) error
	// EnqueueJob adds a queued job and returns its id.
	EnqueueJob(ctx context.Context, kind string, ref int64, maxAttempts int, runAt time.Time) (int64, error)
	// ClaimJobs takes up to n due jobs of queue ("" for any queue), oldest due first,
	// skipping those another runner is taking, and leases them to by until now+lease.
	ClaimJobs(ctx context.Context, queue, by string, now time.Time, lease time.Duration, n int) ([]Job, error)
	// ExtendLeases renews the leases of all of by's running jobs until until.
	ExtendLeases(ctx context.Context, by string, until time.Time) error
	// RescueJobs queues again the running jobs whose lease ended before now (their
	// runner died) or whose runner's Instance starts with own but is not by (a previous
	// run of this process, which is not running any more); it buries those claimed
	// maxClaimsOver times more than their MaxAttempts (they kill their runner) and
	// returns them.
	RescueJobs(ctx context.Context, now time.Time, own, by string, maxClaimsOver int) (dead []Job, err error)
	// FinishJob, RetryJob and BuryJob record an attempt's outcome and count it.
	FinishJob(ctx context.Context, id int64, by string, at time.Time) error
	RetryJob(ctx context.Context, id int64, by string, runAt time.Time, lastError string) error
	BuryJob(ctx context.Context, id int64, by string, at time.Time, lastError string) error
	// ReleaseJob queues a job again for runAt without counting the attempt: it was
	// interrupted (its process stopping) or did not start (Later), not failed.
	ReleaseJob(ctx context.Context, id int64, by string, runAt time.Time) error
}

// Handler does the work of one kind of job. It must be idempotent: a job may run again
// after a crash between its work and the record of its outcome.
type Handler func(ctx context.Context, j Job) error

type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
func (p permanent) Unwrap() error { return p.err }

// Permanent marks an error that retrying cannot cure (a rejected address, a missing
// row): the job is buried at once.
func Permanent(err error) error { return permanent{err} }

// IsPermanent tells whether err was marked Permanent.
func IsPermanent(err error) bool { return errors.As(err, new(permanent)) }

// later is a job that did not run: something it needs is busy.
type later struct{ after time.Duration }

func (l later) Error() string { return fmt.Sprintf("not run now: busy; again in %s", l.after) }

// Later is what a handler returns when it did not start its work because a resource it
// needs is at its limit (the mail server's calls in flight): the job is queued again
// after d without counting an attempt.
func Later(d time.Duration) error { return later{d} }

// Pool is the workers of one queue in one process.
type Pool struct {
	// Name is the queue it runs; the kinds of Kinds are queued under it.
	Name  string
	Kinds []string
	// Workers bounds how many of its jobs run at once in this process.
	Workers int
	// Timeout bounds one attempt: it counts as failed when over (and is retried).
	Timeout time.Duration
}

// Runner claims and runs jobs. Set its fields before Run; they are not changed after.
type Runner struct {
	Store    Store
	Handlers map[string]Handler
	Log      *slog.Logger
	// Pools run the queues; none runs one worker over every queue (tests).
	Pools []Pool
	// Instance names this runner in the leases it takes: unique per process run. Own
	// is its prefix shared by every run of the same process (host and listen address):
	// the leases a previous run left are taken back at once (RescueJobs).
	Instance, Own string
	// Poll is how often an idle pool looks for due jobs without being woken.
	Poll time.Duration
	// Lease is how long a claimed job is its runner's without a heartbeat; Heartbeat how
	// often the runner renews the leases of its running jobs.
	Lease, Heartbeat time.Duration
	// Grace is how long a stopping runner lets its running jobs finish; those still
	// running then are cancelled and released unrecorded as attempts.
	Grace time.Duration
	Now   func() time.Time
	// OnDead is told about every job that gives up, in the transaction that buries it
	// (so the job's domain marks it failed with it, or neither happens).
	OnDead func(ctx context.Context, j Job) error
	// OnRun is told the outcome of every attempt, for metrics.
	OnRun func(kind string, err error)

	once sync.Once
	wake map[string]chan struct{}
}

// Defaults: a job is another runner's 15 seconds after its runner stopped renewing it
// (every 5 seconds). Poll is the fallback of the wake-up notification.
const (
	DefaultLease     = 15 * time.Second
	DefaultHeartbeat = 5 * time.Second
	DefaultPoll      = 2 * time.Second
	DefaultGrace     = 20 * time.Second
	DefaultTimeout   = 30 * time.Second
)

// maxClaimsOver is how many claims beyond MaxAttempts a job gets before it is buried as
// killing its runner: a job that crashes the process would otherwise crash every process
// that takes it, forever.
const maxClaimsOver = 3

// Backoff is the wait before attempt n+1: 30 s doubling to at most 6 h, with jitter so a
// recovering SMTP server is not hit by every retry at once.
func Backoff(attempt int) time.Duration {
	d := 30 * time.Second << min(max(attempt-1, 0), 10)
	if d > 6*time.Hour {
		d = 6 * time.Hour
	}
	return d/2 + rand.N(d/2+1)
}

func (r *Runner) defaults() {
	r.once.Do(func() {
		if r.Now == nil {
			r.Now = time.Now
		}
		if r.Poll == 0 {
			r.Poll = DefaultPoll
		}
		if r.Lease == 0 {
			r.Lease = DefaultLease
		}
		if r.Heartbeat == 0 {
			r.Heartbeat = DefaultHeartbeat
		}
		if r.Grace == 0 {
			r.Grace = DefaultGrace
		}
		if r.Instance == "" {
			r.Instance = fmt.Sprintf("runner-%d", rand.Int64())
		}
		if len(r.Pools) == 0 {
			r.Pools = []Pool{{Workers: 1}}
		}
		r.wake = map[string]chan struct{}{}
		for i := range r.Pools {
			p := &r.Pools[i]
			p.Workers = max(p.Workers, 1)
			if p.Timeout == 0 {
				p.Timeout = DefaultTimeout
			}
			r.wake[p.Name] = make(chan struct{}, 1)
		}
	})
}

// QueueOf is the queue of a job kind: the pool whose Kinds hold it, else the first pool.
func (r *Runner) QueueOf(kind string) string {
	r.defaults()
	for _, p := range r.Pools {
		for _, k := range p.Kinds {
			if k == kind {
				return p.Name
			}
		}
	}
	return r.Pools[0].Name
}

// Wake tells the pool of queue that a job is due now (a notification from the
// enqueuing transaction), so it claims at once instead of at its next poll.
func (r *Runner) Wake(queue string) {
	r.defaults()
	if c, ok := r.wake[queue]; ok {
		select {
		case c <- struct{}{}:
		default:
		}
	}
}

// WakeAll wakes every pool: after notifications may have been missed.
func (r *Runner) WakeAll() {
	r.defaults()
	for q := range r.wake {
		r.Wake(q)
	}
}

// Run works jobs until ctx ends, then drains: it claims no more, lets the running jobs
// finish within Grace, records their outcomes, and returns when all are recorded. The
// caller closes the database only after Run returned.
func (r *Runner) Run(ctx context.Context) {
	r.defaults()
	// hard ends the running jobs themselves: Grace after ctx.
	hard, cancelHard := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelHard()
	var wg sync.WaitGroup
	for _, p := range r.Pools {
		wg.Add(1)
		go func() { defer wg.Done(); r.pool(ctx, hard, p) }()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	r.rescue(hard)
	beat := time.NewTicker(r.Heartbeat)
	defer beat.Stop()
	rescue := time.NewTicker(r.Lease / 2)
	defer rescue.Stop()
	var grace <-chan time.Time
	stopping := ctx.Done()
	for {
		select {
		case <-done:
			return
		case <-stopping:
			stopping = nil
			grace = time.After(r.Grace)
			r.Log.Info("jobs: stopping; running jobs have a grace period", "grace", r.Grace)
		case <-grace:
			r.Log.Warn("jobs: grace period over; cancelling the jobs still running")
			cancelHard()
		case <-beat.C:
			// Renewed during the drain too: the jobs finishing are still this runner's.
			bctx, cancel := context.WithTimeout(hard, r.Heartbeat)
			if err := r.Store.ExtendLeases(bctx, r.Instance, r.Now().Add(r.Lease)); err != nil && hard.Err() == nil {
				r.Log.Warn("jobs: heartbeat", "err", err)
			}
			cancel()
		case <-rescue.C:
			if stopping != nil {
				r.rescue(hard)
			}
		}
	}
}

// rescue queues again the jobs of dead runners (and buries those that kill theirs).
func (r *Runner) rescue(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, r.Lease)
	defer cancel()
	dead, err := r.Store.RescueJobs(ctx, r.Now(), r.Own, r.Instance, maxClaimsOver)
	if err != nil {
		if ctx.Err() == nil {
			r.Log.Warn("jobs: rescue", "err", err)
		}
		return
	}
	for _, j := range dead {
		r.Log.Error("jobs: gave up", "job", j.ID, "kind", j.Kind, "ref", j.Ref, "err", j.LastError)
		if r.OnDead != nil {
			if err := r.Store.Tx(ctx, func(ctx context.Context) error { return r.OnDead(ctx, j) }); err != nil {
				r.Log.Error("jobs: recording a job that gave up", "job", j.ID, "err", err)
			}
		}
	}
	if len(dead) > 0 {
		r.WakeAll()
	}
}

// pool claims and runs p's jobs with at most p.Workers at once until ctx ends, then
// waits for its running jobs (which end with hard at the latest).
func (r *Runner) pool(ctx, hard context.Context, p Pool) {
	slots := make(chan struct{}, p.Workers)
	freed := make(chan struct{}, p.Workers)
	var running sync.WaitGroup
	defer running.Wait()
	poll := time.NewTicker(r.Poll)
	defer poll.Stop()
	for ctx.Err() == nil {
		free := p.Workers - len(slots)
		claimed := 0
		if free > 0 {
			js, err := r.Store.ClaimJobs(ctx, p.Name, r.Instance, r.Now(), r.Lease, free)
			if err != nil && ctx.Err() == nil {
				r.Log.Error("jobs: claim", "queue", p.Name, "err", err)
			}
			claimed = len(js)
			for _, j := range js {
				slots <- struct{}{}
				running.Add(1)
				go func() {
					defer running.Done()
					r.run(hard, p, j)
					<-slots
					select {
					case freed <- struct{}{}:
					default: // the loop has news pending already
					}
				}()
			}
		}
		if claimed > 0 && claimed == free {
			continue // more may be due: claim again as soon as a worker is free
		}
		select {
		case <-ctx.Done():
		case <-r.wake[p.Name]:
		case <-freed:
			if claimed == 0 && free > 0 {
				// Nothing was due when a worker was free: wait for news instead.
				select {
				case <-ctx.Done():
				case <-r.wake[p.Name]:
				case <-poll.C:
				}
			}
		case <-poll.C:
		}
	}
}

// RunOne claims one due job of any queue, runs it and records its outcome, and tells
// whether there was one: for tests and tools that run the queue by hand.
func (r *Runner) RunOne(ctx context.Context) (bool, error) {
	r.defaults()
	js, err := r.Store.ClaimJobs(ctx, "", r.Instance, r.Now(), r.Lease, 1)
	if err != nil || len(js) == 0 {
		return false, err
	}
	p := r.Pools[0]
	for _, q := range r.Pools {
		if q.Name == js[0].Queue {
			p = q
		}
	}
	return true, r.run(ctx, p, js[0])
}

// run runs one claimed job under the pool's timeout and records the outcome. A job
// interrupted by hard (its process stopping) is released unrecorded.
func (r *Runner) run(hard context.Context, p Pool, j Job) error {
	h, ok := r.Handlers[j.Kind]
	var err error
	if !ok {
		err = Permanent(fmt.Errorf("no handler for job kind %q", j.Kind))
	} else {
		jctx, cancel := context.WithTimeout(hard, p.Timeout)
		err = safeRun(jctx, h, j)
		cancel()
		if err != nil && errors.Is(err, context.DeadlineExceeded) && jctx.Err() != nil {
			err = fmt.Errorf("%w (timed out after %s)", err, p.Timeout)
		}
	}
	// The outcome is recorded even while stopping: the database closes after Run.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(hard), 10*time.Second)
	defer cancel()
	log := r.Log.With("job", j.ID, "kind", j.Kind, "ref", j.Ref, "attempt", j.Attempts+1)
	if hard.Err() != nil && err != nil {
		log.Warn("jobs: interrupted by the stop; released for another run", "err", err)
		return r.Store.ReleaseJob(rctx, j.ID, r.Instance, r.Now())
	}
	var l later
	if errors.As(err, &l) {
		return r.Store.ReleaseJob(rctx, j.ID, r.Instance, r.Now().Add(l.after))
	}
	if r.OnRun != nil {
		r.OnRun(j.Kind, err)
	}
	switch {
	case err == nil:
		return r.Store.FinishJob(rctx, j.ID, r.Instance, r.Now())
	case IsPermanent(err) || j.Last():
		log.Error("jobs: gave up", "err", err)
		j.Attempts++
		j.LastError, j.Status = err.Error(), StatusDead
		bury := func(ctx context.Context) error { return r.Store.BuryJob(ctx, j.ID, r.Instance, r.Now(), j.LastError) }
		if r.OnDead == nil {
			return bury(rctx)
		}
		terr := r.Store.Tx(rctx, func(ctx context.Context) error {
			if err := bury(ctx); err != nil {
				return err
			}
			return r.OnDead(ctx, j)
		})
		if terr != nil {
			// Buried all the same: staff see it among the dead jobs, if not on its step.
			log.Error("jobs: recording a job that gave up", "err", terr)
			return bury(rctx)
		}
		return nil
	default:
		next := r.Now().Add(Backoff(j.Attempts + 1))
		log.Warn("jobs: will retry", "err", err, "at", next)
		return r.Store.RetryJob(rctx, j.ID, r.Instance, next, err.Error())
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
