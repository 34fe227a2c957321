package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/jobs"
	"github.com/surel-id/surel/internal/store"
)

// Many runners claiming batches at once, in two processes, each get different jobs, and
// every job is claimed once.
func TestClaimJobsOnce(t *testing.T) {
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			url := dbtest.URL(t, d)
			var procs []*store.Store
			for range 2 {
				st, err := store.Open(ctx, url)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { st.Close() })
				procs = append(procs, st)
			}
			now := time.Now()
			for i := range 60 {
				if _, err := procs[0].EnqueueJob(ctx, "k", int64(i), 3, now); err != nil {
					t.Fatal(err)
				}
			}
			var mu sync.Mutex
			seen := map[int64]int{}
			var wg sync.WaitGroup
			for w := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						js, err := procs[w%2].ClaimJobs(ctx, "", fmt.Sprintf("runner-%d", w), now, time.Minute, 3)
						if err != nil {
							t.Error(err)
							return
						}
						if len(js) == 0 {
							return
						}
						mu.Lock()
						for _, j := range js {
							seen[j.ID]++
						}
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			if len(seen) != 60 {
				t.Fatalf("claimed %d distinct jobs, want 60", len(seen))
			}
			for id, n := range seen {
				if n != 1 {
					t.Fatalf("job %d claimed %d times", id, n)
				}
			}
		})
	}
}

// A leased job stays its runner's while the heartbeat renews it; a runner that died
// loses it when the lease ends, and a restarted process takes back its own at once.
// Attempts count outcomes only; a runner that lost a lease records nothing.
func TestJobLeases(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		now := time.Now().UTC()
		lease := 15 * time.Second
		id, _ := st.EnqueueJob(ctx, "k", 1, 3, now)
		claim := func(by string, at time.Time) []jobs.Job {
			t.Helper()
			js, err := st.ClaimJobs(ctx, "", by, at, lease, 5)
			if err != nil {
				t.Fatal(err)
			}
			return js
		}
		rescue := func(at time.Time, own, by string) []jobs.Job {
			t.Helper()
			dead, err := st.RescueJobs(ctx, at, own, by, 3)
			if err != nil {
				t.Fatal(err)
			}
			return dead
		}
		if js := claim("h:8080/1", now); len(js) != 1 || js[0].Claims != 1 || js[0].Attempts != 0 {
			t.Fatalf("claim %+v", js)
		}
		// The heartbeat keeps it past the first lease.
		if err := st.ExtendLeases(ctx, "h:8080/1", now.Add(20*time.Second+lease)); err != nil {
			t.Fatal(err)
		}
		rescue(now.Add(20*time.Second), "h:9090/", "h:9090/7")
		if js := claim("h:9090/7", now.Add(20*time.Second)); len(js) != 0 {
			t.Fatalf("a renewed lease was taken: %+v", js)
		}
		// The runner dies: the lease ends and another process takes it over.
		rescue(now.Add(40*time.Second), "h:9090/", "h:9090/7")
		js := claim("h:9090/7", now.Add(40*time.Second))
		if len(js) != 1 || js[0].Claims != 2 || js[0].Attempts != 0 {
			t.Fatalf("after the lease: %+v", js)
		}
		// The dead runner's late outcome is not recorded.
		if err := st.FinishJob(ctx, id, "h:8080/1", now); err != nil {
			t.Fatal(err)
		}
		if j, _ := st.Job(ctx, id); j.Status != jobs.StatusRunning {
			t.Fatalf("a stale runner finished the job: %+v", j)
		}
		// Its process restarts (same host and address, another pid): its own leases come
		// back at once, lease or not.
		rescue(now.Add(41*time.Second), "h:9090/", "h:9090/8")
		if j, _ := st.Job(ctx, id); j.Status != jobs.StatusQueued {
			t.Fatalf("own lease not taken back at restart: %+v", j)
		}
		js = claim("h:9090/8", now.Add(41*time.Second))
		if err := st.RetryJob(ctx, id, "h:9090/8", now.Add(time.Hour), "boom"); err != nil {
			t.Fatal(err)
		}
		if j, _ := st.Job(ctx, id); j.Status != jobs.StatusQueued || j.Attempts != 1 || j.Claims != 3 || j.LastError != "boom" {
			t.Fatalf("after a retry: %+v", j)
		}
		// An interrupted run (graceful stop) is released without counting.
		js = claim("h:9090/8", now.Add(2*time.Hour))
		if err := st.ReleaseJob(ctx, id, "h:9090/8", now.Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if j, _ := st.Job(ctx, id); j.Status != jobs.StatusQueued || j.Attempts != 1 || j.Claims != 4 {
			t.Fatalf("after a release: %+v", j)
		}
		// A job that kills its runner every time is buried after MaxAttempts+3 claims.
		for i := range 2 {
			at := now.Add(time.Duration(3+i) * time.Hour)
			if js := claim("h:1/1", at); len(js) != 1 {
				t.Fatalf("claim %d: %+v", i, js)
			}
			dead := rescue(at.Add(time.Minute), "", "")
			if i == 0 && len(dead) != 0 {
				t.Fatalf("buried at %d claims: %+v", 5, dead)
			}
			if i == 1 && (len(dead) != 1 || dead[0].Status != jobs.StatusDead || dead[0].LastError == "") {
				t.Fatalf("not buried at 6 claims: %+v", dead)
			}
		}
	})
}

// /metrics counts the open jobs; the retention prunes done ones past their time.
func TestCountAndPruneJobs(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		now := time.Now().UTC()
		for i := range 5 {
			st.EnqueueJob(ctx, "k", int64(i), 3, now)
		}
		js, _ := st.ClaimJobs(ctx, "", "r", now, time.Minute, 3)
		st.FinishJob(ctx, js[0].ID, "r", now.Add(-48*time.Hour))
		st.FinishJob(ctx, js[1].ID, "r", now)
		st.BuryJob(ctx, js[2].ID, "r", now, "x")
		c, err := st.CountJobs(ctx)
		if err != nil || c[jobs.StatusQueued] != 2 || c[jobs.StatusRunning] != 0 || c[jobs.StatusDead] != 1 || c[jobs.StatusDone] != 0 {
			t.Fatalf("counts %v %v", c, err)
		}
		if n, err := st.PruneJobs(ctx, now.Add(-24*time.Hour), 100); err != nil || n != 1 {
			t.Fatalf("pruned %d, %v", n, err)
		}
		if _, err := st.Job(ctx, js[1].ID); err != nil {
			t.Fatal("a recent done job was pruned")
		}
	})
}

func TestMigrateTwice(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		if err := st.Migrate(context.Background()); err != nil {
			t.Fatalf("second migration run: %v", err)
		}
	})
}

func TestSweep(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		now := time.Now().UTC()
		tid, _ := st.EnsureTenant(ctx, "t", "T", now)
		u := account.User{TenantID: tid, Username: "a", Email: "a@x.id", FirstName: "A", Phone: "0812", PasswordHash: "h",
			Status: account.StatusActive, Lang: "id", CreatedAt: now, PasswordChangedAt: now}
		if err := st.CreateUser(ctx, &u); err != nil {
			t.Fatal(err)
		}
		live := account.Session{Hash: "live", UserID: u.ID, CreatedAt: now, SeenAt: now, ExpiresAt: now.Add(time.Hour)}
		idle := account.Session{Hash: "idle", UserID: u.ID, CreatedAt: now, SeenAt: now.Add(-3 * time.Hour), ExpiresAt: now.Add(time.Hour)}
		old := account.Session{Hash: "old", UserID: u.ID, CreatedAt: now, SeenAt: now, ExpiresAt: now.Add(-time.Minute)}
		for _, s := range []account.Session{live, idle, old} {
			st.CreateSession(ctx, s)
		}
		l := account.Lockout{After: 10, For: 15 * time.Minute}
		for range 2 {
			for _, k := range []struct {
				key string
				at  time.Time
			}{{"t:stale", now.Add(-2 * time.Hour)}, {"t:fresh", now}} {
				st.BeginAttempt(ctx, k.key, k.at, l)
				st.EndAttempt(ctx, k.key, k.at, l, account.Wrong)
			}
		}
		st.Spend(ctx, "spent-expired", now.Add(-time.Second))
		st.Spend(ctx, "spent-live", now.Add(time.Minute))
		n, err := st.Sweep(ctx, now, 2*time.Hour, time.Hour)
		if err != nil || n != 4 {
			t.Fatalf("swept %d (%v), want 4", n, err)
		}
		if fresh, _ := st.Spend(ctx, "spent-live", now.Add(time.Minute)); fresh {
			t.Fatal("an unexpired spent captcha was swept")
		}
		if _, err := st.SessionByHash(ctx, "live"); err != nil {
			t.Fatal("live session swept")
		}
		if f, _ := st.LoginFailures(ctx, "t:fresh"); f.Count != 2 {
			t.Fatal("fresh failures swept")
		}
	})
}
