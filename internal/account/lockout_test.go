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

// Parallel guesses each use up one attempt: attempts are admitted atomically before the
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
			// refused unchecked, as busy while the five are in flight, as locked after.
			if got[errs.Unauthorized] != f.svc.Limits.LockAfter-1 || got[errs.TooMany] < 1 ||
				got[errs.TooMany]+got[errs.Unavailable] != n-f.svc.Limits.LockAfter+1 {
				t.Fatalf("%s: answers %v, want %d wrong and %d locked or busy", who, got, f.svc.Limits.LockAfter-1, n-f.svc.Limits.LockAfter+1)
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

// logins sends the passwords for one account all at once and returns the answers'
// codes ("" for signed in) in the passwords' order.
func (f *fixture) logins(t *testing.T, login string, passwords []string) []errs.Code {
	t.Helper()
	var wg sync.WaitGroup
	start := make(chan struct{})
	codes := make([]errs.Code, len(passwords))
	for i, pw := range passwords {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := f.svc.Login(context.Background(), f.tenant, login, pw, true)
			if err != nil && errs.CodeOf(err) == "" {
				t.Error(err)
			}
			codes[i] = errs.CodeOf(err)
		}()
	}
	close(start)
	wg.Wait()
	return codes
}

func tally(codes []errs.Code) map[errs.Code]int {
	got := map[errs.Code]int{}
	for _, c := range codes {
		got[c]++
	}
	return got
}

// Issue 15: 36 simultaneous logins with the right password never lock their account
// (each attempt used to count as a failure before its hash, so the eleventh of a burst
// locked it): each is signed in or turned away as busy (503, Retry-After), no failure
// is stored, and the account signs in afterwards. 36 wrong ones still lock it, and in a
// mix the right ones are never told "wrong" nor the wrong ones let in.
func TestLockoutSimultaneousLogins(t *testing.T) {
	const n = 36
	repeat := func(pw string, k int) []string {
		out := make([]string, k)
		for i := range out {
			out[i] = pw
		}
		return out
	}
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := setup(t, st)
		f.svc.Register(ctx, f.tenant, budi)
		u, _ := f.svc.Activate(ctx, f.tenant, secretIn(t, f.lastMail(t, "budi.santoso@gmail.com")))
		key := account.FailureKeyOf(u.ID)
		lockAfter := f.svc.Limits.LockAfter
		stored := func() account.Failures {
			t.Helper()
			fl, err := st.LoginFailures(ctx, key)
			if err != nil {
				t.Fatal(err)
			}
			return fl
		}

		t.Run("right passwords", func(t *testing.T) {
			got := tally(f.logins(t, "budi.santoso", repeat("rahasia123", n)))
			if got[""] < 1 || got[""]+got[errs.Unavailable] != n {
				t.Fatalf("answers %v: want each signed in or busy", got)
			}
			if fl := stored(); fl.Count != 0 || !fl.LockedUntil.IsZero() {
				t.Fatalf("failures stored after right passwords: %+v", fl)
			}
			if _, err := f.svc.Login(ctx, f.tenant, "budi.santoso", "rahasia123", false); err != nil {
				t.Fatalf("sign-in after the burst: %v", err)
			}
		})

		t.Run("one place left", func(t *testing.T) {
			// LockAfter-1 failures leave one place: one of the burst takes it and signs
			// in (forgetting the failures), the others are busy, none locks.
			for range lockAfter - 1 {
				f.svc.Login(ctx, f.tenant, "budi.santoso", "salah123", true)
			}
			got := tally(f.logins(t, "budi.santoso", repeat("rahasia123", n)))
			if got[""] < 1 || got[""]+got[errs.Unavailable] != n {
				t.Fatalf("answers %v: want signed in or busy", got)
			}
			if fl := stored(); fl.Count != 0 || !fl.LockedUntil.IsZero() {
				t.Fatalf("stored %+v", fl)
			}
		})

		t.Run("mix", func(t *testing.T) {
			pws := make([]string, n)
			for i := range pws {
				pws[i] = map[bool]string{true: "rahasia123", false: "salah123"}[i%2 == 0]
			}
			codes := f.logins(t, "budi.santoso", pws)
			for i, c := range codes {
				right := i%2 == 0
				switch {
				case right && c != "" && c != errs.Unavailable && c != errs.TooMany:
					t.Fatalf("right password %d answered %s", i, c)
				case !right && c != errs.Unauthorized && c != errs.Unavailable && c != errs.TooMany:
					t.Fatalf("wrong password %d answered %q", i, c)
				}
			}
			fl := stored()
			locked := !fl.LockedUntil.IsZero()
			if fl.Count > lockAfter || locked != (fl.Count == lockAfter) || (tally(codes)[errs.TooMany] > 0) != locked {
				t.Fatalf("answers %v, stored %+v", tally(codes), fl)
			}
			st.ClearLoginFailures(ctx, key)
		})

		t.Run("wrong passwords", func(t *testing.T) {
			got := tally(f.logins(t, "budi.santoso", repeat("salah123", n)))
			if got[errs.Unauthorized] != lockAfter-1 || got[errs.TooMany] < 1 || got[errs.TooMany]+got[errs.Unavailable] != n-lockAfter+1 {
				t.Fatalf("answers %v", got)
			}
			if fl := stored(); fl.Count != lockAfter || fl.LockedUntil.IsZero() {
				t.Fatalf("stored %+v: want %d failures and a lock", fl, lockAfter)
			}
			if _, err := f.svc.Login(ctx, f.tenant, "budi.santoso", "rahasia123", true); errs.CodeOf(err) != errs.TooMany {
				t.Fatalf("right password after the wrong burst: %v", err)
			}
		})
	})
}
