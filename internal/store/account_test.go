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

// CountAttempt numbers attempts one by one, locks at the After-th, keeps the lock's end
// while locked, and starts over once the lock or the streak is over.
func TestCountAttempt(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		l := account.Lockout{After: 3, For: 15 * time.Minute}
		now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
		count := func(at time.Time) account.Failures {
			t.Helper()
			f, err := st.CountAttempt(ctx, "k", at, l)
			if err != nil {
				t.Fatal(err)
			}
			return f
		}
		for i := 1; i <= 2; i++ {
			if f := count(now); f.Count != i || !f.LockedUntil.IsZero() || !f.FirstAt.Equal(now) {
				t.Fatalf("attempt %d: %+v", i, f)
			}
		}
		if f := count(now.Add(time.Minute)); f.Count != 3 || !f.LockedUntil.Equal(now.Add(16*time.Minute)) {
			t.Fatalf("3rd attempt should lock until 09:16: %+v", f)
		}
		if f := count(now.Add(10 * time.Minute)); f.Count != 4 || !f.LockedUntil.Equal(now.Add(16*time.Minute)) {
			t.Fatalf("attempt during the lock extended it: %+v", f)
		}
		after := now.Add(16 * time.Minute)
		if f := count(after); f.Count != 1 || !f.LockedUntil.IsZero() || !f.FirstAt.Equal(after) {
			t.Fatalf("after the lock: %+v", f)
		}
		// A streak older than the window starts over.
		late := after.Add(l.Window() + time.Second)
		if f := count(late); f.Count != 1 || !f.FirstAt.Equal(late) {
			t.Fatalf("after the window: %+v", f)
		}
		if got, _ := st.LoginFailures(ctx, "k"); got.Count != 1 || !got.FirstAt.Equal(late) {
			t.Fatalf("stored %+v", got)
		}
	})
}

// Parallel attempts on one key each get their own number, on both engines.
func TestCountAttemptParallel(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		l := account.Lockout{After: 5, For: time.Hour}
		now := time.Now().UTC()
		const n = 40
		var wg sync.WaitGroup
		seen := make([]int, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				f, err := st.CountAttempt(ctx, "burst", now, l)
				if err != nil {
					t.Error(err)
				}
				seen[i] = f.Count
			}()
		}
		wg.Wait()
		got := map[int]bool{}
		for _, c := range seen {
			if got[c] {
				t.Fatalf("two attempts numbered %d: %v", c, seen)
			}
			got[c] = true
		}
		if f, _ := st.LoginFailures(ctx, "burst"); f.Count != n || f.LockedUntil.IsZero() {
			t.Fatalf("stored %+v", f)
		}
	})
}

// Text that one engine stores and the other refuses never reaches either: the store
// answers errs.Invalid on both, instead of PostgreSQL's internal error.
func TestStoreRefusesBadText(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		now := time.Now().UTC()
		tid, _ := st.EnsureTenant(ctx, "t", "T", now)
		u := account.User{TenantID: tid, Username: "a", Email: "a@x.id", FirstName: "A", Phone: "0812", PasswordHash: "h",
			Status: account.StatusActive, Lang: "id", CreatedAt: now, PasswordChangedAt: now}
		if err := st.CreateUser(ctx, &u); err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{"Bu\x00di", "Bu\xffdi"} {
			if err := st.UpdateProfile(ctx, u.ID, account.Profile{FullName: bad}); errs.CodeOf(err) != errs.Invalid {
				t.Errorf("write %q: %v", bad, err)
			}
			if _, err := st.UserByEmail(ctx, tid, bad); errs.CodeOf(err) != errs.Invalid {
				t.Errorf("read %q: %v", bad, err)
			}
		}
		if got, _ := st.UserByID(ctx, u.ID); got.Profile.FullName != "" {
			t.Fatalf("stored %q", got.Profile.FullName)
		}
	})
}
