package jobs_test

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/jobs"
	"github.com/surel-id/surel/internal/store"
)

// open gives n stores on one fresh database of engine d, as n processes have.
func open(t *testing.T, d store.Dialect, n int) []*store.Store {
	t.Helper()
	url := dbtest.URL(t, d)
	var out []*store.Store
	for range n {
		st, err := store.Open(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		out = append(out, st)
	}
	return out
}

// runner is a Runner of two pools, slow (provisioning) and mail, on st.
func runner(st *store.Store, name string, handlers map[string]jobs.Handler) *jobs.Runner {
	r := &jobs.Runner{Store: st, Log: slog.New(slog.DiscardHandler), Handlers: handlers, Instance: name + "/1", Own: name + "/",
		Pools: []jobs.Pool{{Name: "provision", Kinds: []string{"slow"}, Workers: 2, Timeout: 5 * time.Second},
			{Name: "mail", Kinds: []string{"mail"}, Workers: 2, Timeout: 5 * time.Second}},
		Poll: 50 * time.Millisecond, Lease: time.Second, Heartbeat: 200 * time.Millisecond, Grace: time.Second}
	st.JobQueue(r.QueueOf)
	return r
}

func start(r *jobs.Runner) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	return func() { cancel(); <-done }
}

func waitFor(t *testing.T, what string, d time.Duration, ok func() bool) time.Duration {
	t.Helper()
	begin := time.Now()
	for !ok() {
		if time.Since(begin) > d {
			t.Fatalf("%s: not within %s", what, d)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Since(begin)
}

// A provisioning job stuck on an unanswering mail server holds up neither the mail
// (its own pool) nor the other provisioning worker; the stuck one ends at its timeout
// and counts as a failed attempt.
func TestPoolsApart(t *testing.T) {
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			st := open(t, d, 1)[0]
			ctx := context.Background()
			var sent atomic.Int32
			stuck := make(chan struct{})
			r := runner(st, "a", map[string]jobs.Handler{
				"slow": func(ctx context.Context, j jobs.Job) error {
					if j.Ref == 1 {
						<-ctx.Done() // the mail server never answers
						return ctx.Err()
					}
					return nil
				},
				"mail": func(ctx context.Context, j jobs.Job) error { sent.Add(1); return nil },
			})
			// Long enough that the others, loaded machine or not, are done well before it.
			r.Pools[0].Timeout = 6 * time.Second
			defer close(stuck)
			stop := start(r)
			defer stop()
			stuckID, _ := st.EnqueueJob(ctx, "slow", 1, 3, time.Now())
			time.Sleep(50 * time.Millisecond)
			for i := range 20 {
				st.EnqueueJob(ctx, "mail", int64(i), 3, time.Now())
			}
			other, _ := st.EnqueueJob(ctx, "slow", 2, 3, time.Now())
			waitFor(t, "20 mails sent beside the stuck job", 4*time.Second, func() bool { return sent.Load() == 20 })
			waitFor(t, "the other provisioning job done", 4*time.Second, func() bool {
				j, _ := st.Job(ctx, other)
				return j.Status == jobs.StatusDone
			})
			if j, _ := st.Job(ctx, stuckID); j.Status != jobs.StatusRunning {
				t.Fatalf("the stuck job ended before its timeout: %+v", j)
			}
			waitFor(t, "the stuck job timed out and retried", 10*time.Second, func() bool {
				j, _ := st.Job(ctx, stuckID)
				return j.Status == jobs.StatusQueued && j.Attempts == 1
			})
			if j, _ := st.Job(ctx, stuckID); j.LastError == "" {
				t.Fatalf("the timeout left no error: %+v", j)
			}
		})
	}
}

// A runner that dies mid-job (no outcome, no heartbeat: kill -9) loses the job to a
// runner of another process within the lease, and that attempt is not counted.
func TestDeadRunnersJobTakenOver(t *testing.T) {
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			sts := open(t, d, 2)
			ctx := context.Background()
			var ran atomic.Int32
			h := map[string]jobs.Handler{"slow": func(ctx context.Context, j jobs.Job) error { ran.Add(1); return nil }}
			b := runner(sts[1], "b", h)
			runner(sts[0], "a", h) // sets the queues of sts[0]
			id, _ := sts[0].EnqueueJob(ctx, "slow", 7, 3, time.Now())
			// a claims it and dies.
			if js, err := sts[0].ClaimJobs(ctx, "provision", "a/1", time.Now(), b.Lease, 1); err != nil || len(js) != 1 {
				t.Fatalf("claim: %v %v", js, err)
			}
			stop := start(b)
			defer stop()
			took := waitFor(t, "the dead runner's job done by the other", 10*b.Lease, func() bool {
				j, _ := sts[1].Job(ctx, id)
				return j.Status == jobs.StatusDone
			})
			if j, _ := sts[1].Job(ctx, id); j.Attempts != 1 || j.Claims != 2 || ran.Load() != 1 {
				t.Fatalf("after the take-over (%s): %+v, ran %d", took, j, ran.Load())
			}
			t.Logf("taken over after %s (lease %s)", took, b.Lease)
		})
	}
}

// A stopping runner claims nothing more, lets a running job finish within the grace
// period and records it; one still running at the end of the grace is cancelled and
// released without counting the attempt; Run returns only when both are recorded.
func TestGracefulDrain(t *testing.T) {
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			st := open(t, d, 1)[0]
			ctx := context.Background()
			started := make(chan int64, 2)
			var mu sync.Mutex
			var cancelled []int64
			r := runner(st, "a", map[string]jobs.Handler{"slow": func(ctx context.Context, j jobs.Job) error {
				started <- j.Ref
				wait := 300 * time.Millisecond // finishes within the grace
				if j.Ref == 2 {
					wait = time.Hour // does not
				}
				select {
				case <-time.After(wait):
					return nil
				case <-ctx.Done():
					mu.Lock()
					cancelled = append(cancelled, j.Ref)
					mu.Unlock()
					return ctx.Err()
				}
			}})
			r.Pools[0].Timeout = time.Hour
			quick, _ := st.EnqueueJob(ctx, "slow", 1, 3, time.Now())
			long, _ := st.EnqueueJob(ctx, "slow", 2, 3, time.Now())
			stop := start(r)
			<-started
			<-started
			later, _ := st.EnqueueJob(ctx, "slow", 3, 3, time.Now())
			begin := time.Now()
			stop()
			if took := time.Since(begin); took < r.Grace || took > r.Grace+5*time.Second {
				t.Fatalf("Run returned after %s, want about the grace %s", took, r.Grace)
			}
			for id, want := range map[int64]string{quick: jobs.StatusDone, long: jobs.StatusQueued, later: jobs.StatusQueued} {
				j, err := st.Job(ctx, id)
				if err != nil || j.Status != want || j.Attempts != map[bool]int{true: 1, false: 0}[want == jobs.StatusDone] {
					t.Errorf("job %d: %+v %v, want %s", id, j, err, want)
				}
			}
			if len(cancelled) != 1 || cancelled[0] != 2 {
				t.Fatalf("cancelled %v, want only the long job", cancelled)
			}
		})
	}
}

// A handler that finds its mail server busy says Later: the job waits without an
// attempt counted.
func TestLater(t *testing.T) {
	st := open(t, store.SQLite, 1)[0]
	ctx := context.Background()
	r := runner(st, "a", map[string]jobs.Handler{"slow": func(ctx context.Context, j jobs.Job) error { return jobs.Later(time.Minute) }})
	id, _ := st.EnqueueJob(ctx, "slow", 1, 3, time.Now())
	if ran, err := r.RunOne(ctx); !ran || err != nil {
		t.Fatal(ran, err)
	}
	j, _ := st.Job(ctx, id)
	if j.Status != jobs.StatusQueued || j.Attempts != 0 || j.RunAt.Before(time.Now().Add(50*time.Second)) {
		t.Fatalf("after Later: %+v", j)
	}
	if errors.Is(jobs.Later(time.Second), context.Canceled) {
		t.Fatal("Later is not a cancellation")
	}
}

// A job queued in a transaction of one process wakes the idle pool of another at once
// (PostgreSQL LISTEN/NOTIFY), long before its poll.
func TestWakeUp(t *testing.T) {
	for _, d := range dbtest.Engines(t) {
		if d != store.Postgres {
			continue // one process per SQLite file: its pools poll
		}
		sts := open(t, d, 2)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var done atomic.Int64
		r := runner(sts[1], "b", map[string]jobs.Handler{"mail": func(ctx context.Context, j jobs.Job) error { done.Store(j.Ref); return nil }})
		r.Poll = time.Hour
		runner(sts[0], "a", nil)
		listening := make(chan struct{})
		go sts[1].Listen(ctx, []string{store.ChannelJobs}, func(n store.Notification) {
			if n.Channel == "" {
				close(listening)
				return
			}
			r.Wake(n.Payload)
		})
		<-listening
		stop := start(r)
		defer stop()
		time.Sleep(100 * time.Millisecond) // the pools have polled once and sleep
		err := sts[0].Tx(ctx, func(ctx context.Context) error {
			_, err := sts[0].EnqueueJob(ctx, "mail", 42, 3, time.Now())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		took := waitFor(t, "the job run after its notification (the poll is an hour)", 5*time.Second, func() bool { return done.Load() == 42 })
		t.Logf("run %s after the commit", took)
	}
}
