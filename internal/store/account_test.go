package store_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/store"
)

// Attempts are admitted while failures and attempts in flight stay below After; a
// wrong one counts, the After-th locks (never extended while locked), a right one
// forgets the streak; a lock or a streak that is over starts over.
func TestAttempts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		l := account.Lockout{After: 3, For: 15 * time.Minute}
		now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
		begin := func(at time.Time, want bool) account.Failures {
			t.Helper()
			f, ok, err := st.BeginAttempt(ctx, "k", at, l)
			if err != nil || ok != want {
				t.Fatalf("begin at %s: admitted %v (%v), want %v; %+v", at.Format("15:04"), ok, err, want, f)
			}
			return f
		}
		end := func(at time.Time, o account.Outcome) account.Failures {
			t.Helper()
			f, err := st.EndAttempt(ctx, "k", at, l, o)
			if err != nil {
				t.Fatal(err)
			}
			return f
		}
		for i := 1; i <= 2; i++ {
			begin(now, true)
			if f := end(now, account.Wrong); f.Count != i || !f.LockedUntil.IsZero() || !f.FirstAt.Equal(now) || f.Pending != 0 {
				t.Fatalf("failure %d: %+v", i, f)
			}
		}
		// Two failures and one attempt in flight fill the three places: a fourth is refused
		// unchecked, and nothing is written for it.
		if f := begin(now.Add(time.Minute), true); f.Pending != 1 || f.Count != 2 {
			t.Fatalf("third attempt in flight: %+v", f)
		}
		if f := begin(now.Add(time.Minute), false); f.Count != 2 || f.Pending != 1 {
			t.Fatalf("refused attempt wrote: %+v", f)
		}
		if f := end(now.Add(time.Minute), account.Wrong); f.Count != 3 || !f.LockedUntil.Equal(now.Add(16*time.Minute)) || f.Pending != 0 {
			t.Fatalf("3rd failure should lock until 09:16: %+v", f)
		}
		if f := begin(now.Add(10*time.Minute), false); !f.LockedUntil.Equal(now.Add(16 * time.Minute)) {
			t.Fatalf("attempt during the lock changed it: %+v", f)
		}
		after := now.Add(16 * time.Minute)
		if f := begin(after, true); f.Count != 0 || !f.LockedUntil.IsZero() || !f.FirstAt.Equal(after) {
			t.Fatalf("after the lock: %+v", f)
		}
		if f := end(after, account.Wrong); f.Count != 1 {
			t.Fatalf("first failure after the lock: %+v", f)
		}
		// A right password forgets the streak: no failure counted for it.
		begin(after, true)
		end(after, account.Right)
		if got, _ := st.LoginFailures(ctx, "k"); got.Count != 0 || got.Pending != 0 {
			t.Fatalf("after a right password: %+v", got)
		}
		// An undecided attempt leaves without counting.
		begin(after, true)
		if f := end(after, account.Undecided); f.Count != 0 || f.Pending != 0 {
			t.Fatalf("undecided: %+v", f)
		}
		// A streak older than the window starts over.
		begin(after, true)
		end(after, account.Wrong)
		late := after.Add(l.Window() + time.Second)
		begin(late, true)
		if f := end(late, account.Wrong); f.Count != 1 || !f.FirstAt.Equal(late) {
			t.Fatalf("after the window: %+v", f)
		}
	})
}

// Attempts that never end (their process died mid-check) hold their places only for
// the lease.
func TestAttemptLease(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		l := account.Lockout{After: 2, For: 15 * time.Minute, Lease: 20 * time.Second}
		now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
		for i, want := range []bool{true, true, false} {
			if _, ok, err := st.BeginAttempt(ctx, "crash", now, l); err != nil || ok != want {
				t.Fatalf("attempt %d: %v %v", i, ok, err)
			}
		}
		if _, ok, _ := st.BeginAttempt(ctx, "crash", now.Add(19*time.Second), l); ok {
			t.Fatal("admitted before the lease ended")
		}
		f, ok, err := st.BeginAttempt(ctx, "crash", now.Add(20*time.Second), l)
		if err != nil || !ok || f.Pending != 1 || f.Count != 0 {
			t.Fatalf("after the lease: %v %v %+v", ok, err, f)
		}
	})
}

// Parallel attempts on one key: exactly After are admitted, the rest refused; the
// admitted ones, all wrong, count After failures and lock; all right, none.
func TestAttemptsParallel(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		l := account.Lockout{After: 5, For: time.Hour}
		now := time.Now().UTC()
		const n = 40
		for _, o := range []account.Outcome{account.Right, account.Wrong} {
			key := fmt.Sprint("burst", o)
			var wg sync.WaitGroup
			var admitted atomic.Int32
			start := make(chan struct{})
			for range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					_, ok, err := st.BeginAttempt(ctx, key, now, l)
					if err != nil {
						t.Error(err)
					}
					if ok {
						admitted.Add(1)
						if _, err := st.EndAttempt(ctx, key, now, l, o); err != nil {
							t.Error(err)
						}
					}
				}()
			}
			close(start)
			wg.Wait()
			f, _ := st.LoginFailures(ctx, key)
			switch {
			case admitted.Load() < 1 || admitted.Load() > n:
				t.Fatalf("%v: %d admitted", o, admitted.Load())
			case o == account.Wrong && (admitted.Load() != int32(l.After) || f.Count != l.After || f.LockedUntil.IsZero()):
				t.Fatalf("wrong: %d admitted, stored %+v; want %d failures and a lock", admitted.Load(), f, l.After)
			case o == account.Right && (f.Count != 0 || !f.LockedUntil.IsZero()):
				t.Fatalf("right: stored %+v", f)
			}
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
