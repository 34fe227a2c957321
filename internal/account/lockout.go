package account

import (
	"context"
	"strconv"
	"time"
)

// Lockout bounds the guessing of a secret (a password, a second-factor code) under one
// key: After attempts in a streak are checked, the After-th wrong one locks the key for
// For, and further attempts are refused unchecked until the lock ends. A lock is never
// extended; a streak older than Window, or one whose lock has ended, starts over.
//
// Attempts are counted before the secret is checked, in one atomic statement of the
// store, so parallel attempts (from one process or several sharing PostgreSQL) each use
// up one of the After: reading the count, checking, then writing it back let every
// attempt of a burst through.
type Lockout struct {
	After int
	For   time.Duration
}

// Window is how long a streak of failures without a lock is remembered.
func (l Lockout) Window() time.Duration { return 4 * l.For }

// Current is f as it stands at now: an ended lock or a streak older than Window is over.
// CountAttempt applies the same rule in the store's statement.
func (l Lockout) Current(f Failures, now time.Time) Failures {
	if !f.LockedUntil.IsZero() && !now.Before(f.LockedUntil) {
		return Failures{}
	}
	if f.LockedUntil.IsZero() && !f.FirstAt.IsZero() && f.FirstAt.Before(now.Add(-l.Window())) {
		return Failures{}
	}
	return f
}

// FailureCounter is where a Lockout counts: a table every process shares.
type FailureCounter interface {
	// LoginFailures reads the streak under key; none is a zero Failures.
	LoginFailures(ctx context.Context, key string) (Failures, error)
	// CountAttempt adds one attempt to the streak under key atomically and returns the
	// streak with it: Count is this attempt's number. A streak that Current would end
	// starts over at 1; the attempt that brings Count to l.After sets LockedUntil to
	// now+l.For unless a lock is already set.
	CountAttempt(ctx context.Context, key string, now time.Time, l Lockout) (Failures, error)
	// ClearLoginFailures forgets the streaks under keys.
	ClearLoginFailures(ctx context.Context, keys ...string) error
}

// Try counts one attempt under key, then runs check unless the attempt is beyond
// l.After. ok tells that check passed (the streak is then forgotten); locked, when not
// zero, that the key is locked for that long more (this attempt was refused unchecked,
// or was the After-th and wrong). Neither means a wrong secret, counted.
func (l Lockout) Try(ctx context.Context, c FailureCounter, key string, now time.Time, check func() (bool, error)) (ok bool, locked time.Duration, err error) {
	f, err := c.CountAttempt(ctx, key, now, l)
	if err != nil {
		return false, 0, err
	}
	if f.Count > l.After {
		return false, l.remaining(f, now), nil
	}
	if ok, err = check(); err != nil {
		return false, 0, err
	}
	if ok {
		return true, 0, c.ClearLoginFailures(ctx, key)
	}
	if f.Count >= l.After {
		return false, l.remaining(f, now), nil
	}
	return false, 0, nil
}

// remaining is how long f's lock lasts after now; For if the lock is not written yet.
func (l Lockout) remaining(f Failures, now time.Time) time.Duration {
	if d := f.LockedUntil.Sub(now); !f.LockedUntil.IsZero() && d > 0 {
		return d
	}
	return l.For
}

// FailureKeyOf is the key the password failures of an account are counted under,
// whichever of its names (username, e-mail) was typed.
func FailureKeyOf(userID int64) string { return "user:" + strconv.FormatInt(userID, 10) }

// unknownFailureKey is the key of a typed name that is no account of tenant t (login
// already trimmed and lower-cased).
func unknownFailureKey(t Tenant, login string) string {
	return "name:" + t.Slug + ":" + login
}
