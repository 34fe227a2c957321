// Package audit is the append-only trail of every state change and staff action: who,
// when, what and from where. Each tenant's entries form a hash chain (every entry's hash
// covers the hash of the one before it and its own position), so an entry edited,
// deleted or slipped in afterwards, even by someone with write access to the database,
// breaks the chain at that point and Verify says where.
//
// The chain cannot reveal that its newest entries were cut off: keep the head that
// Verify reports (seq and hash per tenant) somewhere else to detect that too.
package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Entry is one line of the trail.
type Entry struct {
	ID int64
	// TenantID names the chain the entry belongs to: each tenant has its own, so one
	// tenant's traffic never waits on another's appends.
	TenantID int64
	// Seq is the entry's position in its tenant's chain, from 1 without gaps: a missing
	// number is a deleted entry.
	Seq int64
	// At is UTC, truncated to microseconds, the precision both engines keep, so the hash
	// recomputed from a row read back matches the one computed before the insert.
	At time.Time
	// Actor is who acted, as "user:12", "staff:7" or "system"; ActorName and Role are
	// copied as they were at the time, since names and roles change.
	Actor     string
	ActorName string
	Role      string
	// Action is dotted, domain first: "request.submit", "step.forward", "staff.add",
	// "login.staff".
	Action string
	// Object is what was acted on, as "request:42"; a request's trail is every entry
	// with its object.
	Object string
	// Detail is a short text or JSON. The trail cannot be edited, so it must never hold
	// a secret (password, link, session, TOTP seed).
	Detail string
	IP     string
	// PrevHash is the Hash of the entry before in the chain, "" for the first one; Hash
	// is ComputeHash(PrevHash). Both are lower-case hex SHA-256.
	PrevHash string
	Hash     string
}

// encodingVersion starts every encoded entry, so a later change of the encoding can be
// told apart from tampering.
const encodingVersion = "surel-audit-v1"

// Canonical is the byte string an entry's hash covers: encodingVersion, then prev, then
// TenantID, Seq, At (RFC 3339, UTC, always six fractional digits), Actor, ActorName,
// Role, Action, Object, Detail and IP, in that order, each written as its length in
// bytes, ':', the bytes and ','. The length prefix makes it unambiguous (no value can
// pass for two, whatever it holds), and the fixed order and time format make it
// independent of the database that stored the row. ID is left out: the database assigns
// it after the hash is computed, and Seq already fixes the position.
func (e Entry) Canonical(prev string) []byte {
	fields := [...]string{
		encodingVersion,
		prev,
		strconv.FormatInt(e.TenantID, 10),
		strconv.FormatInt(e.Seq, 10),
		e.At.UTC().Format("2006-01-02T15:04:05.000000Z"),
		e.Actor, e.ActorName, e.Role, e.Action, e.Object, e.Detail, e.IP,
	}
	n := 0
	for _, f := range fields {
		n += len(f) + 22
	}
	b := make([]byte, 0, n)
	for _, f := range fields {
		b = strconv.AppendInt(b, int64(len(f)), 10)
		b = append(b, ':')
		b = append(b, f...)
		b = append(b, ',')
	}
	return b
}

// ComputeHash is the hex SHA-256 of the entry's canonical encoding chained to prev, the
// hash of the entry before it ("" for a tenant's first entry).
func (e Entry) ComputeHash(prev string) string {
	sum := sha256.Sum256(e.Canonical(prev))
	return hex.EncodeToString(sum[:])
}

// Normalize puts At in the form that is stored and hashed: UTC, microseconds.
func (e *Entry) Normalize() {
	e.At = e.At.UTC().Truncate(time.Microsecond)
}

// Store keeps the trail.
type Store interface {
	// AppendAudit sets e's Seq, PrevHash, Hash and ID and adds it at the end of its
	// tenant's chain, in the transaction ctx carries if any, so the entry commits or
	// rolls back with the change it records. Concurrent appends never fork a chain.
	AppendAudit(ctx context.Context, e *Entry) error
	// AuditTrail lists the entries of one object, oldest first.
	AuditTrail(ctx context.Context, object string) ([]Entry, error)
	// VerifyAudit checks every chain with Verify, reading the log as a stream.
	VerifyAudit(ctx context.Context) (Report, error)
}

// Recorder is what the domain services call to record an action.
type Recorder struct {
	Store Store
	// Now is the clock; time.Now if nil.
	Now func() time.Time
}

// Record appends e to the trail, dated now unless At is set. Call it with the ctx of the
// transaction that makes the change: if the entry cannot be written the change must not
// happen either, or the trail would miss it. Text fields are made valid UTF-8 without NUL
// bytes first, since PostgreSQL refuses both and the entry must hash the same on either
// engine.
func (r *Recorder) Record(ctx context.Context, e Entry) error {
	if e.TenantID == 0 || e.Actor == "" || e.Action == "" {
		return fmt.Errorf("audit: record %q by %q: tenant, actor and action are required", e.Action, e.Actor)
	}
	if e.At.IsZero() {
		now := time.Now
		if r.Now != nil {
			now = r.Now
		}
		e.At = now()
	}
	e.Normalize()
	for _, f := range []*string{&e.Actor, &e.ActorName, &e.Role, &e.Action, &e.Object, &e.Detail, &e.IP} {
		*f = clean(*f)
	}
	if err := r.Store.AppendAudit(ctx, &e); err != nil {
		return fmt.Errorf("audit: record %s: %w", e.Action, err)
	}
	return nil
}

// BatchStore is a Store that appends many entries of one tenant at once.
type BatchStore interface {
	// AppendAudits appends es, one tenant's, in order, as AppendAudit would each.
	AppendAudits(ctx context.Context, es []*Entry) error
}

// RecordAll records es, entries of one tenant, in order, as Record would each; a store
// that appends in batches (BatchStore) writes them in a few statements.
func (r *Recorder) RecordAll(ctx context.Context, es []Entry) error {
	b, ok := r.Store.(BatchStore)
	if !ok {
		for _, e := range es {
			if err := r.Record(ctx, e); err != nil {
				return err
			}
		}
		return nil
	}
	if len(es) == 0 {
		return nil
	}
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	ps := make([]*Entry, len(es))
	for i := range es {
		e := &es[i]
		if e.TenantID == 0 || e.Actor == "" || e.Action == "" {
			return fmt.Errorf("audit: record %q by %q: tenant, actor and action are required", e.Action, e.Actor)
		}
		if e.At.IsZero() {
			e.At = now()
		}
		e.Normalize()
		for _, f := range []*string{&e.Actor, &e.ActorName, &e.Role, &e.Action, &e.Object, &e.Detail, &e.IP} {
			*f = clean(*f)
		}
		ps[i] = e
	}
	if err := b.AppendAudits(ctx, ps); err != nil {
		return fmt.Errorf("audit: record %d entries: %w", len(es), err)
	}
	return nil
}

func clean(s string) string {
	if utf8.ValidString(s) && !strings.Contains(s, "\x00") {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

// Problem is why an entry breaks its chain.
type Problem string

// The ways a chain breaks, and the tampering each one reveals.
const (
	// ProblemHash: the entry's fields no longer give its hash (it was edited).
	ProblemHash Problem = "hash does not match"
	// ProblemPrev: the entry does not point at the one before it (one was inserted or
	// replaced before it, hash recomputed).
	ProblemPrev Problem = "previous hash does not match the entry before it"
	// ProblemGap: entries are missing before this one (deleted).
	ProblemGap Problem = "entries missing before it"
	// ProblemSeq: the entry repeats or goes back on a seq already seen (inserted).
	ProblemSeq Problem = "seq out of order"
)

// Break is the first entry found that breaks its tenant's chain.
type Break struct {
	ID       int64
	TenantID int64
	Seq      int64
	// Want is the seq expected at this point, for ProblemGap and ProblemSeq.
	Want    int64
	Problem Problem
}

// String says what is wrong, for the operator: the problem and, for a gap, which seqs
// are missing.
func (b Break) String() string {
	if b.Problem == ProblemGap && b.Seq-1 == b.Want {
		return fmt.Sprintf("%s (seq %d)", b.Problem, b.Want)
	}
	if b.Problem == ProblemGap {
		return fmt.Sprintf("%s (seq %d to %d)", b.Problem, b.Want, b.Seq-1)
	}
	if b.Problem == ProblemSeq {
		return fmt.Sprintf("%s (seq %d expected)", b.Problem, b.Want)
	}
	return string(b.Problem)
}

// Head is the newest entry of one tenant's chain. Kept outside the database, it lets a
// later Verify notice entries cut off the end, which the chain alone cannot.
type Head struct {
	TenantID int64
	Seq      int64
	Hash     string
}

// Report is the outcome of Verify.
type Report struct {
	// Entries counts the entries checked, up to and including a Break.
	Entries int64
	// Heads lists the chains checked in full, by tenant id.
	Heads []Head
	// Break is the first broken link, nil when every chain is intact.
	Break *Break
}

// Walk hands every entry of the log to fn, ordered by tenant and then seq, and stops at
// the first error fn returns. It reads the log as a stream: the log may hold millions of
// entries.
type Walk func(ctx context.Context, fn func(Entry) error) error

// errStop ends a walk at the first break.
var errStop = errors.New("audit: stop")

// Verify walks every tenant's chain in seq order, recomputing each hash, and reports the
// first entry whose seq, link to the previous entry or hash is wrong. It keeps only the
// current entry and its chain's position in memory.
func Verify(ctx context.Context, walk Walk) (Report, error) {
	var r Report
	var cur *Head
	err := walk(ctx, func(e Entry) error {
		r.Entries++
		if cur == nil || e.TenantID != cur.TenantID {
			if cur != nil {
				r.Heads = append(r.Heads, *cur)
			}
			cur = &Head{TenantID: e.TenantID}
		}
		if b := check(*cur, e); b != nil {
			r.Break = b
			cur = nil
			return errStop
		}
		cur.Seq, cur.Hash = e.Seq, e.Hash
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return r, fmt.Errorf("audit: verify: %w", err)
	}
	if cur != nil {
		r.Heads = append(r.Heads, *cur)
	}
	return r, nil
}

// check tells whether e follows prev, the last good entry of its chain (Seq 0 before the
// first one).
func check(prev Head, e Entry) *Break {
	b := &Break{ID: e.ID, TenantID: e.TenantID, Seq: e.Seq, Want: prev.Seq + 1}
	switch {
	case e.Seq > b.Want:
		b.Problem = ProblemGap
	case e.Seq < b.Want:
		b.Problem = ProblemSeq
	case e.PrevHash != prev.Hash:
		b.Problem = ProblemPrev
	case e.Hash != e.ComputeHash(e.PrevHash):
		b.Problem = ProblemHash
	default:
		return nil
	}
	return b
}
