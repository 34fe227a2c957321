package account

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/surel-id/surel/internal/errs"
)

// Lockout bounds the guessing of a secret (a password, a second-factor code) under one
// key: After wrong attempts in a streak lock the key for For, and further attempts are
// refused unchecked until the lock ends. A lock is never extended; a streak older than
// Window, or one whose lock has ended, starts over.
//
// An attempt is admitted before its secret is checked, in one atomic statement of the
// store, and is then in flight (pending) until its check ends: a wrong secret turns it
// into a failure, a right one forgets the streak. The store admits an attempt only while
// failures and attempts in flight together stay below After, so parallel attempts (from
// one process or several sharing PostgreSQL) can never check more than After secrets per
// lock; the excess is refused at once as busy (503 with Retry-After, the login storm's
// answer), neither checked nor counted. Reading the count, checking, then writing it
// back let every attempt of a burst through; counting every attempt as a failure before
// its check let a burst of right passwords lock their own account. An attempt in flight
// holds its place for Lease at most, so a process that dies mid-check leaks nothing.
type Lockout struct {
	After int
	For   time.Duration
	// Lease is how long an admitted attempt may stay in flight; 0 is DefaultLease.
	Lease time.Duration
}

// DefaultLease is how long an attempt in flight holds its place: far beyond a hash's
// time and its wait for a hash slot (both bounded), short enough that a crash frees it
// quickly.
const DefaultLease = 30 * time.Second

// LeaseOf is l's lease.
func (l Lockout) LeaseOf() time.Duration {
	if l.Lease > 0 {
		return l.Lease
	}
	return DefaultLease
}

// Window is how long a streak of failures without a lock is remembered.
func (l Lockout) Window() time.Duration { return 4 * l.For }

// Current is f as it stands at now: an ended lock or a streak older than Window is over,
// and attempts whose lease ended are no longer in flight. The store's statements apply
// the same rule.
func (l Lockout) Current(f Failures, now time.Time) Failures {
	if f.PendingUntil.IsZero() || !now.Before(f.PendingUntil) {
		f.Pending, f.PendingUntil = 0, time.Time{}
	}
	if !f.LockedUntil.IsZero() && !now.Before(f.LockedUntil) {
		return Failures{Pending: f.Pending, PendingUntil: f.PendingUntil}
	}
	if f.LockedUntil.IsZero() && !f.FirstAt.IsZero() && f.FirstAt.Before(now.Add(-l.Window())) {
		return Failures{Pending: f.Pending, PendingUntil: f.PendingUntil}
	}
	return f
}

// Outcome is how an admitted attempt ended.
type Outcome int

// The outcomes.
const (
	// Wrong is a wrong secret: one failure more, perhaps the lock.
	Wrong Outcome = iota
	// Right is the right secret: the streak is forgotten.
	Right
	// Undecided is a check that could not run to its answer (an error): the attempt
	// leaves, counted neither way.
	Undecided
)

// FailureCounter is where a Lockout counts: a table every process shares.
type FailureCounter interface {
	// LoginFailures reads the streak under key as stored; none is a zero Failures.
	LoginFailures(ctx context.Context, key string) (Failures, error)
	// BeginAttempt admits one attempt under key atomically: unless the key is locked,
	// or its failures and attempts in flight (as Current sees them) already reach
	// l.After, the attempt is added to those in flight, its place held until
	// now+l.LeaseOf(). A refused attempt changes nothing; f is then the stored streak.
	BeginAttempt(ctx context.Context, key string, now time.Time, l Lockout) (f Failures, admitted bool, err error)
	// EndAttempt ends an attempt BeginAttempt admitted: it leaves those in flight, and
	// a Wrong one adds a failure (the one reaching l.After sets LockedUntil to now+l.For
	// unless a lock is set), a Right one forgets the streak. f is the streak after it.
	EndAttempt(ctx context.Context, key string, now time.Time, l Lockout, o Outcome) (f Failures, err error)
	// ClearLoginFailures forgets the streaks under keys.
	ClearLoginFailures(ctx context.Context, keys ...string) error
}

// Busy is the answer to an attempt turned away unchecked because the hash queue is full
// or too many attempts for its key are in flight: 503, try again in BusyRetry.
func Busy() error {
	return &errs.Error{Code: errs.Unavailable, Key: "error.busy", RetryAfter: BusyRetry}
}

// Try admits one attempt under key, then runs check. ok tells that check passed (the
// streak is then forgotten); locked, when not zero, that the key is locked for that long
// more (this attempt was refused unchecked, or was the After-th wrong one). An attempt
// refused because too many for key are in flight returns Busy(). None of these means a
// wrong secret, counted.
func (l Lockout) Try(ctx context.Context, c FailureCounter, key string, now time.Time, check func() (bool, error)) (ok bool, locked time.Duration, err error) {
	f, admitted, err := c.BeginAttempt(ctx, key, now, l)
	if err != nil {
		return false, 0, err
	}
	if !admitted {
		if f = l.Current(f, now); now.Before(f.LockedUntil) {
			return false, f.LockedUntil.Sub(now), nil
		}
		return false, 0, Busy()
	}
	ok, err = check()
	if err != nil {
		// The secret was not judged: the attempt leaves uncounted. The context may be
		// the reason, so the release does not depend on it.
		if _, rerr := c.EndAttempt(context.WithoutCancel(ctx), key, now, l, Undecided); rerr != nil {
			err = errors.Join(err, rerr)
		}
		return false, 0, err
	}
	if ok {
		_, err = c.EndAttempt(ctx, key, now, l, Right)
		return err == nil, 0, err
	}
	if f, err = c.EndAttempt(ctx, key, now, l, Wrong); err != nil {
		return false, 0, err
	}
	if !f.LockedUntil.IsZero() && now.Before(f.LockedUntil) {
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
