package account_test

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

// The lock counts failures per account, whatever name was typed: failures as the
// e-mail address lock the username too (issue 12: it used to allow 2×LockAfter
// guesses per lock period, LockAfter per name).
func TestLockoutIsPerAccount(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := setup(t, st)
		f.svc.Register(ctx, f.tenant, budi)
		f.svc.Activate(ctx, f.tenant, secretIn(t, f.lastMail(t, "budi.santoso@gmail.com")))

		names := []string{"budi.santoso@gmail.com", "BUDI.SANTOSO", "Budi.Santoso@Gmail.com", "budi.santoso", "budi.santoso@gmail.com"}
		for i, name := range names {
			_, err := f.svc.Login(ctx, f.tenant, name, "salah123", true)
			want := errs.Unauthorized
			if i == len(names)-1 {
				want = errs.TooMany
			}
			if errs.CodeOf(err) != want {
				t.Fatalf("failure %d as %q: %v, want %s", i+1, name, err, want)
			}
		}
		// The captcha follows the account too.
		if !f.svc.CaptchaNeeded(ctx, f.tenant, "BUDI.santoso") {
			t.Fatal("captcha not required for the username after failures as the e-mail")
		}
		for _, name := range []string{"budi.santoso", "budi.santoso@gmail.com"} {
			if _, err := f.svc.Login(ctx, f.tenant, name, "rahasia123", true); errs.CodeOf(err) != errs.TooMany {
				t.Fatalf("right password as %q while the account is locked: %v", name, err)
			}
		}
		// Unknown names are still counted per typed name, and lock alone.
		for i := 1; i <= 5; i++ {
			_, err := f.svc.Login(ctx, f.tenant, "siapa.saja", "salah123", true)
			if want := map[bool]errs.Code{true: errs.TooMany, false: errs.Unauthorized}[i == 5]; errs.CodeOf(err) != want {
				t.Fatalf("unknown name failure %d: %v", i, err)
			}
		}
		if _, err := f.svc.Login(ctx, f.tenant, "orang.lain", "salah123", false); errs.CodeOf(err) != errs.Unauthorized {
			t.Fatalf("another unknown name shares the lock: %v", err)
		}
		f.now = f.now.Add(16 * time.Minute)
		if _, err := f.svc.Login(ctx, f.tenant, "budi.santoso", "rahasia123", false); err != nil {
			t.Fatalf("after the lock: %v", err)
		}
	})
}

// Parallel guesses each use up one attempt: the count is taken atomically before the
// password is hashed, so 30 wrong passwords sent together check at most LockAfter of
// them and the account ends locked (it used to end unlocked with a count of 5).
func TestLockoutParallelGuesses(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := setup(t, st)
		f.svc.Register(ctx, f.tenant, budi)
		u, _ := f.svc.Activate(ctx, f.tenant, secretIn(t, f.lastMail(t, "budi.santoso@gmail.com")))
		const n = 30
		for _, who := range []string{"budi.santoso", "tidak.ada"} {
			var wg sync.WaitGroup
			start := make(chan struct{})
			codes := make(chan errs.Code, n)
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					name := who
					if who == "budi.santoso" && i%2 == 1 {
						name = "budi.santoso@gmail.com"
					}
					_, err := f.svc.Login(ctx, f.tenant, name, "salah123", true)
					if err != nil && errs.CodeOf(err) == "" {
						t.Error(err)
					}
					codes <- errs.CodeOf(err)
				}()
			}
			close(start)
			wg.Wait()
			close(codes)
			got := map[errs.Code]int{}
			for c := range codes {
				got[c]++
			}
			// LockAfter (5) are checked: 4 answer "wrong", the 5th locks; the rest are
			// refused unchecked.
			if got[errs.Unauthorized] != f.svc.Limits.LockAfter-1 || got[errs.TooMany] != n-f.svc.Limits.LockAfter+1 {
				t.Fatalf("%s: answers %v, want %d wrong and %d locked", who, got, f.svc.Limits.LockAfter-1, n-f.svc.Limits.LockAfter+1)
			}
		}
		if _, err := f.svc.Login(ctx, f.tenant, "budi.santoso", "rahasia123", true); errs.CodeOf(err) != errs.TooMany {
			t.Fatalf("right password after parallel guesses: %v (not locked)", err)
		}
		fl, err := st.LoginFailures(ctx, account.FailureKeyOf(u.ID))
		if err != nil || fl.Count < f.svc.Limits.LockAfter || !fl.LockedUntil.Equal(f.now.Add(f.svc.Limits.LockFor)) {
			t.Fatalf("stored failures %+v %v: want every checked attempt counted and a lock", fl, err)
		}
	})
}
