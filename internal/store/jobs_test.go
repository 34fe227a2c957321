package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/store"
)

// Many runners claiming at once each get a different job, and every job is claimed once.
func TestClaimJobOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		now := time.Now()
		for i := range 40 {
			if _, err := st.EnqueueJob(ctx, "k", int64(i), 3, now); err != nil {
				t.Fatal(err)
			}
		}
		var mu sync.Mutex
		seen := map[int64]int{}
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					j, err := st.ClaimJob(ctx, now, time.Minute)
					if err == errs.ErrNotFound {
						return
					}
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					seen[j.ID]++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if len(seen) != 40 {
			t.Fatalf("claimed %d distinct jobs, want 40", len(seen))
		}
		for id, n := range seen {
			if n != 1 {
				t.Fatalf("job %d claimed %d times", id, n)
			}
		}
		// A job whose runner died (lease over) is claimed again; a live lease is not.
		if _, err := st.ClaimJob(ctx, now.Add(30*time.Second), time.Minute); err != errs.ErrNotFound {
			t.Fatalf("claimed a leased job: %v", err)
		}
		j, err := st.ClaimJob(ctx, now.Add(2*time.Minute), time.Minute)
		if err != nil || j.Attempts != 2 {
			t.Fatalf("expired lease: %+v %v", j, err)
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
			st.CountAttempt(ctx, "t:stale", now.Add(-2*time.Hour), l)
			st.CountAttempt(ctx, "t:fresh", now, l)
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
